package tsdb

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

// Compare two runs with benchstat:
//
//	go test ./tsdb/ -run '^$' -bench AppendBatchGroupCommit -benchtime 1s -count 6 > new.txt
//	benchstat old.txt new.txt

// BenchmarkAppendBatchGroupCommit appends batches of one sample for each of
// 100 known series from 1, 4 and 16 goroutines at once, each with series of
// its own spread over every shard, with the WAL fsynced before every
// AppendBatch returns (WALSyncInterval 0). The goroutines share b.N batches;
// fsyncs/batch below 1 is the fsyncs that concurrent batches shared.
func BenchmarkAppendBatchGroupCommit(b *testing.B) {
	const perBatch = 100
	for _, writers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			reg := prometheus.NewRegistry()
			db := openTestDB(b, Options{Registerer: reg, Shards: 8})
			batches := make([]*Batch, writers)
			for w := range batches {
				batches[w] = benchGroupBatch(w, perBatch)
				appendBenchBatch(b, db, batches[w], 0) // create the series
			}
			before := fsyncCount(b, reg)
			b.ReportAllocs()
			b.ResetTimer()
			appendConcurrently(b, db, batches)
			b.StopTimer()
			b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric((fsyncCount(b, reg)-before)/float64(b.N), "fsyncs/batch")
		})
	}
}

// benchGroupBatch returns a batch of one sample for each of n series of
// writer w.
func benchGroupBatch(w, n int) *Batch {
	batch := &Batch{}
	for i := range n {
		bs := batch.Next()
		bs.Labels = labels.FromStrings("__name__", "group_commit_bench", "writer", fmt.Sprint(w), "i", fmt.Sprint(i))
		bs.Samples = append(bs.Samples, Sample{})
	}
	return batch
}

// appendConcurrently appends b.N batches from one goroutine per batch in
// batches, each advancing its own batch's timestamps.
func appendConcurrently(b *testing.B, db *DB, batches []*Batch) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, batch := range batches {
		wg.Go(func() {
			for ts := int64(10); next.Add(1) <= int64(b.N); ts += 10 {
				appendBenchBatch(b, db, batch, ts)
			}
		})
	}
	wg.Wait()
}

func appendBenchBatch(b *testing.B, db *DB, batch *Batch, ts int64) {
	for i := range batch.Series {
		batch.Series[i].Samples[0] = Sample{T: ts, V: float64(ts)}
	}
	res, err := db.AppendBatch(batch)
	if err != nil || res.Appended != len(batch.Series) {
		b.Errorf("append at %d: %+v, %v", ts, res, err)
	}
}

// fsyncCount returns how many WAL fsyncs reg has observed.
func fsyncCount(t testing.TB, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == "vigil_wal_fsync_duration_seconds" {
			return float64(mf.GetMetric()[0].GetHistogram().GetSampleCount())
		}
	}
	t.Fatal("no wal fsync metric")
	return 0
}
