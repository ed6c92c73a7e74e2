package tsdb

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb/block"
)

const (
	minute = int64(time.Minute / time.Millisecond)
	hour   = 60 * minute
)

// mixedSeries returns three series over [0, span) every 10 s: a counter
// with a reset, a gauge with NaN, ±Inf and a stale marker, and a constant.
func mixedSeries(span int64) []seriesSpec {
	var counter, gauge, constant []Sample
	for t := int64(0); t < span; t += 10_000 {
		i := t / 10_000
		counter = append(counter, Sample{T: t, V: float64(i%500) * 3})
		v := float64(i%97) / 4
		switch i % 211 {
		case 7:
			v = math.NaN()
		case 8:
			v = math.Inf(1)
		case 9:
			v = math.Inf(-1)
		case 10:
			v = math.Float64frombits(value.StaleNaN)
		}
		gauge = append(gauge, Sample{T: t, V: v})
		constant = append(constant, Sample{T: t, V: 42})
	}
	return []seriesSpec{
		spec(labels.FromStrings("__name__", "requests_total", "job", "api"), counter...),
		spec(labels.FromStrings("__name__", "temperature", "job", "api"), gauge...),
		spec(labels.FromStrings("__name__", "up", "job", "api"), constant...),
	}
}

// wantOf is what a query over everything should return for specs.
func wantOf(specs []seriesSpec) []gotSeries {
	out := make([]gotSeries, len(specs))
	for i, s := range specs {
		out[i] = gotSeries{Labels: s.lset.String(), Samples: s.samples}
	}
	return out
}

func selectEverything(t testing.TB, db *DB) []gotSeries {
	return selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries)
}

func TestFlushCutsTheHeadIntoAlignedBlocks(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	specs := mixedSeries(3*hour + 30*minute)
	appendOK(t, db, specs...)

	meta, err := db.Flush(context.Background())
	require.NoError(t, err)
	require.Equal(t, 3*hour, meta.MinT)
	require.Equal(t, 3*hour+30*minute-10_000, meta.MaxT)
	var ranges [][2]int64
	for _, m := range db.Blocks() {
		ranges = append(ranges, [2]int64{m.MinT, m.MaxT})
		require.DirExists(t, filepath.Join(dir, "blocks", m.ID))
	}
	require.Equal(t, [][2]int64{{0, hour - 10_000}, {hour, 2*hour - 10_000}, {2 * hour, 3*hour - 10_000}, {3 * hour, 3*hour + 30*minute - 10_000}}, ranges)
	require.Equal(t, 0, db.NumSeries(), "every series is in blocks and the head let them go")
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))

	// The head refuses what the blocks hold, and takes what comes after.
	res := appendOK(t, db, spec(specs[0].lset, Sample{T: hour, V: 1}, Sample{T: 4 * hour, V: 1500}))
	require.Equal(t, 1, res.Appended)
	require.Equal(t, 1, res.OutOfOrder)
	require.True(t, errors.Is(res.FirstError, storage.ErrOutOfBounds), "%v", res.FirstError)
	specs[0].samples = append(specs[0].samples, Sample{T: 4 * hour, V: 1500})
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))

	require.NoError(t, db.Close())
	db = openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
	require.Len(t, db.Blocks(), 4)
}

func TestFlushOfAnEmptyHeadWritesNoBlock(t *testing.T) {
	db := openTestDB(t, Options{})
	meta, err := db.Flush(context.Background())
	require.NoError(t, err)
	require.Equal(t, block.Meta{}, meta)
	require.Empty(t, db.Blocks())
}

func TestMaintenanceCutsAllButTheNewestHalfRange(t *testing.T) {
	db := openTestDB(t, Options{BlockDuration: time.Hour})
	specs := mixedSeries(2*hour + 10*minute)
	appendOK(t, db, specs...)
	db.maintain(nil)

	metas := db.Blocks()
	require.Len(t, metas, 1)
	require.Equal(t, int64(0), metas[0].MinT)
	require.Equal(t, hour-10_000, metas[0].MaxT)
	mint, _, ok := db.head.timeRange()
	require.True(t, ok)
	require.Equal(t, hour, mint)
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
}

func TestQueriesReadOnlyTheBlocksInRange(t *testing.T) {
	db := openTestDB(t, Options{BlockDuration: time.Hour})
	specs := mixedSeries(3 * hour)
	appendOK(t, db, specs...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	// A closed block fails any query that reads it: the first hour's block
	// is closed, and a query of the second hour does not notice.
	require.NoError(t, db.blocks.list()[0].Close())

	want := []gotSeries{{specs[2].lset.String(), specs[2].samples[(hour+5*minute)/10_000 : (hour+6*minute)/10_000+1]}}
	requireSameSamples(t, want, selectAll(t, db, hour+5*minute, hour+6*minute, nil, eq("__name__", "up")))

	q, err := db.Querier(0, 10)
	if err == nil {
		set := q.Select(context.Background(), true, nil, anySeries)
		for set.Next() {
		}
		err = errors.Join(set.Err(), q.Close())
	}
	require.Error(t, err, "the first hour's block was read")
}

// TestQuerierOpenedBeforeACutSeesEverything: a querier takes its list of
// blocks when it is made. A cut that adds a block after that must not
// truncate the head under it: the cut waits for the querier to close.
func TestQuerierOpenedBeforeACutSeesEverything(t *testing.T) {
	db := openTestDB(t, Options{BlockDuration: time.Hour})
	specs := mixedSeries(2 * hour)
	appendOK(t, db, specs...)
	q, err := db.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)

	flushed := make(chan error, 1)
	go func() {
		_, err := db.Flush(context.Background())
		flushed <- err
	}()
	// Wait for the cut to add its first block: then it waits for q.
	deadline := time.Now().Add(10 * time.Second)
	for len(db.Blocks()) == 0 {
		require.True(t, time.Now().Before(deadline), "the flush added no block")
		time.Sleep(time.Millisecond)
	}
	set := q.Select(context.Background(), true, nil, anySeries)
	var got []gotSeries
	var it chunkenc.Iterator
	for set.Next() {
		it = set.At().Iterator(it)
		got = append(got, gotSeries{Labels: set.At().Labels().String(), Samples: readSamples(t, it)})
	}
	require.NoError(t, set.Err())
	requireSameSamples(t, wantOf(specs), got)
	require.NoError(t, q.Close())
	require.NoError(t, <-flushed)
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
}

