package block

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/stretchr/testify/require"
)

// testSeries is a series held in memory.
type testSeries struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

func (s *testSeries) Labels() labels.Labels { return s.lset }

func (s *testSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return &sliceIterator{ts: s.ts, vs: s.vs, i: -1}
}

// sliceIterator iterates samples in slices; hist makes every sample a
// histogram.
type sliceIterator struct {
	ts   []int64
	vs   []float64
	i    int
	hist bool
}

func (it *sliceIterator) Next() chunkenc.ValueType {
	it.i++
	if it.i >= len(it.ts) {
		return chunkenc.ValNone
	}
	if it.hist {
		return chunkenc.ValHistogram
	}
	return chunkenc.ValFloat
}

func (it *sliceIterator) Seek(t millis) chunkenc.ValueType {
	for it.i < 0 || (it.i < len(it.ts) && it.ts[it.i] < t) {
		it.i++
	}
	if it.i >= len(it.ts) {
		return chunkenc.ValNone
	}
	return chunkenc.ValFloat
}
func (it *sliceIterator) At() (int64, float64) { return it.ts[it.i], it.vs[it.i] }
func (it *sliceIterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	return it.ts[it.i], &histogram.Histogram{}
}
func (it *sliceIterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return it.ts[it.i], nil
}
func (it *sliceIterator) AtT() int64 { return it.ts[it.i] }
func (*sliceIterator) AtST() int64   { return 0 }
func (*sliceIterator) Err() error    { return nil }

// histSeries yields histogram samples.
type histSeries struct{ testSeries }

func (s *histSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return &sliceIterator{ts: s.ts, vs: s.vs, i: -1, hist: true}
}

// listSet is a SeriesSet over series in the given order.
type listSet struct {
	series []storage.Series
	i      int
}

func newListSet(series []*testSeries) *listSet {
	s := &listSet{i: -1}
	for _, ts := range series {
		s.series = append(s.series, ts)
	}
	return s
}

func (s *listSet) Next() bool                      { s.i++; return s.i < len(s.series) }
func (s *listSet) At() storage.Series              { return s.series[s.i] }
func (*listSet) Err() error                        { return nil }
func (*listSet) Warnings() annotations.Annotations { return nil }

// sortSeries sorts series by labels.
func sortSeries(series []*testSeries) {
	slices.SortFunc(series, func(a, b *testSeries) int { return labels.Compare(a.lset, b.lset) })
}

// writeOpen writes series as block "b1" in a new dir and opens it.
func writeOpen(t testing.TB, series []*testSeries, opts WriteOptions) (*Block, Meta) {
	t.Helper()
	parent := t.TempDir()
	meta, err := Write(parent, "b1", newListSet(series), opts)
	require.NoError(t, err)
	b, err := Open(filepath.Join(parent, "b1"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b, meta
}

// readAll selects with hints and matchers and reads every sample.
func readAll(t testing.TB, q storage.Querier, hints *storage.SelectHints, ms ...*labels.Matcher) []*testSeries {
	t.Helper()
	set := q.Select(context.Background(), true, hints, ms...)
	var out []*testSeries
	var it chunkenc.Iterator
	for set.Next() {
		s := &testSeries{lset: set.At().Labels()}
		it = set.At().Iterator(it)
		for it.Next() == chunkenc.ValFloat {
			t, v := it.At()
			s.ts, s.vs = append(s.ts, t), append(s.vs, v)
		}
		require.NoError(t, it.Err())
		out = append(out, s)
	}
	require.NoError(t, set.Err())
	return out
}

// requireSameSeries compares labels, timestamps and value bits.
func requireSameSeries(t testing.TB, want, got []*testSeries) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].lset.String(), got[i].lset.String(), "series %d", i)
		require.Equal(t, len(want[i].ts), len(got[i].ts), "samples of %s", want[i].lset)
		for j := range want[i].ts {
			require.Equal(t, want[i].ts[j], got[i].ts[j], "%s sample %d", want[i].lset, j)
			require.Equal(t, math.Float64bits(want[i].vs[j]), math.Float64bits(got[i].vs[j]),
				"%s sample %d at %d", want[i].lset, j, want[i].ts[j])
		}
	}
}

// trimmed returns the series' samples in [mint, maxt], dropping series left
// without samples.
func trimmed(series []*testSeries, mint, maxt int64) []*testSeries {
	var out []*testSeries
	for _, s := range series {
		c := &testSeries{lset: s.lset}
		for i, t := range s.ts {
			if t >= mint && t <= maxt {
				c.ts, c.vs = append(c.ts, t), append(c.vs, s.vs[i])
			}
		}
		if len(c.ts) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// regular returns a series of n samples every step ms from t0 with values
// from f.
func regular(lset labels.Labels, t0, step int64, n int, f func(i int) float64) *testSeries {
	s := &testSeries{lset: lset}
	for i := range n {
		s.ts, s.vs = append(s.ts, t0+int64(i)*step), append(s.vs, f(i))
	}
	return s
}
