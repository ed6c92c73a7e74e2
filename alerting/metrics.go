package alerting

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// groupLabel names a rule group in metrics; its value is "FILE;NAME", as
// in Prometheus' rule_group label.
const groupLabel = "group"

// metrics are the Manager's own metrics.
type metrics struct {
	evaluations  *prometheus.CounterVec // rule evaluations, by group
	failures     *prometheus.CounterVec // failed rule evaluations, by group
	lastDuration *prometheus.GaugeVec   // the last group evaluation's duration
	missed       *prometheus.CounterVec // evaluations skipped: the previous one ran late
	reloadOK     prometheus.Gauge
	reloadTime   prometheus.Gauge

	weight          *prometheus.GaugeVec // service weights, by service
	criticalPath    *prometheus.GaugeVec // 1 for services on the critical path, by service
	weightsFailures prometheus.Counter   // weights computations whose query failed
}

// alertCounts are the alerts counted for vigil_alerts and
// vigil_alerts_suppressed.
type alertCounts struct {
	states     map[State]int
	suppressed int
}

// newMetrics creates the metrics and registers them, with a collector of
// vigil_alerts{state} and vigil_alerts_suppressed that counts alerts
// through count, with reg (nil: not registered).
func newMetrics(reg prometheus.Registerer, count func() alertCounts) (*metrics, error) {
	m := &metrics{
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_rule_evaluations_total",
			Help: "Rule evaluations, by rule group.",
		}, []string{groupLabel}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_rule_evaluation_failures_total",
			Help: "Rule evaluations that failed (query, limit or write errors), by rule group.",
		}, []string{groupLabel}),
		lastDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_rule_group_last_duration_seconds",
			Help: "How long the last evaluation of a rule group took.",
		}, []string{groupLabel}),
		missed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_rule_group_iterations_missed_total",
			Help: "Rule group evaluations skipped because the previous one ran past its slot.",
		}, []string{groupLabel}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_rules_last_reload_successful",
			Help: "Whether the last load of the rule files succeeded (1) or kept the previous rules (0).",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_rules_last_reload_success_timestamp_seconds",
			Help: "When the rule files were last loaded successfully.",
		}),
		weight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_service_weight",
			Help: "Share of user-facing requests whose path reaches the service (0 to 1), from the call graph.",
		}, []string{"service"}),
		criticalPath: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_service_critical_path",
			Help: "Whether the service's weight is at least the critical threshold (1) or not (0).",
		}, []string{"service"}),
		weightsFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_service_weights_failures_total",
			Help: "Service weight computations whose request rate query failed (the last weights stay).",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.evaluations, m.failures, m.lastDuration, m.missed, m.reloadOK, m.reloadTime,
		m.weight, m.criticalPath, m.weightsFailures, newAlertsCollector(count)} {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}

// forget drops the series of a group that is gone.
func (m *metrics) forget(group string) {
	m.evaluations.DeleteLabelValues(group)
	m.failures.DeleteLabelValues(group)
	m.lastDuration.DeleteLabelValues(group)
	m.missed.DeleteLabelValues(group)
}

// alertsCollector reports vigil_alerts{state} and vigil_alerts_suppressed
// at each scrape.
type alertsCollector struct {
	desc, suppressed *prometheus.Desc
	count            func() alertCounts
}

// newAlertsCollector returns a collector of the counts count returns.
func newAlertsCollector(count func() alertCounts) *alertsCollector {
	return &alertsCollector{
		desc: prometheus.NewDesc("vigil_alerts",
			"Alerts by state: pending, firing, and unknown (was firing, input data missing).", []string{"state"}, nil),
		suppressed: prometheus.NewDesc("vigil_alerts_suppressed",
			"Firing and unknown alerts that a firing cause explains: shown, not paged.", nil, nil),
		count: count,
	}
}

// Describe sends the descriptions.
func (c *alertsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.desc
	ch <- c.suppressed
}

// Collect counts the alerts of every state and the suppressed ones.
func (c *alertsCollector) Collect(ch chan<- prometheus.Metric) {
	n := c.count()
	for _, s := range []State{StatePending, StateFiring, StateUnknown} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n.states[s]), s.String())
	}
	ch <- prometheus.MustNewConstMetric(c.suppressed, prometheus.GaugeValue, float64(n.suppressed))
}
