package block

import (
	"math"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

// staleNaN is Prometheus' stale marker.
var staleNaN = math.Float64frombits(0x7ff0000000000002)

// roundTripSeries covers the values and shapes a block must keep bit for bit.
func roundTripSeries() []*testSeries {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), staleNaN, 0, math.Copysign(0, -1),
		math.MaxFloat64, math.SmallestNonzeroFloat64, -1.5, math.Float64frombits(0x7ff8000000000001)}
	series := []*testSeries{
		regular(labels.FromStrings("__name__", "special"), 1000, 15000, len(special), func(i int) float64 { return special[i] }),
		regular(labels.FromStrings("__name__", "counter"), -50000, 15000, 3000, func(i int) float64 { return float64(i % 700 * 3) }),
		regular(labels.FromStrings("__name__", "one"), 42, 1, 1, func(int) float64 { return 7 }),
		regular(labels.FromStrings("__name__", "long"), 0, 1000, 50000, func(i int) float64 { return math.Sin(float64(i)) * 1e6 }),
		regular(labels.FromStrings("__name__", "jitter"), 5, 0, 0, nil),
	}
	series[4] = &testSeries{lset: labels.FromStrings("__name__", "jitter")}
	for i := range 500 {
		series[4].ts = append(series[4].ts, int64(i*15000+i%7*13))
		series[4].vs = append(series[4].vs, float64(i)*0.1)
	}
	for i := range 2000 {
		series = append(series, regular(labels.FromStrings("__name__", "many", "i", strconv.Itoa(i), "job", "j"+strconv.Itoa(i%7)),
			int64(i), 15000, 1+i%40, func(k int) float64 { return float64(i * k) }))
	}
	sortSeries(series)
	return series
}

func TestRoundTrip(t *testing.T) {
	series := roundTripSeries()
	withEmpty := append([]*testSeries{{lset: labels.FromStrings("__name__", "aaa_empty")}}, series...)
	for _, opts := range []WriteOptions{{}, {MaxChunkSamples: 100, PageSize: 1 << 10}} {
		b, meta := writeOpen(t, withEmpty, opts)
		require.Equal(t, meta, b.Meta())
		var samples uint64
		mint, maxt := int64(math.MaxInt64), int64(math.MinInt64)
		for _, s := range series {
			samples += uint64(len(s.ts))
			mint, maxt = min(mint, s.ts[0]), max(maxt, s.ts[len(s.ts)-1])
		}
		require.Equal(t, uint64(len(series)), meta.NumSeries)
		require.Equal(t, samples, meta.NumSamples)
		require.Equal(t, mint, meta.MinT)
		require.Equal(t, maxt, meta.MaxT)
		require.Equal(t, 1, meta.Level)
		require.Equal(t, "b1", meta.ID)
		require.Greater(t, b.Size(), meta.Index.Size+meta.Chunks.Size)

		q, err := b.Querier(math.MinInt64, math.MaxInt64)
		require.NoError(t, err)
		t.Cleanup(func() { q.Close() })
		requireSameSeries(t, series, readAll(t, q, nil))
	}
}

func TestChunkSplitting(t *testing.T) {
	s := regular(labels.FromStrings("a", "b"), 0, 10, 50000, func(i int) float64 { return float64(i) })
	_, meta := writeOpen(t, []*testSeries{s}, WriteOptions{})
	require.Equal(t, uint64(25), meta.NumChunks) // ceil(50000/2048)
	_, meta = writeOpen(t, []*testSeries{s}, WriteOptions{MaxChunkSamples: 1000})
	require.Equal(t, uint64(50), meta.NumChunks)
}

func TestSelectRange(t *testing.T) {
	series := roundTripSeries()
	b, _ := writeOpen(t, series, WriteOptions{MaxChunkSamples: 64, PageSize: 4 << 10})
	for _, r := range [][2]int64{{0, 0}, {1000, 1000}, {-100000, 10}, {15001, 300000}, {1000000, 49000000}, {60000000, 70000000}} {
		q, err := b.Querier(r[0], r[1])
		require.NoError(t, err)
		t.Cleanup(func() { q.Close() })
		// A series whose chunk overlaps the range without a sample in it is
		// returned empty: Select reads no chunk. trimmed drops it.
		requireSameSeries(t, trimmed(series, r[0], r[1]), trimmed(readAll(t, q, nil), r[0], r[1]))
		// Hints narrow the querier's range.
		got := readAll(t, q, &storage.SelectHints{Start: r[0] + 5000, End: r[1]})
		requireSameSeries(t, trimmed(series, r[0]+5000, r[1]), trimmed(got, math.MinInt64, math.MaxInt64))
	}
}

