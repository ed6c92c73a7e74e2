package storagecmp

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// memSpan returns the time covering n samples at the fleet's interval.
func memSpan(n int) time.Duration { return time.Duration(n) * 10 * time.Second }

// restartResult is comparison (c): how long each store takes from Open to
// ready, holding the same series and samples. Vigil is measured twice:
// after Close, which writes a head checkpoint, and after a crash (a copy of
// its directory taken before Close), which replays the write-ahead log.
type restartResult struct {
	Series, Samples         int
	Vigil, VigilCrash, Prom time.Duration
}

// measureRestart fills each store, closes it and times its reopening.
func measureRestart(dir string, d *dataset) (restartResult, error) {
	r := restartResult{Series: len(d.idx), Samples: d.samples()}
	var err error
	if r.Vigil, r.VigilCrash, err = restartVigil(filepath.Join(dir, "vigil"), filepath.Join(dir, "vigil-crash"), d); err != nil {
		return r, err
	}
	r.Prom, err = restartProm(filepath.Join(dir, "prom"), d)
	return r, err
}

func restartVigil(dir, crashDir string, d *dataset) (clean, crash time.Duration, err error) {
	db, err := openVigil(dir)
	if err != nil {
		return 0, 0, err
	}
	if err := appendVigil(db, d, false); err != nil {
		return 0, 0, fmt.Errorf("%w (close: %v)", err, db.Close())
	}
	if err := os.CopyFS(crashDir, os.DirFS(dir)); err != nil {
		return 0, 0, fmt.Errorf("copy vigil store as a crash leaves it: %w (close: %v)", err, db.Close())
	}
	if err := db.Close(); err != nil {
		return 0, 0, fmt.Errorf("close vigil store: %w", err)
	}
	if clean, err = timeVigilOpen(dir, len(d.idx)); err != nil {
		return 0, 0, err
	}
	crash, err = timeVigilOpen(crashDir, len(d.idx))
	return clean, crash, err
}

// timeVigilOpen times opening the store in dir, which must hold n series.
func timeVigilOpen(dir string, n int) (time.Duration, error) {
	start := time.Now()
	db, err := openVigil(dir)
	if err != nil {
		return 0, err
	}
	took := time.Since(start)
	defer db.Close()
	if got := db.NumSeries(); got != n {
		return 0, fmt.Errorf("reopened vigil store %s has %d series, want %d", dir, got, n)
	}
	return took, nil
}

func restartProm(dir string, d *dataset) (time.Duration, error) {
	db, err := openProm(dir)
	if err != nil {
		return 0, err
	}
	if err := appendProm(db, d, false); err != nil {
		return 0, fmt.Errorf("%w (close: %v)", err, db.Close())
	}
	if err := db.Close(); err != nil {
		return 0, fmt.Errorf("close prometheus tsdb: %w", err)
	}
	start := time.Now()
	db, err = openProm(dir)
	if err != nil {
		return 0, err
	}
	took := time.Since(start)
	defer db.Close()
	if n := db.Head().NumSeries(); n != uint64(len(d.idx)) {
		return 0, fmt.Errorf("reopened prometheus tsdb has %d series, want %d", n, len(d.idx))
	}
	return took, nil
}

// BenchmarkRestart is comparison (c). It measures once, whatever b.N.
func BenchmarkRestart(b *testing.B) {
	s := currentSizes()
	d, err := fleetData(s.RestartSeries, memSpan(s.RestartSamples))
	if err != nil {
		b.Fatal(err)
	}
	r, err := measureRestart(b.TempDir(), d)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(r.Vigil.Seconds(), "vigil_s/open")
	b.ReportMetric(r.VigilCrash.Seconds(), "vigil_crash_s/open")
	b.ReportMetric(r.Prom.Seconds(), "prom_s/open")
	b.ReportMetric(r.Vigil.Seconds()/r.Prom.Seconds(), "ratio")
}
