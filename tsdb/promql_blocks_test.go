package tsdb_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/vigilsre/vigil/tsdb"
	"github.com/vigilsre/vigil/tsdb/block"
)

// blockLoader stores the older half of each load command of a script in a
// block on disk, so that the PromQL suite reads data spread over blocks and
// the head. Loads may overlap the blocks of earlier loads; queries merge
// overlapping blocks.
type blockLoader struct {
	db    *tsdb.DB
	stats *suiteStats
	n     int // blocks written
}

// loadOlder moves the samples of b older than the middle of its time range
// into a new block and adds the block to the DB; the rest stay in b for the
// head. The split is by time alone, so a batch whose samples all share one
// timestamp goes to the head whole, and a series with a single sample goes
// to the side its timestamp falls on.
func (l *blockLoader) loadOlder(b *tsdb.Batch) error {
	mid, ok := splitTime(b)
	if !ok {
		return nil
	}
	older := splitBatch(b, mid)
	if len(older) == 0 {
		return nil
	}
	l.n++
	id := fmt.Sprintf("load-%04d", l.n)
	if err := writeBlock(l.db.BlocksDirForTest(), id, older); err != nil {
		return err
	}
	if err := l.db.AddBlockForTest(id); err != nil {
		return err
	}
	l.stats.blocks++
	l.stats.blockSamples += countSamples(older)
	for _, s := range older {
		l.stats.staleInBlocks += countStale(s.vs)
	}
	return nil
}

func countStale(vs []float64) int {
	n := 0
	for _, v := range vs {
		if value.IsStaleNaN(v) {
			n++
		}
	}
	return n
}

// splitTime returns the middle of b's time range, rounded up: the samples
// before it go into a block. ok is false when b has fewer than two distinct
// timestamps.
func splitTime(b *tsdb.Batch) (mid int64, ok bool) {
	mint, maxt := int64(math.MaxInt64), int64(math.MinInt64)
	for _, s := range b.Series {
		for _, smp := range s.Samples {
			mint, maxt = min(mint, smp.T), max(maxt, smp.T)
		}
	}
	if mint >= maxt {
		return 0, false
	}
	return mint + (maxt-mint+1)/2, true
}

// splitBatch removes from b the samples older than mid and returns them as
// series sorted by labels. Series left without samples leave b.
func splitBatch(b *tsdb.Batch, mid int64) []*floatSeries {
	var newer tsdb.Batch
	var older []*floatSeries
	for _, s := range b.Series {
		old := &floatSeries{lset: s.Labels}
		n := newer.Next()
		n.Labels = s.Labels
		for _, smp := range s.Samples {
			if smp.T < mid {
				old.ts, old.vs = append(old.ts, smp.T), append(old.vs, smp.V)
			} else {
				n.Samples = append(n.Samples, smp)
			}
		}
		if len(n.Samples) == 0 {
			newer.Series = newer.Series[:len(newer.Series)-1]
		}
		if len(old.ts) > 0 {
			older = append(older, old)
		}
	}
	*b = newer
	slices.SortFunc(older, func(a, b *floatSeries) int { return labels.Compare(a.lset, b.lset) })
	return older
}

func countSamples(series []*floatSeries) int {
	n := 0
	for _, s := range series {
		n += len(s.ts)
	}
	return n
}

// writeBlock writes series as block id under dir and checks that the block
// reads them back bit for bit (stale markers included).
func writeBlock(dir, id string, series []*floatSeries) error {
	for _, s := range series {
		if !slices.IsSorted(s.ts) || len(slices.Compact(slices.Clone(s.ts))) != len(s.ts) {
			return fmt.Errorf("series %s: timestamps not strictly increasing: %v", s.lset, s.ts)
		}
	}
	meta, err := block.Write(dir, id, &seriesList{series: series, i: -1}, block.WriteOptions{})
	if err != nil {
		return fmt.Errorf("write block %s: %w", id, err)
	}
	if want := countSamples(series); meta.NumSamples != uint64(want) || meta.NumSeries != uint64(len(series)) {
		return fmt.Errorf("block %s: meta has %d series, %d samples; wrote %d, %d",
			id, meta.NumSeries, meta.NumSamples, len(series), want)
	}
	return checkBlock(filepath.Join(dir, id), series)
}

