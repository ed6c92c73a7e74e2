package api

import (
	"strconv"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// AlertDiscovery is the data of /api/v1/alerts.
type AlertDiscovery struct {
	Alerts []Alert `json:"alerts"`
}

// Alert is one active alert in Prometheus' shape, followed by Vigil's
// additions.
type Alert struct {
	Labels      labels.Labels `json:"labels"`
	Annotations labels.Labels `json:"annotations"`
	// State is "pending", "firing" or Vigil's "unknown".
	State string `json:"state"`
	// ActiveAt is when the alert became pending; always set.
	ActiveAt *time.Time `json:"activeAt,omitempty"`
	// KeepFiringSince is when the condition cleared while keep_firing_for
	// holds the alert firing; nil otherwise.
	KeepFiringSince *time.Time `json:"keepFiringSince,omitempty"`
	// Value is the expression's value, formatted as Prometheus does.
	Value string `json:"value"`

	// UnknownSince is when the alert's input data went missing; set in the
	// "unknown" state only. Vigil's addition.
	UnknownSince *time.Time `json:"unknownSince,omitempty"`
	// Suppressed is whether a firing cause explains the alert, so that it
	// does not page; always present. Vigil's addition.
	Suppressed bool `json:"suppressed"`
	// SuppressedBy lists the causes that explain the alert, root causes
	// first; omitted when not suppressed. Vigil's addition.
	SuppressedBy []Cause `json:"suppressedBy,omitempty"`
	// Held is whether the alert waits for pending causes before it may page;
	// omitted when false. Vigil's addition.
	Held bool `json:"held,omitempty"`
}

// Cause is a firing alert instance that explains a suppressed one.
type Cause struct {
	// AlertName is the cause's alert name.
	AlertName string `json:"alertname"`
	// Labels are the cause's labels, alertname included.
	Labels labels.Labels `json:"labels"`
	// Path names the nodes of the dependency graph from the suppressed
	// alert to the cause, both included.
	Path []string `json:"path"`
	// Root is whether the cause is not itself suppressed: the one that pages.
	Root bool `json:"root"`
}

// alertsOf converts the active alerts of as, in order. The result is never
// nil, so that no alerts is [] as in Prometheus.
func alertsOf(as []alerting.Alert) []Alert {
	out := make([]Alert, 0, len(as))
	for _, a := range as {
		if active(a) {
			out = append(out, alertOf(a))
		}
	}
	return out
}

// active reports whether a is pending, firing or unknown: Prometheus lists
// no resolved alert, even one its rule still remembers.
func active(a alerting.Alert) bool {
	return a.State != alerting.StateInactive && a.ResolvedAt.IsZero()
}

// alertOf converts one alert.
func alertOf(a alerting.Alert) Alert {
	out := Alert{
		Labels:      a.Labels,
		Annotations: a.Annotations,
		State:       a.State.String(),
		ActiveAt:    &a.ActiveAt,
		Value:       formatValue(a.Value),
	}
	if !a.KeepFiringSince.IsZero() {
		out.KeepFiringSince = &a.KeepFiringSince
	}
	if a.State == alerting.StateUnknown && !a.UnknownSince.IsZero() {
		out.UnknownSince = &a.UnknownSince
	}
	out.Suppressed, out.Held = a.Suppressed, a.Held
	if a.Suppressed {
		out.SuppressedBy = causesOf(a.SuppressedBy)
	}
	return out
}

// causesOf converts the explanations of a decision, in order. The result is
// never nil: [] when there are none.
func causesOf(by []depgraph.Explanation) []Cause {
	out := make([]Cause, 0, len(by))
	for _, e := range by {
		out = append(out, causeOf(e))
	}
	return out
}

// causeOf converts one explanation.
func causeOf(e depgraph.Explanation) Cause {
	path := e.Path
	if path == nil {
		path = []string{}
	}
	return Cause{AlertName: e.Cause.Alert, Labels: e.Cause.Labels, Path: path, Root: e.Root}
}

// formatValue formats an alert's value as Prometheus' API does:
// 0.75 → "7.5e-01", 1 → "1e+00", NaN → "NaN", +Inf → "+Inf".
func formatValue(v float64) string {
	return strconv.FormatFloat(v, 'e', -1, 64)
}