func TestCorruptBlockIsQuarantinedAndTheRestServed(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	specs := mixedSeries(2 * hour)
	appendOK(t, db, specs...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	bad := db.Blocks()[0].ID
	require.NoError(t, db.Close())

	chunks := filepath.Join(dir, "blocks", bad, "chunks")
	data, err := os.ReadFile(chunks)
	require.NoError(t, err)
	data[len(data)/2] ^= 0x40
	require.NoError(t, os.WriteFile(chunks, data, 0o644))

	reg := prometheus.NewRegistry()
	db = openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour, Registerer: reg})
	require.Equal(t, 1.0, testutil.ToFloat64(db.metrics.corruptBlocks))
	require.DirExists(t, filepath.Join(dir, "quarantine", bad))
	require.NoDirExists(t, filepath.Join(dir, "blocks", bad))
	require.Len(t, db.Blocks(), 1)
	for i := range specs {
		specs[i].samples = specs[i].samples[len(specs[i].samples)/2:] // the second hour
	}
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
}

// crashCopy copies a live store's directory, as a crash would leave it
// (every acknowledged batch is in the WAL: the tests fsync every batch),
// without the lock.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS(dir)))
	return dst
}

func TestCrashAfterCutReplaysNothingTwice(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	specs := mixedSeries(2*hour + 10*minute)
	appendOK(t, db, specs[:2]...)
	appendOK(t, db, specs[2])
	db.maintainMu.Lock()
	_, err := db.maybeCut() // a cut, but no checkpoint yet: the WAL still holds the block's samples
	db.maintainMu.Unlock()
	require.NoError(t, err)
	require.Len(t, db.Blocks(), 1)

	crashed := openTestDB(t, Options{Dir: crashCopy(t, dir), BlockDuration: time.Hour})
	requireSameSamples(t, wantOf(specs), selectEverything(t, crashed))

	// After a checkpoint the WAL before it is gone, and a crash still
	// loses nothing.
	db.maintainMu.Lock()
	require.NoError(t, db.checkpoint())
	db.maintainMu.Unlock()
	more := spec(specs[0].lset, Sample{T: 3 * hour, V: 7})
	appendOK(t, db, more)
	specs[0].samples = append(specs[0].samples, more.samples...)
	crashed = openTestDB(t, Options{Dir: crashCopy(t, dir), BlockDuration: time.Hour})
	requireSameSamples(t, wantOf(specs), selectEverything(t, crashed))
}

// TestCloseWaitsForAFlush: Close during a Flush waits for it (or the flush
// sees ErrClosed): never a block added after the blocks were closed, never
// a deadlock, and everything is there after a restart.
func TestCloseWaitsForAFlush(t *testing.T) {
	for range 20 {
		dir := t.TempDir()
		db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
		specs := mixedSeries(3 * hour)
		appendOK(t, db, specs...)
		flushed := make(chan error, 1)
		go func() {
			_, err := db.Flush(context.Background())
			flushed <- err
		}()
		require.NoError(t, db.Close())
		if err := <-flushed; err != nil {
			require.ErrorIs(t, err, ErrClosed)
		}
		db = openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
		requireSameSamples(t, wantOf(specs), selectEverything(t, db))
		require.NoError(t, db.Close())
	}
}

// TestAFarSampleCostsOneBlock: samples years apart are two blocks, not one
// per empty window between them, and a sample from the future never makes
// maintenance cut the present.
func TestAFarSampleCostsOneBlock(t *testing.T) {
	clock := &fakeClock{}
	clock.Set(time.UnixMilli(1000 * 24 * hour))
	db := openTestDB(t, Options{BlockDuration: time.Hour, Now: clock.Now})
	x := labels.FromStrings("__name__", "x")
	y := labels.FromStrings("__name__", "y")
	now := clock.Now().UnixMilli()
	appendOK(t, db, spec(x, Sample{T: 0, V: 1}), spec(y, Sample{T: now, V: 2}, Sample{T: now + 365*24*hour, V: 3}))

	db.maintain(nil)
	require.Equal(t, [][3]int64{{0, 0, 1}}, blockRanges(db), "the future sample counts as now")
	res := appendOK(t, db, spec(y, Sample{T: now + 365*24*hour + 1, V: 4}), spec(x, Sample{T: now - 10_000, V: 5}))
	require.Equal(t, 2, res.Appended, "the present is still in the head: %v", res.FirstError)

	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	require.Len(t, db.Blocks(), 4, "0, the hour before now, now and a year ahead: one block each")
	requireSameSamples(t, []gotSeries{
		{x.String(), []Sample{{0, 1}, {now - 10_000, 5}}},
		{y.String(), []Sample{{now, 2}, {now + 365*24*hour, 3}, {now + 365*24*hour + 1, 4}}},
	}, selectEverything(t, db))
}
