package tsdb

import (
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

func TestAppendOutOfBounds(t *testing.T) {
	h := newHead(4)
	h.oooWindow = 1000
	known := labels.FromStrings("__name__", "known")
	_, err := h.appendBatch(batchOf(spec(known, Sample{1500, 1})), nopLog{})
	require.NoError(t, err)
	h.setMinValidTime(1000)
	require.Equal(t, int64(1000), h.minValidTime())
	h.setMinValidTime(10) // never lowered
	require.Equal(t, int64(1000), h.minValidTime())

	onlyOld := labels.FromStrings("__name__", "only_old")
	mixed := labels.FromStrings("__name__", "mixed")
	res, err := h.appendBatch(batchOf(
		spec(onlyOld, Sample{999, 1}, Sample{5, 1}),
		spec(known, Sample{900, 2}, Sample{1600, 2}), // 900 is inside the window, below the bound
		spec(mixed, Sample{10, 3}, Sample{1000, 3}),
	), nopLog{})
	require.NoError(t, err)
	require.Equal(t, AppendResult{Appended: 2, OutOfOrder: 4}, withoutError(res))
	var se *SampleError
	require.ErrorAs(t, res.FirstError, &se)
	require.Equal(t, storage.ErrOutOfBounds, se.Err)
	require.Equal(t, onlyOld.String(), se.Labels.String())
	require.Equal(t, int64(999), se.T)

	// The series with no sample in bounds was never created.
	require.Equal(t, int64(2), h.numSeries.Load())
	require.NotContains(t, statesOf(h), onlyOld.String())
	requireSameSamples(t, []gotSeries{
		{known.String(), []Sample{{1500, 1}, {1600, 2}}},
		{mixed.String(), []Sample{{1000, 3}}},
	}, dumpHead(t, h))
}

// TestSetMinValidTimeWaitsForAppendsInFlight holds a shard's appendMu, as an
// appender between validation and apply does, and checks that
// setMinValidTime publishes the bound at once but returns only after.
func TestSetMinValidTimeWaitsForAppendsInFlight(t *testing.T) {
	h := newHead(4)
	h.shards[2].appendMu.Lock()
	done := make(chan struct{})
	go func() {
		h.setMinValidTime(50)
		close(done)
	}()
	for h.minValidTime() != 50 { // the store comes before the barrier
		runtime.Gosched()
	}
	select {
	case <-done:
		t.Fatal("setMinValidTime returned while an append was in flight")
	default:
	}
	h.shards[2].appendMu.Unlock()
	<-done
}

func TestTruncateBeforeCollectsSeries(t *testing.T) {
	h := newHead(4)
	h.oooWindow = 10_000
	a := labels.FromStrings("__name__", "a", "job", "keep")
	b := labels.FromStrings("__name__", "b", "job", "drop")
	c := labels.FromStrings("__name__", "c", "job", "late")
	sa := ramp(0, 10, 300, 0) // chunks [0,1190] [1200,2390] and open [2400,2990]
	_, err := h.appendBatch(batchOf(spec(a, sa...), spec(b, Sample{0, 1}, Sample{500, 2}), spec(c, Sample{3000, 1})), nopLog{})
	require.NoError(t, err)
	_, err = h.appendBatch(batchOf(spec(c, Sample{1000, 2}, Sample{2000, 3})), nopLog{}) // out of order
	require.NoError(t, err)
	require.Equal(t, int64(5), h.numChunks.Load())
	oldRef := statesOf(h)[b.String()].Ref

	h.setMinValidTime(1500)
	chunks, series := h.truncateBefore(1500)
	require.Equal(t, 2, chunks) // a's first, b's open
	require.Equal(t, 1, series) // b
	require.Equal(t, int64(3), h.numChunks.Load())
	require.Equal(t, int64(2), h.numSeries.Load())
	require.Equal(t, [][2]uint64{{2000, math.Float64bits(3)}}, statesOf(h)[c.String()].OOO)

	// Reads start at the cut, even inside a chunk that straddles it and
	// without trimming.
	wantA := gotSeries{a.String(), sa[150:]}
	wantC := gotSeries{c.String(), []Sample{{2000, 3}, {3000, 1}}}
	requireSameSamples(t, []gotSeries{wantA, wantC}, dumpHead(t, h))
	requireSameSamples(t, []gotSeries{wantA, wantC}, selectAll(t, headOver{h}, 0, math.MaxInt64, nil, anySeries))
	noTrim := &storage.SelectHints{Start: 0, End: 1600, DisableTrimming: true}
	got := selectAll(t, headOver{h}, 0, 1600, noTrim, anySeries)
	require.Len(t, got, 1)
	require.Equal(t, int64(1500), got[0].Samples[0].T)
	mint, maxt, ok := h.timeRange()
	require.Equal(t, []any{int64(1500), int64(3000), true}, []any{mint, maxt, ok})

	q, _ := headOver{h}.Querier(math.MinInt64, math.MaxInt64)
	values, _, err := q.LabelValues(context.Background(), "job", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"keep", "late"}, values, "the dropped series left the postings")

	// The collected series comes back anew, under a new ref.
	res, err := h.appendBatch(batchOf(spec(b, Sample{1400, 9}, Sample{1600, 3})), nopLog{})
	require.NoError(t, err)
	require.Equal(t, AppendResult{Appended: 1, OutOfOrder: 1}, withoutError(res))
	st := statesOf(h)[b.String()]
	require.NotEqual(t, oldRef, st.Ref)
	require.Equal(t, int64(1600), st.LastT)
	require.Equal(t, int64(3), h.numSeries.Load())
}

