package wal

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Log's instruments. They always exist, so the code never
// checks for nil; they are registered only when a Registerer is given.
type metrics struct {
	fsyncDuration prometheus.Histogram
	writes        prometheus.Counter
	records       prometheus.Counter
	bytes         prometheus.Counter
	corruptions   prometheus.Counter
}

// newMetrics creates the instruments and registers them with reg, if any. A
// Log reopened on the same registry keeps counting on the instruments already
// registered.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		fsyncDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vigil_wal_fsync_duration_seconds",
			Help:    "Duration of WAL segment fsyncs.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9), // 100µs … 6.6s
		}),
		writes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_wal_writes_total",
			Help: "Writes of records to the WAL, one per Log or Write call that wrote; vigil_wal_fsync_duration_seconds_count over it is the share of writes that cost an fsync.",
		}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_wal_records_written_total",
			Help: "Records written to the WAL.",
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_wal_bytes_written_total",
			Help: "Bytes written to WAL segments, headers included, after compression.",
		}),
		corruptions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_wal_corruptions_total",
			Help: "Corrupt or torn WAL records found and repaired on open.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.fsyncDuration, err = register(reg, m.fsyncDuration)
	if err == nil {
		m.writes, err = register(reg, m.writes)
	}
	if err == nil {
		m.records, err = register(reg, m.records)
	}
	if err == nil {
		m.bytes, err = register(reg, m.bytes)
	}
	if err == nil {
		m.corruptions, err = register(reg, m.corruptions)
	}
	return m, err
}

// register registers c, or returns the equal collector already registered.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	if err != nil {
		return c, fmt.Errorf("register wal metrics: %w", err)
	}
	return c, nil
}