// checkBlock opens the block in dir on its own and requires every series of
// want in it, with the same samples, values compared bit for bit.
func checkBlock(dir string, want []*floatSeries) (err error) {
	b, err := block.Open(dir)
	if err != nil {
		return fmt.Errorf("reopen block: %w", err)
	}
	defer func() { err = errors.Join(err, b.Close()) }()
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	if err != nil {
		return fmt.Errorf("query block %s: %w", dir, err)
	}
	defer func() { err = errors.Join(err, q.Close()) }()
	for _, s := range want {
		if err := checkSeries(q, s); err != nil {
			return fmt.Errorf("block %s: %w", dir, err)
		}
	}
	return nil
}

// checkSeries selects want's series from q and compares it with want.
func checkSeries(q storage.Querier, want *floatSeries) error {
	var ms []*labels.Matcher
	want.lset.Range(func(l labels.Label) {
		ms = append(ms, labels.MustNewMatcher(labels.MatchEqual, l.Name, l.Value))
	})
	set := q.Select(context.Background(), false, nil, ms...)
	var got *floatSeries
	for set.Next() {
		if !labels.Equal(set.At().Labels(), want.lset) {
			continue
		}
		if got != nil {
			return fmt.Errorf("series %s: selected twice", want.lset)
		}
		var err error
		if got, err = readSeries(set.At()); err != nil {
			return err
		}
	}
	switch {
	case set.Err() != nil:
		return fmt.Errorf("select %s: %w", want.lset, set.Err())
	case got == nil:
		return fmt.Errorf("series %s: missing", want.lset)
	case !sameSamples(got, want):
		return fmt.Errorf("series %s: read back %v %v, wrote %v %v", want.lset, got.ts, got.vs, want.ts, want.vs)
	}
	return nil
}

// readSeries reads every sample of s.
func readSeries(s storage.Series) (*floatSeries, error) {
	got := &floatSeries{lset: s.Labels()}
	it := s.Iterator(nil)
	for vt := it.Next(); vt != chunkenc.ValNone; vt = it.Next() {
		if vt != chunkenc.ValFloat {
			return nil, fmt.Errorf("series %s: a %v sample", got.lset, vt)
		}
		t, v := it.At()
		got.ts, got.vs = append(got.ts, t), append(got.vs, v)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("read series %s: %w", got.lset, err)
	}
	return got, nil
}

// sameSamples compares timestamps and the bits of values.
func sameSamples(a, b *floatSeries) bool {
	return slices.Equal(a.ts, b.ts) && slices.EqualFunc(a.vs, b.vs, func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y)
	})
}

// floatSeries is a series of float samples held in memory, a
// storage.Series.
type floatSeries struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

func (s *floatSeries) Labels() labels.Labels { return s.lset }

func (s *floatSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return &floatIterator{s: s, i: -1}
}

// millis is a timestamp in ms, so spelled because go vet takes any
// Seek(int64) for io.Seeker's.
type millis = int64

// floatIterator iterates a floatSeries.
type floatIterator struct {
	s *floatSeries
	i int
}

func (it *floatIterator) Next() chunkenc.ValueType {
	if it.i < len(it.s.ts) {
		it.i++
	}
	return it.valueType()
}

// Seek moves to the first sample at or after t, never back.
func (it *floatIterator) Seek(t millis) chunkenc.ValueType {
	it.i = max(it.i, 0)
	for it.i < len(it.s.ts) && it.s.ts[it.i] < t {
		it.i++
	}
	return it.valueType()
}

func (it *floatIterator) valueType() chunkenc.ValueType {
	if it.i >= len(it.s.ts) {
		return chunkenc.ValNone
	}
	return chunkenc.ValFloat
}

func (it *floatIterator) At() (int64, float64) { return it.s.ts[it.i], it.s.vs[it.i] }
func (it *floatIterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	return it.s.ts[it.i], nil
}
func (it *floatIterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return it.s.ts[it.i], nil
}
func (it *floatIterator) AtT() int64 { return it.s.ts[it.i] }
func (*floatIterator) AtST() int64   { return 0 }
func (*floatIterator) Err() error    { return nil }

// seriesList is a storage.SeriesSet over series in the given order.
type seriesList struct {
	series []*floatSeries
	i      int
}

func (l *seriesList) Next() bool {
	if l.i < len(l.series) {
		l.i++
	}
	return l.i < len(l.series)
}
func (l *seriesList) At() storage.Series              { return l.series[l.i] }
func (*seriesList) Err() error                        { return nil }
func (*seriesList) Warnings() annotations.Annotations { return nil }
