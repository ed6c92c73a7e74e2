package tsdb

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the store's own metrics. They always exist; Open registers them
// only when Options.Registerer is set.
type metrics struct {
	appended       prometheus.Counter
	outOfOrder     prometheus.Counter
	conflicts      prometheus.Counter
	seriesCreated  prometheus.Counter
	rejected       *prometheus.CounterVec
	series, chunks prometheus.GaugeFunc
}

func newMetrics(h *head) *metrics {
	m := &metrics{
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_tsdb_samples_appended_total",
			Help: "Samples stored by AppendBatch.",
		}),
		seriesCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_tsdb_series_created_total",
			Help: "Series created by AppendBatch.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_tsdb_samples_rejected_total",
			Help: "Samples AppendBatch rejected, by reason: out_of_order (older than the newest sample) or conflict (same timestamp, other value).",
		}, []string{"reason"}),
		series: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vigil_tsdb_head_series",
			Help: "Series in the head.",
		}, func() float64 { return float64(h.numSeries.Load()) }),
		chunks: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vigil_tsdb_head_chunks",
			Help: "Chunks in the head, closed and open.",
		}, func() float64 { return float64(h.numChunks.Load()) }),
	}
	m.outOfOrder = m.rejected.WithLabelValues("out_of_order")
	m.conflicts = m.rejected.WithLabelValues("conflict")
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.appended, m.seriesCreated, m.rejected, m.series, m.chunks}
}

// registerAll registers every collector with reg, or none: on an error it
// unregisters those it had registered. A nil reg registers nothing.
func registerAll(reg prometheus.Registerer, cs []prometheus.Collector) error {
	if reg == nil {
		return nil
	}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			unregisterAll(reg, cs[:i])
			return fmt.Errorf("register tsdb metrics: %w", err)
		}
	}
	return nil
}

// unregisterAll removes what registerAll added.
func unregisterAll(reg prometheus.Registerer, cs []prometheus.Collector) {
	if reg == nil {
		return
	}
	for _, c := range cs {
		reg.Unregister(c)
	}
}

// observe counts the outcome of one AppendBatch.
func (m *metrics) observe(res AppendResult, created int) {
	m.appended.Add(float64(res.Appended))
	m.outOfOrder.Add(float64(res.OutOfOrder))
	m.conflicts.Add(float64(res.Conflicts))
	m.seriesCreated.Add(float64(created))
}