func TestSelectHints(t *testing.T) {
	series := roundTripSeries()
	b, _ := writeOpen(t, series, WriteOptions{MaxChunkSamples: 64})
	q, err := b.Querier(100000, 200000)
	require.NoError(t, err)
	defer q.Close()
	want := trimmed(series, 100000, 200000)
	require.Len(t, readAll(t, q, nil), len(want)) // no series without samples in range here

	// Without trimming: every sample of the chosen chunks, a superset.
	untrimmed := readAll(t, q, &storage.SelectHints{DisableTrimming: true})
	require.Len(t, untrimmed, len(want))
	requireSameSeries(t, want, trimmed(untrimmed, 100000, 200000))
	extra := 0
	for i := range untrimmed {
		extra += len(untrimmed[i].ts) - len(want[i].ts)
	}
	require.Positive(t, extra)

	// Func "series": labels only.
	labelsOnly := readAll(t, q, &storage.SelectHints{Func: "series"})
	require.Len(t, labelsOnly, len(want))
	for i := range want {
		require.Equal(t, want[i].lset, labelsOnly[i].lset)
		require.Empty(t, labelsOnly[i].ts)
	}

	// Limit.
	limited := readAll(t, q, &storage.SelectHints{Limit: 3})
	requireSameSeries(t, want[:3], limited)
}

func TestSeek(t *testing.T) {
	s := regular(labels.FromStrings("a", "b"), 0, 10, 10000, func(i int) float64 { return float64(i) })
	b, _ := writeOpen(t, []*testSeries{s}, WriteOptions{MaxChunkSamples: 100, PageSize: 2 << 10})
	q, err := b.Querier(5, 50000)
	require.NoError(t, err)
	defer q.Close()
	set := q.Select(t.Context(), true, nil)
	require.True(t, set.Next())
	it := set.At().Iterator(nil)
	require.Equal(t, chunkenc.ValFloat, it.Seek(0)) // trimmed: first sample is 10
	require.Equal(t, int64(10), it.AtT())
	require.Equal(t, chunkenc.ValFloat, it.Seek(5)) // never moves back
	require.Equal(t, int64(10), it.AtT())
	require.Equal(t, chunkenc.ValFloat, it.Seek(12345))
	tt, v := it.At()
	require.Equal(t, int64(12350), tt)
	require.Equal(t, 1235.0, v)
	require.Equal(t, chunkenc.ValFloat, it.Next())
	require.Equal(t, int64(12360), it.AtT())
	require.Equal(t, chunkenc.ValFloat, it.Seek(12361)) // same chunk
	require.Equal(t, int64(12370), it.AtT())
	require.Equal(t, chunkenc.ValFloat, it.Seek(50000))
	require.Equal(t, int64(50000), it.AtT())
	require.Equal(t, chunkenc.ValNone, it.Next()) // 50010 is past maxt
	require.Equal(t, chunkenc.ValNone, it.Seek(60000))
	require.NoError(t, it.Err())

	it = set.At().Iterator(it)
	require.Equal(t, chunkenc.ValNone, it.Seek(50001))
}

func TestWriteRejects(t *testing.T) {
	a, b := labels.FromStrings("a", "1"), labels.FromStrings("a", "2")
	cases := map[string][]storage.Series{
		"unsorted":   {&testSeries{lset: b, ts: []int64{1}, vs: []float64{1}}, &testSeries{lset: a, ts: []int64{1}, vs: []float64{1}}},
		"duplicate":  {&testSeries{lset: a, ts: []int64{1}, vs: []float64{1}}, &testSeries{lset: a, ts: []int64{2}, vs: []float64{1}}},
		"histogram":  {&histSeries{testSeries{lset: a, ts: []int64{1}, vs: []float64{1}}}},
		"decreasing": {&testSeries{lset: a, ts: []int64{2, 1}, vs: []float64{1, 1}}},
		"equal ts":   {&testSeries{lset: a, ts: []int64{2, 2}, vs: []float64{1, 1}}},
	}
	for name, series := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			_, err := Write(parent, "b", &listSet{series: series, i: -1}, WriteOptions{})
			require.Error(t, err)
			if name == "histogram" {
				require.ErrorContains(t, err, "float samples only")
			}
			requireNoBlock(t, parent, "b")
		})
	}
}

func TestEmptyBlock(t *testing.T) {
	b, meta := writeOpen(t, nil, WriteOptions{})
	require.Equal(t, uint64(0), meta.NumSeries)
	require.Equal(t, int64(0), meta.MinT)
	require.Equal(t, int64(-1), meta.MaxT)
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	require.Empty(t, readAll(t, q, nil))
	names, _, err := q.LabelNames(t.Context(), nil)
	require.NoError(t, err)
	require.Empty(t, names)
	require.NoError(t, q.Close())
}
