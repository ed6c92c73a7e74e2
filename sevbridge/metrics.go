package sevbridge

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Bridge's own metrics. They are registered on
// Options.Registerer (none when nil); no package globals.
type metrics struct {
	detection    prometheus.Histogram
	open         *prometheus.GaugeVec
	filed        *prometheus.CounterVec
	pages        *prometheus.CounterVec
	pageFailures prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		detection: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vigil_sev_detection_seconds",
			Help:    "Time from a SEV's impact start to its filing.",
			Buckets: []float64{5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800},
		}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_sevs_open",
			Help: "SEVs not yet resolved (open or mitigated), by type and level.",
		}, []string{"type", "level"}),
		filed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_sevs_filed_total",
			Help: "SEVs filed, automatically or by hand, by type.",
		}, []string{"type"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_sev_pages_total",
			Help: "PagerDuty events sent for SEVs, by role and action (trigger or resolve).",
		}, []string{"role", "action"}),
		pageFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_sev_page_failures_total",
			Help: "PagerDuty events for SEVs that could not be delivered.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.detection, m.open, m.filed, m.pages, m.pageFailures} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register sev bridge metrics: %w", err)
		}
	}
	return m, nil
}

// setOpen recomputes vigil_sevs_open from the active SEVs.
func (m *metrics) setOpen(active []*SEV) {
	m.open.Reset()
	for _, s := range active {
		m.open.WithLabelValues(string(s.Type), strconv.Itoa(int(s.Level))).Inc()
	}
}
