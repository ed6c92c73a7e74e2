package storagecmp

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// diskResult is comparison (a): the bytes on disk of the same samples after
// compaction into blocks.
type diskResult struct {
	Series, Samples           int
	VigilBytes, PromBytes     int64
	VigilIngest, PromIngest   time.Duration // appending every sample
	VigilPersist, PromPersist time.Duration // cutting blocks and compacting
}

func (r diskResult) vigilPerSample() float64 { return float64(r.VigilBytes) / float64(r.Samples) }
func (r diskResult) promPerSample() float64  { return float64(r.PromBytes) / float64(r.Samples) }

// measureDisk writes n series over span into each store, persists them
// into compacted blocks and measures the blocks.
func measureDisk(ctx context.Context, dir string, d *dataset) (diskResult, error) {
	r := diskResult{Series: len(d.idx), Samples: d.samples()}
	var err error
	if r.VigilBytes, r.VigilIngest, r.VigilPersist, err = diskVigil(ctx, filepath.Join(dir, "vigil"), d); err != nil {
		return r, err
	}
	r.PromBytes, r.PromIngest, r.PromPersist, err = diskProm(ctx, filepath.Join(dir, "prom"), d)
	return r, err
}

func diskVigil(ctx context.Context, dir string, d *dataset) (bytes int64, ingest, persist time.Duration, err error) {
	db, err := openVigil(dir)
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	t0 := time.Now()
	if err := appendVigil(db, d, false); err != nil {
		return 0, 0, 0, err
	}
	t1 := time.Now()
	if err := persistVigil(ctx, db); err != nil {
		return 0, 0, 0, err
	}
	t2 := time.Now()
	bytes, samples, err := vigilBlocks(db, dir)
	if err == nil && samples != uint64(d.samples()) {
		err = fmt.Errorf("vigil blocks hold %d samples, want %d", samples, d.samples())
	}
	return bytes, t1.Sub(t0), t2.Sub(t1), err
}

func diskProm(ctx context.Context, dir string, d *dataset) (bytes int64, ingest, persist time.Duration, err error) {
	db, err := openProm(dir)
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	t0 := time.Now()
	if err := appendProm(db, d, false); err != nil {
		return 0, 0, 0, err
	}
	t1 := time.Now()
	if err := persistProm(ctx, db); err != nil {
		return 0, 0, 0, err
	}
	t2 := time.Now()
	bytes, samples, err := promBlocks(db)
	if err == nil && samples != uint64(d.samples()) {
		err = fmt.Errorf("prometheus blocks hold %d samples, want %d", samples, d.samples())
	}
	return bytes, t1.Sub(t0), t2.Sub(t1), err
}

// BenchmarkBytesPerSample is comparison (a). It measures once, whatever b.N.
func BenchmarkBytesPerSample(b *testing.B) {
	s := currentSizes()
	d, err := fleetData(s.DiskSeries, s.DiskSpan)
	if err != nil {
		b.Fatal(err)
	}
	r, err := measureDisk(context.Background(), b.TempDir(), d)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(r.vigilPerSample(), "vigil_bytes/sample")
	b.ReportMetric(r.promPerSample(), "prom_bytes/sample")
	b.ReportMetric(r.vigilPerSample()/r.promPerSample(), "ratio")
}
