package tsdb

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRetentionDeletesWholeExpiredBlocksAndKeepsTheHead(t *testing.T) {
	clock := &fakeClock{}
	db := openTestDB(t, Options{BlockDuration: time.Hour, Retention: 90 * time.Minute, Now: clock.Now})
	specs := mixedSeries(3 * hour)
	appendOK(t, db, specs...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	old := spec(specs[0].lset, Sample{T: 3 * hour, V: 1}) // in the head
	appendOK(t, db, old)

	clock.Set(time.UnixMilli(3*hour + 10_000)) // cutoff 1h30m+10s: the first block ends before it
	db.maintain(nil)
	require.Equal(t, [][3]int64{{hour, 2*hour - 10_000, 1}, {2 * hour, 3*hour - 10_000, 1}}, blockRanges(db))

	clock.Set(time.UnixMilli(100 * hour)) // every block expired; the head stays
	db.maintain(nil)
	require.Empty(t, db.Blocks())
	requireSameSamples(t, wantOf([]seriesSpec{old}), selectEverything(t, db))
}

func TestRetentionBySizeDeletesTheOldestBlocks(t *testing.T) {
	db := openTestDB(t, Options{BlockDuration: time.Hour})
	appendOK(t, db, mixedSeries(4*hour)...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	sizes := map[int64]int64{}
	for _, b := range db.blocks.list() {
		sizes[b.Meta().MinT] = b.Size()
	}
	// Room for the WAL and the two newest blocks, not three.
	db.opts.RetentionSize = db.wal.Size() + sizes[2*hour] + sizes[3*hour] + sizes[hour]/2
	db.maintain(nil)
	require.Equal(t, [][3]int64{{2 * hour, 3*hour - 10_000, 1}, {3 * hour, 4*hour - 10_000, 1}}, blockRanges(db))
}

func TestMaintenanceLoopRunsAtOpenAndStopsAtClose(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	appendOK(t, db, mixedSeries(2*hour)...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	require.NoError(t, db.Close())

	clock := &fakeClock{}
	clock.Set(time.UnixMilli(0).Add(48 * time.Hour))
	db, err = Open(Options{Dir: dir, BlockDuration: time.Hour, Retention: 24 * time.Hour, Now: clock.Now,
		Logger: slog.New(slog.DiscardHandler)}) // with its maintenance loop, unlike openTestDB's
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() }) // if the wait fails; a second Close only reports ErrClosed
	deadline := time.Now().Add(10 * time.Second)
	for len(db.Blocks()) != 0 {
		require.True(t, time.Now().Before(deadline), "retention did not run")
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, db.Close()) // returns once the loop has stopped
}
