package tsdb

import (
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"testing"
	"unsafe"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb/wal"
)

// nopLog is a recordLog that keeps nothing.
type nopLog struct{}

func (nopLog) Log(...[]byte) error { return nil }

// headOver is a storage.Queryable over a bare head.
type headOver struct{ h *head }

func (q headOver) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{h: q.h, mint: mint, maxt: maxt}, nil
}

// testHead is a head over a WAL in dir, restored as the DB restores it
// (checkpoint, then the segments after it), without the DB.
type testHead struct {
	h      *head
	w      *wal.Log
	dir    string
	replay *replayer // what the replay at open did
}

// openTestHead opens a head and its WAL in dir with an out-of-order window
// and a minValidTime (math.MinInt64 for none), which it treats as the end of
// the blocks: it truncates the head there after the replay. The WAL is
// closed when the test ends unless the test closed it.
func openTestHead(t testing.TB, dir string, window, minValid int64) *testHead {
	t.Helper()
	h := newHead(4)
	h.oooWindow = window
	h.setMinValidTime(minValid)
	segment, ok, err := h.loadCheckpoint(dir)
	require.NoError(t, err)
	r := newReplayer(h)
	opts := wal.Options{Logger: slog.New(slog.DiscardHandler)}
	if ok {
		opts.ReplayFrom = segment
	}
	w, err := wal.Open(dir, opts, r.record)
	require.NoError(t, err)
	r.finish(slog.New(slog.DiscardHandler))
	if minValid > math.MinInt64 {
		h.truncateBefore(minValid)
	}
	th := &testHead{h: h, w: w, dir: dir, replay: r}
	t.Cleanup(func() { _ = w.Close() })
	return th
}

func (th *testHead) append(t testing.TB, series ...seriesSpec) AppendResult {
	t.Helper()
	res, err := th.h.appendBatch(batchOf(series...), th.w)
	require.NoError(t, err)
	return res
}

// dumpSource reads a SeriesSet to the end.
func dumpSource(t testing.TB, set storage.SeriesSet) []gotSeries {
	t.Helper()
	var out []gotSeries
	var it chunkenc.Iterator
	for set.Next() {
		s := set.At()
		it = s.Iterator(it)
		out = append(out, gotSeries{Labels: s.Labels().String(), Samples: readSamples(t, it)})
	}
	require.NoError(t, set.Err())
	return out
}

// dumpHead returns every sample of the head, by blockSource.
func dumpHead(t testing.TB, h *head) []gotSeries {
	t.Helper()
	return dumpSource(t, h.blockSource(math.MinInt64, math.MaxInt64))
}

// seriesState is what validation knows of a series.
type seriesState struct {
	Ref     storage.SeriesRef
	LastT   int64
	LastV   uint64
	HasLast bool
	OOO     [][2]uint64 // out-of-order samples: time and value bits
}

// statesOf returns the validation state of every series, by labels.
func statesOf(h *head) map[string]seriesState {
	out := map[string]seriesState{}
	for i := range h.shards {
		sh := &h.shards[i]
		sh.appendMu.Lock()
		for _, s := range sh.byRef {
			st := seriesState{s.ref, s.lastT, math.Float64bits(s.lastV), s.hasLast, nil}
			for _, smp := range s.oooSamples() {
				st.OOO = append(st.OOO, [2]uint64{uint64(smp.T), math.Float64bits(smp.V)})
			}
			out[h.labelsOf(s).String()] = st
		}
		sh.appendMu.Unlock()
	}
	return out
}

