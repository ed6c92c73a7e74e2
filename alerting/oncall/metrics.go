package oncall

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons of vigil_oncall_check_failures_total.
const (
	ReasonToken        = "token"        // no API token (ErrNoToken)
	ReasonUnauthorized = "unauthorized" // PagerDuty rejected the token (ErrUnauthorized)
	ReasonUnavailable  = "unavailable"  // PagerDuty could not be reached or kept failing (ErrUnavailable)
	ReasonOther        = "other"        // anything else
)

// FailureReason classifies why a reading failed, as the reason label of
// vigil_oncall_check_failures_total.
func FailureReason(err error) string {
	switch {
	case errors.Is(err, ErrNoToken):
		return ReasonToken
	case errors.Is(err, ErrUnauthorized):
		return ReasonUnauthorized
	case errors.Is(err, ErrUnavailable):
		return ReasonUnavailable
	default:
		return ReasonOther
	}
}

// metrics are a Runner's metrics, registered on RunnerOptions.Registerer
// (none when nil); no package globals.
type metrics struct {
	violations      *prometheus.GaugeVec
	checked         prometheus.Gauge
	lastSuccess     prometheus.Gauge
	failures        *prometheus.CounterVec
	up              prometheus.Gauge
	webhookFailures *prometheus.CounterVec

	mu     sync.Mutex         // guards series
	series map[[3]string]bool // the label values of vigil_oncall_violations set now
}

// newMetrics builds the metrics and registers them on reg, all or none.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		violations: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_oncall_violations",
			Help: "Violations of its on-call standard, by escalation policy, team and check, at the last successful check.",
		}, []string{"policy", "team", "check"}),
		checked: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_oncall_policies_checked",
			Help: "Escalation policies a standard applied to at the last successful check.",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_oncall_last_success_timestamp_seconds",
			Help: "When the last successful on-call check started, in seconds since the epoch; 0 before one.",
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_oncall_check_failures_total",
			Help: "On-call checks that could not read PagerDuty, by reason: token, unauthorized, unavailable or other.",
		}, []string{"reason"}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_oncall_up",
			Help: "1 when the last on-call check read PagerDuty, else 0.",
		}),
		webhookFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_oncall_webhook_failures_total",
			Help: "Posts of on-call violation changes to a team's webhook that failed, by team.",
		}, []string{"team"}),
		series: map[[3]string]bool{},
	}
	for _, r := range []string{ReasonToken, ReasonUnauthorized, ReasonUnavailable, ReasonOther} {
		m.failures.WithLabelValues(r)
	}
	return m, m.register(reg)
}

// register registers every metric on reg, or none: on a conflict the ones
// already registered are unregistered.
func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	cs := []prometheus.Collector{m.violations, m.checked, m.lastSuccess, m.failures, m.up, m.webhookFailures}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return fmt.Errorf("register on-call metrics: %w", err)
		}
	}
	return nil
}

// failed records a check that could not read PagerDuty.
func (m *metrics) failed(err error) {
	m.failures.WithLabelValues(FailureReason(err)).Inc()
	m.up.Set(0)
}

// succeeded records the report of a successful check started at started.
// The series of violations fixed since the last success are removed.
func (m *metrics) succeeded(started time.Time, rep Report) {
	m.up.Set(1)
	m.checked.Set(float64(rep.Checked))
	m.lastSuccess.Set(float64(started.UnixNano()) / 1e9)
	m.setViolations(rep.Violations)
}

// setViolations sets vigil_oncall_violations to the counts of vs.
func (m *metrics) setViolations(vs []Violation) {
	counts := make(map[[3]string]int, len(vs))
	for _, v := range vs {
		counts[[3]string{v.Policy, v.Team, v.Check}]++
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.series {
		if _, still := counts[k]; !still {
			m.violations.DeleteLabelValues(k[0], k[1], k[2])
			delete(m.series, k)
		}
	}
	for k, n := range counts {
		m.violations.WithLabelValues(k[0], k[1], k[2]).Set(float64(n))
		m.series[k] = true
	}
}
