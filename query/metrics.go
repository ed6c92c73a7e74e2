package query

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Values of the kind label of vigil_query_duration_seconds.
const (
	kindInstant     = "instant"
	kindRange       = "range"
	kindSeries      = "series"
	kindLabelNames  = "label_names"
	kindLabelValues = "label_values"
)

// metrics are the Engine's own metrics (the promql engine registers its
// prometheus_engine_* metrics itself).
type metrics struct {
	duration *prometheus.HistogramVec
}

// newMetrics creates the Engine's metrics and registers them with reg when it
// is not nil.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_query_duration_seconds",
			Help:    "Time taken to answer a query, successful or not, by kind (instant, range, series, label_names, label_values).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"kind"}),
	}
	for _, k := range []string{kindInstant, kindRange, kindSeries, kindLabelNames, kindLabelValues} {
		m.duration.WithLabelValues(k)
	}
	if reg != nil {
		reg.MustRegister(m.duration)
	}
	return m
}

// observe records the duration of a query of the given kind that started at
// start; call it as `defer e.metrics.observe(kind, time.Now())`.
func (m *metrics) observe(kind string, start time.Time) {
	m.duration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
}
