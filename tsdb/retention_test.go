package tsdb

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func TestRetentionDropsOldChunksAndEmptySeries(t *testing.T) {
	clock := &fakeClock{}
	clock.Set(time.UnixMilli(0))
	db := openTestDB(t, Options{Retention: time.Hour, Now: clock.Now})
	a := labels.FromStrings("__name__", "a", "job", "keep")
	b := labels.FromStrings("__name__", "b", "job", "drop")
	sa := ramp(0, 10, 300, 0) // chunks [0,1190] [1200,2390] and open [2400,2990]
	appendOK(t, db, spec(a, sa...), spec(b, Sample{0, 1}, Sample{500, 2}))
	require.Equal(t, int64(4), db.head.numChunks.Load())

	clock.Set(time.UnixMilli(1500).Add(time.Hour)) // cutoff 1500
	db.applyRetention()

	require.Equal(t, 1, db.NumSeries())
	require.Equal(t, int64(2), db.head.numChunks.Load())
	requireSameSamples(t, []gotSeries{{a.String(), sa[120:]}}, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
	q, err := db.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	values, _, err := q.LabelValues(context.Background(), "job", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"keep"}, values, "the dropped series left the postings")

	// The dropped series starts over under a new ref, without its old state.
	res := appendOK(t, db, spec(b, Sample{100, 3}))
	require.Equal(t, AppendResult{Appended: 1}, res)
	require.Equal(t, 2, db.NumSeries())
}

func TestRetentionLoopRunsAtOpenAndStopsAtClose(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir})
	appendOK(t, db, spec(labels.FromStrings("__name__", "old"), ramp(0, 1000, 10, 0)...))
	require.NoError(t, db.Close())

	clock := &fakeClock{}
	clock.Set(time.UnixMilli(0).Add(48 * time.Hour))
	db = openTestDB(t, Options{Dir: dir, Retention: 24 * time.Hour, Now: clock.Now})
	deadline := time.Now().Add(10 * time.Second)
	for db.NumSeries() != 0 {
		require.True(t, time.Now().Before(deadline), "retention did not run")
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, db.Close()) // returns once the loop has stopped
}
