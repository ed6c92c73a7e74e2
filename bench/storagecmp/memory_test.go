package storagecmp

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
)

// memoryResult is comparison (b): the heap each store's head holds for the
// same series.
type memoryResult struct {
	Series, Samples int
	VigilHeap       int64 // bytes of heap in use, after GC, added by the store
	PromHeap        int64
}

func (r memoryResult) vigilPerSeries() float64 { return float64(r.VigilHeap) / float64(r.Series) }
func (r memoryResult) promPerSeries() float64  { return float64(r.PromHeap) / float64(r.Series) }

// heapInUse returns the bytes of heap in use after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// measureMemory builds each store's head with the dataset, one store at a
// time in this process, and measures the heap it adds. Each series gets
// labels of its own, as series from the network do, so that a store that
// keeps the caller's labels pays for them as one that copies them does.
func measureMemory(dir string, d *dataset) (memoryResult, error) {
	r := memoryResult{Series: len(d.idx), Samples: d.samples()}
	var err error
	if r.VigilHeap, err = memoryVigil(filepath.Join(dir, "vigil"), d); err != nil {
		return r, err
	}
	r.PromHeap, err = memoryProm(filepath.Join(dir, "prom"), d)
	return r, err
}

func memoryVigil(dir string, d *dataset) (int64, error) {
	before := heapInUse()
	db, err := openVigil(dir)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := appendVigil(db, d, true); err != nil {
		return 0, err
	}
	after := heapInUse()
	if n := db.NumSeries(); n != len(d.idx) {
		return 0, fmt.Errorf("vigil head has %d series, want %d", n, len(d.idx))
	}
	runtime.KeepAlive(db)
	return after - before, nil
}

func memoryProm(dir string, d *dataset) (int64, error) {
	before := heapInUse()
	db, err := openProm(dir)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := appendProm(db, d, true); err != nil {
		return 0, err
	}
	after := heapInUse()
	if n := db.Head().NumSeries(); n != uint64(len(d.idx)) {
		return 0, fmt.Errorf("prometheus head has %d series, want %d", n, len(d.idx))
	}
	runtime.KeepAlive(db)
	return after - before, nil
}

// BenchmarkHeadMemory is comparison (b). It measures once, whatever b.N.
func BenchmarkHeadMemory(b *testing.B) {
	s := currentSizes()
	d, err := fleetData(s.MemSeries, memSpan(s.MemSamples))
	if err != nil {
		b.Fatal(err)
	}
	r, err := measureMemory(b.TempDir(), d)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(r.vigilPerSeries(), "vigil_bytes/series")
	b.ReportMetric(r.promPerSeries(), "prom_bytes/series")
	b.ReportMetric(r.vigilPerSeries()/r.promPerSeries(), "ratio")
}
