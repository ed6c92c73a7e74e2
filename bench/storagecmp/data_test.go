package storagecmp

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/bench/fleet"
)

// dataset is the samples written in one comparison: some series of a
// fleet, every interval for a number of steps.
type dataset struct {
	f     *fleet.Fleet
	idx   []int           // the fleet's index of each series written
	lsets []labels.Labels // their labels
	steps int
}

// seed makes every comparison's data.
const seed = 20260101

// fleetData returns all n series of a fleet over span.
func fleetData(n int, span time.Duration) (*dataset, error) {
	f, err := fleet.New(fleet.Options{TargetSeries: n, Seed: seed})
	if err != nil {
		return nil, err
	}
	d := &dataset{f: f, lsets: f.Series(), steps: f.Steps(span)}
	d.idx = make([]int, f.Len())
	for i := range d.idx {
		d.idx[i] = i
	}
	return d, nil
}

// metricData returns n series of one metric, from a fleet just large
// enough to have them, over span.
func metricData(metric string, n int, span time.Duration) (*dataset, error) {
	probe, err := fleet.New(fleet.Options{Hosts: 1})
	if err != nil {
		return nil, err
	}
	perHost := 0
	for _, ls := range probe.Series() {
		if ls.Get(labels.MetricName) == metric {
			perHost++
		}
	}
	if perHost == 0 {
		return nil, fmt.Errorf("fleet has no metric %s", metric)
	}
	f, err := fleet.New(fleet.Options{Hosts: (n + perHost - 1) / perHost, Seed: seed})
	if err != nil {
		return nil, err
	}
	d := &dataset{f: f, steps: f.Steps(span)}
	for i, ls := range f.Series() {
		if len(d.idx) < n && ls.Get(labels.MetricName) == metric {
			d.idx = append(d.idx, i)
			d.lsets = append(d.lsets, ls)
		}
	}
	return d, nil
}

// samples returns the number of samples of the dataset.
func (d *dataset) samples() int { return len(d.idx) * d.steps }

// start and end return the first and last timestamps (ms).
func (d *dataset) start() int64 { return d.f.Timestamp(0) }
func (d *dataset) end() int64   { return d.f.Timestamp(d.steps - 1) }

// each calls fn with every step's timestamp and values, vals[i] being the
// value of lsets[i]. vals is reused: fn must not keep it.
func (d *dataset) each(fn func(k int, t int64, vals []float64) error) error {
	c := d.f.NewCursor()
	all := make([]float64, d.f.Len())
	vals := make([]float64, len(d.idx))
	for k := range d.steps {
		t, err := c.Next(all)
		if err != nil {
			return err
		}
		for i, j := range d.idx {
			vals[i] = all[j]
		}
		if err := fn(k, t, vals); err != nil {
			return err
		}
	}
	return nil
}

// dirSize returns the bytes of every regular file under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		n += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", dir, err)
	}
	return n, nil
}
