package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/ingest"
	"github.com/vigilsre/vigil/tsdb"
)

// selfMonitor writes Vigil's own metrics into its store, as if Vigil
// scraped its /metrics: every sample gets job="vigil" and the listen address
// as instance, unless the metric has those labels already. It is not safe
// for concurrent use; run owns it.
type selfMonitor struct {
	gatherer prometheus.Gatherer
	app      ingest.Appender
	instance string
	logger   *slog.Logger

	batch   tsdb.Batch // reused across collections
	builder labels.ScratchBuilder
}

// startSelfMonitor starts writing the registry into db every
// self_monitoring.interval when self_monitoring is enabled. The returned
// function stops it and waits for it.
func (s *server) startSelfMonitor(db store) (stop func()) {
	if !s.cfg.SelfMonitoring.Enabled {
		return func() {}
	}
	m := &selfMonitor{gatherer: s.reg, app: db, instance: s.addr, logger: s.logger.With("component", "self_monitoring")}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { m.run(ctx, s.cfg.SelfMonitoring.Interval) })
	return func() {
		cancel()
		wg.Wait()
	}
}

// run collects every interval until ctx is done.
func (m *selfMonitor) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := m.collect(now); err != nil {
				m.logger.Warn("self-monitoring samples not stored", "err", err)
			}
		}
	}
}

// collect gathers the metrics once and appends them at time now.
func (m *selfMonitor) collect(now time.Time) error {
	families, gatherErr := m.gatherer.Gather() // partial results are still worth storing
	samples, extractErr := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.TimeFromUnixNano(now.UnixNano())}, families...)
	m.fill(samples)
	res, err := m.app.AppendBatch(&m.batch)
	if err != nil {
		return fmt.Errorf("append %d samples: %w", m.batch.Samples(), err)
	}
	if res.Rejected() > 0 {
		err = fmt.Errorf("%d of %d samples rejected: %w", res.Rejected(), m.batch.Samples(), res.FirstError)
	}
	return errors.Join(gatherErr, extractErr, err)
}

// fill replaces the batch with one series per sample.
func (m *selfMonitor) fill(samples model.Vector) {
	m.batch.Reset()
	for _, smp := range samples {
		s := m.batch.Next()
		s.Labels = m.labels(smp.Metric)
		s.Samples = append(s.Samples, tsdb.Sample{T: int64(smp.Timestamp), V: float64(smp.Value)})
	}
}

// labels converts a metric to sorted labels with job and instance added.
// Empty values are dropped: in Prometheus an empty label is no label.
func (m *selfMonitor) labels(metric model.Metric) labels.Labels {
	m.builder.Reset()
	for name, value := range metric {
		if value != "" {
			m.builder.Add(string(name), string(value))
		}
	}
	if metric[model.JobLabel] == "" {
		m.builder.Add(model.JobLabel, "vigil")
	}
	if metric[model.InstanceLabel] == "" {
		m.builder.Add(model.InstanceLabel, m.instance)
	}
	m.builder.Sort()
	return m.builder.Labels()
}
