package tsdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

// TestConcurrentAppendersAndQueriers runs appenders that race on shared
// series (same timestamps, different values) next to queriers. Every query
// must see each series in strictly increasing time order, the samples stored
// must be exactly the ones acknowledged as appended, and a replay of the WAL
// must rebuild exactly the head that was acknowledged. Maintenance passes run
// alongside (finding nothing to cut or drop) for the race detector.
func TestConcurrentAppendersAndQueriers(t *testing.T) {
	const appenders, rounds, shared, private = 4, 150, 30, 10
	dir := t.TempDir()
	clock := &fakeClock{} // at the epoch: retention runs but finds nothing old enough
	db := openTestDB(t, Options{Dir: dir, Shards: 4, WALSyncInterval: time.Hour, Retention: time.Hour, Now: clock.Now})

	var appended atomic.Int64
	var appendWG, queryWG sync.WaitGroup
	done := make(chan struct{})
	for a := range appenders {
		appendWG.Go(func() {
			for r := range rounds {
				res, err := db.AppendBatch(raceBatch(a, r, shared, private))
				if err != nil {
					t.Error(err)
					return
				}
				appended.Add(int64(res.Appended))
			}
		})
	}
	for range 2 {
		queryWG.Go(func() { untilDone(t, done, func() error { return checkIncreasing(db) }) })
	}
	// Maintenance takes the appenders' locks.
	queryWG.Go(func() { untilDone(t, done, func() error { db.maintain(nil); return nil }) })
	appendWG.Wait()
	close(done)
	queryWG.Wait()

	want := selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries)
	require.Len(t, want, shared+appenders*private)
	require.Equal(t, appended.Load(), countSamples(want))
	require.NoError(t, db.Close())

	db = openTestDB(t, Options{Dir: dir})
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
}

// raceBatch is round r of appender a: the shared series at timestamps that
// the other appenders also write, with a's own values, and a's private
// series.
func raceBatch(a, r, shared, private int) *Batch {
	b := &Batch{}
	for i := range shared {
		bs := b.Next()
		bs.Labels = labels.FromStrings("__name__", "shared", "i", fmt.Sprint(i))
		bs.Samples = append(bs.Samples, Sample{T: int64(r * 10), V: float64(a)}, Sample{T: int64(r*10 + a), V: 1})
	}
	for i := range private {
		bs := b.Next()
		bs.Labels = labels.FromStrings("__name__", "private", "a", fmt.Sprint(a), "i", fmt.Sprint(i))
		bs.Samples = append(bs.Samples, Sample{T: int64(r), V: float64(r)})
	}
	return b
}

// checkIncreasing reads every series and reports one whose timestamps do
// not strictly increase. It runs off the test goroutine, so it returns errors.
func checkIncreasing(db *DB) error {
	q, err := db.Querier(math.MinInt64, math.MaxInt64)
	if err != nil {
		return err
	}
	set := q.Select(context.Background(), true, nil, anySeries)
	var it chunkenc.Iterator
	for set.Next() {
		it = set.At().Iterator(it)
		prev := int64(math.MinInt64)
		for it.Next() != chunkenc.ValNone {
			if it.AtT() <= prev {
				return fmt.Errorf("%s: sample at %d after %d", set.At().Labels(), it.AtT(), prev)
			}
			prev = it.AtT()
		}
		if err := it.Err(); err != nil {
			return err
		}
	}
	return errors.Join(set.Err(), q.Close())
}

func countSamples(series []gotSeries) int64 {
	n := 0
	for _, s := range series {
		n += len(s.Samples)
	}
	return int64(n)
}

// TestCutsAndCompactionsUnderIngestAndQuery cuts the head into blocks and
// compacts them (1 s blocks) while appenders push and queriers read, for the
// race detector. Every sample acknowledged is then read back exactly, from
// the live store and after a restart; a sample refused as out of bounds (an
// appender that fell behind a cut) is never stored.
func TestCutsAndCompactionsUnderIngestAndQuery(t *testing.T) {
	const appenders, rounds, perBatch = 3, 400, 5
	dir := t.TempDir()
	opts := Options{Dir: dir, Shards: 4, WALSyncInterval: time.Hour, BlockDuration: time.Second}
	db := openTestDB(t, opts)

	accepted := make([][]int, appenders) // rounds each appender had acknowledged
	var appendWG, bgWG sync.WaitGroup
	done := make(chan struct{})
	for a := range appenders {
		appendWG.Go(func() {
			for r := range rounds {
				res, err := db.AppendBatch(roundBatch(a, r, perBatch))
				if err != nil {
					t.Error(err)
					return
				}
				if res.Appended == perBatch {
					accepted[a] = append(accepted[a], r)
				} else if res.Appended != 0 || !errors.Is(res.FirstError, storage.ErrOutOfBounds) {
					t.Errorf("appender %d round %d: %+v", a, r, res)
				}
			}
		})
	}
	bgWG.Go(func() { untilDone(t, done, func() error { db.maintain(nil); return nil }) })
	bgWG.Go(func() { untilDone(t, done, func() error { return checkIncreasing(db) }) })
	appendWG.Wait()
	close(done)
	bgWG.Wait()

	want := roundsWanted(accepted, perBatch)
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
	db.maintain(nil) // the last cuts and compactions, after the race
	levels := map[int]int{}
	for _, m := range db.Blocks() {
		levels[m.Level]++
	}
	require.NotZero(t, levels[2]+levels[3], "no compaction happened: %v", levels)
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
	require.NoError(t, db.Close())
	db = openTestDB(t, opts)
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
}

// roundBatch is round r of appender a: perBatch series of its own, each with
// one sample at r×50 ms.
func roundBatch(a, r, perBatch int) *Batch {
	b := &Batch{}
	for i := range perBatch {
		bs := b.Next()
		bs.Labels = labels.FromStrings("__name__", "cut_race", "a", fmt.Sprint(a), "i", fmt.Sprint(i))
		bs.Samples = append(bs.Samples, Sample{T: int64(r) * 50, V: float64(r)})
	}
	return b
}

// roundsWanted is what a query should return after appenders had the given
// rounds acknowledged, sorted as a query sorts series.
func roundsWanted(accepted [][]int, perBatch int) []gotSeries {
	var out []gotSeries
	for a, rounds := range accepted {
		for i := range perBatch {
			s := gotSeries{Labels: labels.FromStrings("__name__", "cut_race", "a", fmt.Sprint(a), "i", fmt.Sprint(i)).String()}
			for _, r := range rounds {
				s.Samples = append(s.Samples, Sample{T: int64(r) * 50, V: float64(r)})
			}
			if len(s.Samples) > 0 {
				out = append(out, s)
			}
		}
	}
	return out
}

// untilDone calls fn until done is closed or fn fails, which fails the test.
// It runs off the test goroutine.
func untilDone(t *testing.T, done <-chan struct{}, fn func() error) {
	for {
		select {
		case <-done:
			return
		default:
		}
		if err := fn(); err != nil {
			t.Error(err)
			return
		}
	}
}