func TestTimeRangeOfAnEmptyHead(t *testing.T) {
	h := newHead(1)
	_, _, ok := h.timeRange()
	require.False(t, ok)
	_, err := h.appendBatch(batchOf(spec(labels.FromStrings("a", "b"), Sample{5, 1}, Sample{9, 1})), nopLog{})
	require.NoError(t, err)
	mint, maxt, ok := h.timeRange()
	require.Equal(t, []any{int64(5), int64(9), true}, []any{mint, maxt, ok})
	h.setMinValidTime(10)
	h.truncateBefore(10)
	_, _, ok = h.timeRange()
	require.False(t, ok)
	require.Equal(t, int64(0), h.numSeries.Load())
}

// TestRemovedSeriesSlotIsReusedAfterGrace checks that the slot of a series
// removed by truncateBefore is not handed out again before the next
// truncateBefore (a block source listed before the removal may still read
// it), and is reused after, zeroed.
func TestRemovedSeriesSlotIsReusedAfterGrace(t *testing.T) {
	h := newHead(1)
	old := labels.FromStrings("__name__", "m", "pod", "old")
	live := labels.FromStrings("__name__", "m", "pod", "live")
	_, err := h.appendBatch(batchOf(spec(old, ramp(0, 10, 150, 0)...), spec(live, Sample{T: 10, V: 1}, Sample{T: 5000, V: 2})), nopLog{})
	require.NoError(t, err)
	removed := findSeries(h, old)
	require.NotNil(t, removed)
	h.setMinValidTime(3000)
	_, series := h.truncateBefore(3000)
	require.Equal(t, 1, series)
	require.Nil(t, findSeries(h, old))

	first := labels.FromStrings("__name__", "m", "pod", "first")
	_, err = h.appendBatch(batchOf(spec(first, Sample{T: 6000, V: 1})), nopLog{})
	require.NoError(t, err)
	require.NotSame(t, removed, findSeries(h, first), "reused before the grace period")

	h.truncateBefore(3000)
	second := labels.FromStrings("__name__", "m", "pod", "second")
	_, err = h.appendBatch(batchOf(spec(second, Sample{T: 7000, V: 3})), nopLog{})
	require.NoError(t, err)
	require.Same(t, removed, findSeries(h, second), "not reused after the grace period")
	require.Empty(t, removed.closed)
	require.False(t, removed.hasOOO(math.MinInt64, math.MaxInt64))
	requireSameSamples(t, []gotSeries{
		{first.String(), []Sample{{6000, 1}}},
		{live.String(), []Sample{{5000, 2}}},
		{second.String(), []Sample{{7000, 3}}},
	}, dumpHead(t, h))
}
