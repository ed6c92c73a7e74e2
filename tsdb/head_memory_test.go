package tsdb

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"unsafe"

	"github.com/vigilsre/vigil/bench/fleet"
)

// heapInUse returns the bytes of heap in use (spans) and of live objects
// after a full collection.
func heapInUse() (inUse, live int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.HeapAlloc)
}

// BenchmarkHeadMemory measures the heap the head holds per series for
// fleet series with 10 samples each, appended one batch per step as
// bench/storagecmp does. It measures once, whatever b.N. With the
// environment variable HEAD_MEMPROFILE set it writes a heap profile of the
// live head there (every allocation sampled).
func BenchmarkHeadMemory(b *testing.B) {
	const n, steps = 100_000, 10
	f, err := fleet.New(fleet.Options{TargetSeries: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	lsets := f.Series()
	profile := os.Getenv("HEAD_MEMPROFILE")
	if profile != "" {
		runtime.MemProfileRate = 1
	}
	before, beforeLive := heapInUse()
	h := newHead(8)
	var batch Batch
	cur, vals := f.NewCursor(), make([]float64, len(lsets))
	for range steps {
		t, err := cur.Next(vals)
		if err != nil {
			b.Fatal(err)
		}
		batch.Reset()
		for i, ls := range lsets {
			s := batch.Next()
			s.Labels = ls.Copy()
			s.Samples = append(s.Samples, Sample{T: t, V: vals[i]})
		}
		if _, err := h.appendBatch(&batch, nopLog{}); err != nil {
			b.Fatal(err)
		}
	}
	batch = Batch{}
	after, afterLive := heapInUse()
	runtime.KeepAlive(cur)
	if profile != "" {
		out, err := os.Create(profile)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(out); err != nil {
			b.Fatal(err)
		}
		out.Close()
	}
	for b.Loop() {
	}
	runtime.KeepAlive(h)
	runtime.KeepAlive(f) // alive during both measurements, as its labels
	b.ReportMetric(float64(after-before)/float64(len(lsets)), "bytes/series")
	b.ReportMetric(float64(afterLive-beforeLive)/float64(len(lsets)), "live_bytes/series")
	var used, capacity int
	for i := range h.shards {
		for _, s := range h.shards[i].byRef {
			used += len(s.open.Bytes())
			capacity += cap(s.open.Bytes())
		}
	}
	b.ReportMetric(float64(used)/float64(len(lsets)), "chunk_bytes/series")
	b.ReportMetric(float64(capacity)/float64(len(lsets)), "chunk_cap/series")
}

// TestMemSeriesSize pins the size of the per-series struct, open chunk
// included: slabs hold one per series back to back.
func TestMemSeriesSize(t *testing.T) {
	if got := unsafe.Sizeof(memSeries{}); got > 152 {
		t.Fatalf("memSeries is %d bytes, want at most 152", got)
	}
}
