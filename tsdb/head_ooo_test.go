package tsdb

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

func slicesSortByT(s []Sample) {
	slices.SortFunc(s, func(a, b Sample) int { return int(a.T - b.T) })
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(3, 4)) }

// TestOutOfOrderVerdicts drives one series through every out-of-order case,
// one batch per step, and checks the verdicts and what queries read.
func TestOutOfOrderVerdicts(t *testing.T) {
	th := openTestHead(t, t.TempDir(), 100, 500)
	m := labels.FromStrings("__name__", "m")
	steps := []struct {
		name    string
		samples []Sample
		want    AppendResult
		errIs   error
	}{
		{"in order, lastT 1000; 990 lands in the open chunk", ramp(900, 10, 11, 0), AppendResult{Appended: 11}, nil},
		{"inside the window", []Sample{{951, 100}}, AppendResult{Appended: 1}, nil},
		{"the same again", []Sample{{955, 7}, {955, 7}, {951, 100}}, AppendResult{Appended: 1, Duplicates: 2}, nil},
		{"other value at an out-of-order sample", []Sample{{951, 101}}, AppendResult{Conflicts: 1}, storage.ErrDuplicateSampleForTimestamp},
		{"other value at a chunk sample", []Sample{{990, 1}}, AppendResult{Conflicts: 1}, storage.ErrDuplicateSampleForTimestamp},
		{"same value at a chunk sample", []Sample{{990, 9}}, AppendResult{Duplicates: 1}, nil},
		{"window edge", []Sample{{900, 0}, {899, 1}}, AppendResult{Duplicates: 1, OutOfOrder: 1}, storage.ErrOutOfOrderSample},
		{"two at one timestamp in one batch, same bits", []Sample{{961, 1}, {961, 1}}, AppendResult{Appended: 1, Duplicates: 1}, nil},
		{"two at one timestamp in one batch, other bits", []Sample{{962, 1}, {962, 2}}, AppendResult{Appended: 1, Conflicts: 1}, storage.ErrDuplicateSampleForTimestamp},
		{"a pending in-order sample", []Sample{{1020, 1}, {1030, 1}, {1020, 1}, {1020, 2}}, AppendResult{Appended: 2, Duplicates: 1, Conflicts: 1}, storage.ErrDuplicateSampleForTimestamp},
	}
	var all []Sample
	for _, step := range steps {
		res := th.append(t, spec(m, step.samples...))
		require.Equal(t, step.want, withoutError(res), step.name)
		if step.errIs == nil {
			require.NoError(t, res.FirstError, step.name)
		} else {
			require.ErrorIs(t, res.FirstError, step.errIs, step.name)
		}
	}
	all = append(ramp(900, 10, 11, 0), Sample{951, 100}, Sample{955, 7}, Sample{961, 1}, Sample{962, 1}, Sample{1020, 1}, Sample{1030, 1})
	slicesSortByT(all)
	requireSameSamples(t, []gotSeries{{m.String(), all}}, selectAll(t, headOver{th.h}, math.MinInt64, math.MaxInt64, nil, anySeries))

	// The window never reaches below minValidTime; later samples move it.
	th.h.setMinValidTime(1000)
	res := th.append(t, spec(m, Sample{990, 5}, Sample{999, 5}, Sample{1001, 5}))
	require.Equal(t, AppendResult{Appended: 1, OutOfOrder: 2}, withoutError(res))
	require.ErrorIs(t, res.FirstError, storage.ErrOutOfBounds)

	// A restart replays the same head (above minValidTime: what is older is
	// in blocks), and judges as before.
	th.h.truncateBefore(1000)
	want, wantStates := dumpHead(t, th.h), statesOf(th.h)
	require.NoError(t, th.w.Close())
	th = openTestHead(t, th.dir, 100, 1000)
	requireSameSamples(t, want, dumpHead(t, th.h))
	require.Equal(t, wantStates, statesOf(th.h))
	res = th.append(t, spec(m, Sample{1001, 5}, Sample{1020, 1}, Sample{1025, 3}, Sample{1025, 4}))
	require.Equal(t, AppendResult{Appended: 1, Duplicates: 2, Conflicts: 1}, withoutError(res))
}

func withoutError(r AppendResult) AppendResult {
	r.FirstError = nil
	return r
}

// TestOutOfOrderReplayIsExact appends random batches with late samples,
// duplicates and conflicts over several series, and checks that a replay
// of the WAL rebuilds the head sample for sample.
func TestOutOfOrderReplayIsExact(t *testing.T) {
	dir := t.TempDir()
	th := openTestHead(t, dir, 300, math.MinInt64)
	rng := rand.New(rand.NewPCG(7, 8))
	var total AppendResult
	for round := range 200 {
		var specs []seriesSpec
		for i := range 1 + rng.IntN(4) {
			lset := labels.FromStrings("__name__", "m", "i", string(rune('a'+(round+i)%5)))
			var samples []Sample
			for range rng.IntN(20) {
				tm := int64(round*50) + rng.Int64N(400) - 300
				samples = append(samples, Sample{T: tm, V: float64(rng.IntN(3))})
			}
			specs = append(specs, spec(lset, samples...))
		}
		res := th.append(t, specs...)
		total.Appended += res.Appended
		total.Duplicates += res.Duplicates
		total.Conflicts += res.Conflicts
		total.OutOfOrder += res.OutOfOrder
	}
	require.Positive(t, total.Duplicates)
	require.Positive(t, total.Conflicts)
	require.Positive(t, total.OutOfOrder)
	want, wantStates := dumpHead(t, th.h), statesOf(th.h)
	n := 0
	for _, s := range want {
		n += len(s.Samples)
		requireIncreasing(t, s.Samples)
	}
	require.Equal(t, total.Appended, n)
	var ooo int
	for _, st := range wantStates {
		ooo += len(st.OOO)
	}
	require.Positive(t, ooo)
	require.NoError(t, th.w.Close())

	th = openTestHead(t, dir, 300, math.MinInt64)
	requireSameSamples(t, want, dumpHead(t, th.h))
	require.Equal(t, wantStates, statesOf(th.h))
}

func requireIncreasing(t testing.TB, samples []Sample) {
	t.Helper()
	for i := 1; i < len(samples); i++ {
		require.Less(t, samples[i-1].T, samples[i].T)
	}
}

// TestOutOfOrderDisabledRejectsAsBefore checks that a zero window keeps the
// in-order rules, and that an in-order series carries no buffer.
func TestOutOfOrderDisabledRejectsAsBefore(t *testing.T) {
	h := newHead(2)
	lset := labels.FromStrings("__name__", "m")
	res, err := h.appendBatch(batchOf(spec(lset, Sample{100, 1}, Sample{99, 1}, Sample{100, 1})), nopLog{})
	require.NoError(t, err)
	require.Equal(t, AppendResult{Appended: 1, OutOfOrder: 1, Duplicates: 1}, withoutError(res))
	var se *SampleError
	require.True(t, errors.As(res.FirstError, &se))
	require.Equal(t, int64(100), se.NewestT)
	require.Nil(t, h.seriesByRef(statesOf(h)[lset.String()].Ref).ooo)
}
