package api

import (
	"strings"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// Explanation is the data of /api/v1/deps/explain: the decision for one
// alert instance against the alerts firing now.
type Explanation struct {
	Alert string `json:"alert"`
	// Labels are the instance's labels, alertname included.
	Labels labels.Labels `json:"labels"`
	// Suppressed is whether a firing cause explains the instance.
	Suppressed bool `json:"suppressed"`
	// By lists the causes that explain it, root causes first; [] when not
	// suppressed.
	By []Cause `json:"by"`
	// Reason says why in words: which causes explain the instance, or why
	// none does (no firing ancestor, or which one fires with which label
	// different).
	Reason string `json:"reason"`
}

// reason words decision d for instance in: its causes when suppressed,
// otherwise what keeps the alerts active now from explaining it.
func reason(g *depgraph.Graph, in depgraph.Instance, d depgraph.Decision, alerts []alerting.Alert) string {
	if d.Suppressed {
		return suppressedReason(d.By)
	}
	return whyNot(g, in, alerts)
}

// suppressedReason lists the causes with their paths:
// `MetadataDBDown{region="us-east"} fires: WebErrors → web → metadata-db → MetadataDBDown`
// (arrows, not "->", which JSON would escape as "-\u003e").
func suppressedReason(by []depgraph.Explanation) string {
	parts := make([]string, 0, len(by))
	for _, e := range by {
		parts = append(parts, e.Cause.String()+" fires: "+strings.Join(e.Path, " → "))
	}
	return strings.Join(parts, "; ")
}
