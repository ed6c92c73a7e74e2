package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
)

func TestSelfMonitorCollect(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pushes_total", Help: "h"}, []string{"code", "job"})
	c.WithLabelValues("204", "").Add(3)
	c.WithLabelValues("400", "custom").Add(1)
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "latency_seconds", Help: "h", Buckets: []float64{0.1}})
	h.Observe(0.05)
	h.Observe(0.5)
	reg.MustRegister(c, h)

	db := &fakeStore{}
	m := &selfMonitor{gatherer: reg, app: db, instance: "127.0.0.1:9096", logger: slog.New(slog.DiscardHandler)}
	at := time.UnixMilli(1700000000123)
	require.NoError(t, m.collect(at))

	got := map[string]tsdb.Sample{}
	for _, bs := range db.appended()[0].Series {
		require.Len(t, bs.Samples, 1)
		got[bs.Labels.String()] = bs.Samples[0]
	}
	sample := func(v float64) tsdb.Sample { return tsdb.Sample{T: 1700000000123, V: v} }
	require.Equal(t, map[string]tsdb.Sample{
		`{__name__="pushes_total", code="204", instance="127.0.0.1:9096", job="vigil"}`:          sample(3),
		`{__name__="pushes_total", code="400", instance="127.0.0.1:9096", job="custom"}`:         sample(1),
		`{__name__="latency_seconds_bucket", instance="127.0.0.1:9096", job="vigil", le="0.1"}`:  sample(1),
		`{__name__="latency_seconds_bucket", instance="127.0.0.1:9096", job="vigil", le="+Inf"}`: sample(2),
		`{__name__="latency_seconds_sum", instance="127.0.0.1:9096", job="vigil"}`:               sample(0.55),
		`{__name__="latency_seconds_count", instance="127.0.0.1:9096", job="vigil"}`:             sample(2),
	}, got)

	// The batch is reused: a second collection replaces the first.
	require.NoError(t, m.collect(at.Add(time.Second)))
	require.Len(t, db.appended(), 2)
	require.Len(t, m.batch.Series, 6)
}
