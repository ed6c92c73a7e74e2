package tsdb

import (
	"errors"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb/wal"
)

// gateLog is a groupLog that keeps nothing: each Write of records gets the
// next position, and wait, when set, decides how WaitDurable returns.
type gateLog struct {
	mu    sync.Mutex
	pos   wal.Position
	waits []wal.Position // every WaitDurable call's position, in call order
	wait  func(p wal.Position) error
}

func (g *gateLog) Log(recs ...[]byte) error {
	p, err := g.Write(recs...)
	if err != nil {
		return err
	}
	return g.WaitDurable(p)
}

func (g *gateLog) Write(recs ...[]byte) (wal.Position, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(recs) > 0 {
		g.pos++
	}
	return g.pos, nil
}

func (g *gateLog) WaitDurable(p wal.Position) error {
	g.mu.Lock()
	g.waits = append(g.waits, p)
	wait := g.wait
	g.mu.Unlock()
	if wait == nil {
		return nil
	}
	return wait(p)
}

func TestAppendBatchWaitsForDurabilityOutsideTheShardLocks(t *testing.T) {
	h := newHead(1) // every series in the one shard
	lset := labels.FromStrings("__name__", "m")
	entered, release := make(chan struct{}), make(chan struct{})
	g := &gateLog{wait: func(p wal.Position) error {
		if p == 1 {
			close(entered)
			<-release
		}
		return nil
	}}
	first := make(chan error, 1)
	go func() {
		_, err := h.appendBatch(batchOf(spec(lset, Sample{T: 1, V: 1})), g)
		first <- err
	}()
	<-entered // the first batch waits for its fsync

	res, err := h.appendBatch(batchOf(spec(lset, Sample{T: 2, V: 2})), g)
	require.NoError(t, err, "the shard is not locked through the first batch's wait")
	require.Equal(t, AppendResult{Appended: 1}, res)
	requireSameSamples(t, []gotSeries{{lset.String(), []Sample{{1, 1}, {2, 2}}}},
		selectAll(t, headOver{h}, 0, 10, nil, eq("__name__", "m")))
	close(release)
	require.NoError(t, <-first)
	require.Equal(t, []wal.Position{1, 2}, g.waits)
}

func TestAppendBatchSyncErrorKeepsTheBatch(t *testing.T) {
	h := newHead(4)
	lset := labels.FromStrings("__name__", "m")
	g := &gateLog{wait: func(wal.Position) error { return errors.New("disk on fire") }}
	res, err := h.appendBatch(batchOf(spec(lset, Sample{T: 1, V: 1})), g)
	require.EqualError(t, err, "sync wal: disk on fire")
	require.Equal(t, AppendResult{}, res)
	requireSameSamples(t, []gotSeries{{lset.String(), []Sample{{1, 1}}}},
		selectAll(t, headOver{h}, 0, 10, nil, eq("__name__", "m")))
}

func TestAppendBatchOfDuplicatesWaitsForTheLastWrite(t *testing.T) {
	h := newHead(4)
	a, b := labels.FromStrings("__name__", "a"), labels.FromStrings("__name__", "b")
	g := &gateLog{}
	for _, bt := range []*Batch{
		batchOf(spec(a, Sample{T: 1, V: 1})),
		batchOf(spec(b, Sample{T: 1, V: 1})),
		batchOf(spec(a, Sample{T: 1, V: 1})), // a duplicate: nothing to log
	} {
		_, err := h.appendBatch(bt, g)
		require.NoError(t, err)
	}
	require.Equal(t, []wal.Position{1, 2, 2}, g.waits, "the duplicate waits until b, written after a, is durable")
}

func TestConcurrentAppendBatchesShareFsyncs(t *testing.T) {
	const writers, batches, perBatch = 8, 25, 20
	reg := prometheus.NewRegistry()
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, Registerer: reg, Shards: 4})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			batch := benchGroupBatch(w, perBatch)
			for i := range batches {
				for j := range batch.Series {
					batch.Series[j].Samples[0] = Sample{T: int64(i), V: float64(w)}
				}
				if res, err := db.AppendBatch(batch); err != nil || res.Appended != perBatch {
					t.Errorf("writer %d batch %d: %+v, %v", w, i, res, err)
					return
				}
			}
		})
	}
	wg.Wait()
	fsyncs := fsyncCount(t, reg)
	require.Less(t, fsyncs, float64(writers*batches), "concurrent batches share fsyncs")
	t.Logf("%d batches, %.0f fsyncs", writers*batches, fsyncs)
	require.NoError(t, db.Close())

	db = openTestDB(t, Options{Dir: dir})
	got := selectAll(t, db, 0, batches, nil, eq("__name__", "group_commit_bench"))
	require.Len(t, got, writers*perBatch)
	require.Equal(t, int64(writers*batches*perBatch), countSamples(got))
	for _, s := range got {
		require.Len(t, s.Samples, batches, s.Labels)
	}
}
