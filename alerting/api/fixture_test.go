package api

import (
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// fakeSource is a Source with fixed data.
type fakeSource struct {
	groups []alerting.GroupStatus
	alerts []alerting.Alert
}

// Groups returns the fixed groups.
func (s fakeSource) Groups() []alerting.GroupStatus { return s.groups }

// Alerts returns the fixed alerts.
func (s fakeSource) Alerts() []alerting.Alert { return s.alerts }

// at returns 2026-03-01T12:00:00Z plus d.
func at(d time.Duration) time.Time {
	return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(d)
}

// webAlert is an alert of HighErrorRate for instance.
func webAlert(instance string, state alerting.State, value float64, activeAt time.Time) alerting.Alert {
	return alerting.Alert{
		Labels:      labels.FromStrings("alertname", "HighErrorRate", "instance", instance, "severity", "page", "team", "web"),
		Annotations: labels.FromStrings("summary", "Errors on "+instance+" > 50%"),
		State:       state,
		Value:       value,
		ActiveAt:    activeAt,
	}
}

// testAlerts are HighErrorRate's alerts: pending (a), firing and kept firing
// (b), unknown (c), and resolved (d, never listed).
func testAlerts() []alerting.Alert {
	a := webAlert("a", alerting.StatePending, 0.75, at(50*time.Second))
	b := webAlert("b", alerting.StateFiring, 1, at(-30*time.Second))
	b.FiredAt, b.KeepFiringSince = at(-10*time.Second), at(40*time.Second)
	c := webAlert("c", alerting.StateUnknown, 2.5, at(-10*time.Minute))
	c.FiredAt, c.UnknownSince = at(-9*time.Minute), at(20*time.Second+123456789)
	d := webAlert("d", alerting.StateInactive, 0.6, at(-time.Hour))
	d.FiredAt, d.ResolvedAt = at(-50*time.Minute), at(-5*time.Minute)
	return []alerting.Alert{a, b, c, d}
}

// webGroupStatus has an alerting rule with alerts in every state and a
// recording rule.
func webGroupStatus() alerting.GroupStatus {
	return alerting.GroupStatus{
		Name: "web", File: "/etc/vigil/rules/web.yml", Interval: 10 * time.Second,
		LastEvaluation: at(time.Minute), EvaluationTime: 2 * time.Millisecond,
		Rules: []alerting.RuleStatus{{
			Type: "alerting", Name: "HighErrorRate",
			Query:    "sum by (instance) (rate(http_errors_total[5m])) > 0.5",
			Duration: 20 * time.Second, KeepFiringFor: time.Minute,
			Labels:      labels.FromStrings("severity", "page", "team", "web"),
			Annotations: labels.FromStrings("summary", "Errors on {{ $labels.instance }} > 50%"),
			State:       "firing", Unknown: 1, Alerts: testAlerts(), Health: "ok",
			LastEvaluation: at(time.Minute), EvaluationTime: 1500 * time.Microsecond,
		}, {
			Type: "recording", Name: "job:http_errors:rate5m",
			Query:  "sum by (job) (rate(http_errors_total[5m]))",
			Labels: labels.FromStrings("team", "web"), Health: "ok",
			LastEvaluation: at(time.Minute), EvaluationTime: 300 * time.Nanosecond,
		}},
	}
}

// dbGroupStatus has a failing alerting rule and a recording rule not
// evaluated yet.
func dbGroupStatus() alerting.GroupStatus {
	return alerting.GroupStatus{
		Name: "db", File: "/etc/vigil/rules/db.yml", Interval: 30 * time.Second, Limit: 5,
		LastEvaluation: at(30*time.Second + 500*time.Millisecond), EvaluationTime: 10 * time.Second,
		Rules: []alerting.RuleStatus{{
			Type: "alerting", Name: "DBDown", Query: `up{job="db"} == 0`,
			Duration: 5 * time.Minute, Labels: labels.FromStrings("severity", "ticket"),
			State: "inactive", Health: "err", LastError: "query timed out in expression evaluation",
			LastEvaluation: at(30*time.Second + 500*time.Millisecond), EvaluationTime: 10 * time.Second,
		}, {
			Type: "recording", Name: "db:up:sum", Query: `sum(up{job="db"})`,
		}},
	}
}

// testSource holds, out of order, the web group, the db group and a group
// with no rules (never listed); and HighErrorRate's alerts.
func testSource() fakeSource {
	empty := alerting.GroupStatus{Name: "empty", File: "/etc/vigil/rules/db.yml", Interval: time.Minute}
	return fakeSource{
		groups: []alerting.GroupStatus{webGroupStatus(), empty, dbGroupStatus()},
		alerts: testAlerts(),
	}
}

// Special values for TestFormatValue.
var (
	posInf = math.Inf(1)
	nan    = math.NaN()
)