func TestBlockSourceSortsTrimsAndMergesOutOfOrder(t *testing.T) {
	h := newHead(8)
	h.oooWindow = 2000
	lsets := []labels.Labels{
		labels.FromStrings("__name__", "z"),
		labels.FromStrings("__name__", "a", "i", "2"),
		labels.FromStrings("__name__", "a", "i", "10"),
		labels.FromStrings("__name__", "m"),
		labels.FromStrings("__name__", "old"),
	}
	for i, lset := range lsets[:4] {
		_, err := h.appendBatch(batchOf(spec(lset, ramp(0, 10, 300, float64(i))...)), nopLog{})
		require.NoError(t, err)
	}
	_, err := h.appendBatch(batchOf(spec(lsets[4], Sample{T: 5, V: 1})), nopLog{})
	require.NoError(t, err)
	res, err := h.appendBatch(batchOf(spec(lsets[3], Sample{T: 2995, V: -1}, Sample{T: 1005, V: -2}, Sample{T: 2005, V: -3})), nopLog{})
	require.NoError(t, err)
	require.Equal(t, AppendResult{Appended: 3}, res)

	want := func(lset labels.Labels, v0 float64, extra ...Sample) gotSeries {
		var samples []Sample
		for _, s := range ramp(0, 10, 300, v0) {
			if s.T >= 1000 && s.T <= 2999 {
				samples = append(samples, s)
			}
		}
		for _, e := range extra {
			i := 0
			for i < len(samples) && samples[i].T < e.T {
				i++
			}
			samples = append(samples[:i], append([]Sample{e}, samples[i:]...)...)
		}
		return gotSeries{Labels: lset.String(), Samples: samples}
	}
	set := h.blockSource(1000, 2999)
	// Lazy: a sample appended after the set was made, to a series it has
	// not reached, is read; a series emptied meanwhile is skipped.
	res, err = h.appendBatch(batchOf(spec(lsets[0], Sample{T: 2001, V: 9})), nopLog{})
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
	h.truncateBefore(6) // drops "old"
	var got []storage.Series
	for set.Next() {
		got = append(got, set.At())
	}
	require.NoError(t, set.Err())
	// Every series stays iterable after Next.
	var gotDump []gotSeries
	for _, s := range got {
		gotDump = append(gotDump, gotSeries{s.Labels().String(), readSamples(t, s.Iterator(nil))})
	}
	requireSameSamples(t, []gotSeries{
		want(lsets[2], 2), // {a, i=10} < {a, i=2}
		want(lsets[1], 1),
		want(lsets[3], 3, Sample{T: 1005, V: -2}, Sample{T: 2005, V: -3}, Sample{T: 2995, V: -1}),
		want(lsets[0], 0, Sample{T: 2001, V: 9}),
	}, gotDump)
}

func TestBlockSourceIteratorSeeksAcrossOutOfOrder(t *testing.T) {
	h := newHead(1)
	h.oooWindow = math.MaxInt64
	lset := labels.FromStrings("__name__", "m")
	var all []Sample
	for i := range 400 {
		all = append(all, Sample{T: int64(i * 10), V: float64(i)})
	}
	var late []Sample
	for i := range 400 { // one late sample between every two, in reverse
		late = append(late, Sample{T: int64((399-i)*10 + 5), V: -float64(i)})
	}
	_, err := h.appendBatch(batchOf(spec(lset, all...)), nopLog{})
	require.NoError(t, err)
	res, err := h.appendBatch(batchOf(spec(lset, late...)), nopLog{})
	require.NoError(t, err)
	require.Equal(t, 400, res.Appended)
	merged := append(append([]Sample(nil), all...), late...)
	slicesSortByT(merged)
	set := h.blockSource(math.MinInt64, math.MaxInt64)
	require.True(t, set.Next())
	rng := newTestRand()
	for range 50 {
		compareSteps(t, set.At().Iterator(nil), merged, rng)
	}
	requireSameSamples(t, []gotSeries{{lset.String(), merged}}, selectAll(t, headOver{h}, math.MinInt64, math.MaxInt64, nil, anySeries))
}

// TestHeadBytesPerSeries measures the heap a head holds per series of 10
// samples (labels of three pairs, postings, maps, chunk): a figure, not a
// bound, logged with -v.
func TestHeadBytesPerSeries(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a measurement; -race distorts it")
	}
	const n = 100_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := newHead(16)
	b := &Batch{}
	for i := range n {
		bs := b.Next()
		bs.Labels = labels.FromStrings("__name__", "http_requests_total", "instance", fmt.Sprintf("host-%d", i%1000), "path", fmt.Sprintf("/api/%d", i))
		bs.Samples = append(bs.Samples, ramp(0, 15_000, 10, float64(i))...)
		if len(b.Series) == 1000 {
			res, err := h.appendBatch(b, nopLog{})
			require.NoError(t, err)
			require.Equal(t, 10_000, res.Appended)
			b.Reset()
		}
	}
	b = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	perSeries := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("head heap: %.0f bytes/series (%d series × 10 samples; memSeries %d bytes)", perSeries, h.numSeries.Load(), unsafe.Sizeof(memSeries{}))
	runtime.KeepAlive(h)
}
