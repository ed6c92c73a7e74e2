package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// The dependency scenario of the suppression tests. The graph:
//
//	services (deps.yml): web (alerts: WebErrors) depends on metadata-db,
//	  match region; metadata-db (its alerts carry service="metadata-db");
//	  checkout (alerts: CheckoutFailing)
//	rules: WebLatency depends on WebErrors, match region; CheckoutFailing
//	  depends on all_of [ReplicaADown, ReplicaBDown], match region;
//	  DiskFull depends on nothing
//
// The alerts (depsAlerts): the metadata database of us-east is down, which
// explains web's errors in us-east and through them web's latency there;
// web's errors in us-west have no cause; in eu the database alert is only
// pending, so web's errors there are held.

// depsSpecs are the scenario's alerting rules.
func depsSpecs() []depgraph.AlertSpec {
	return []depgraph.AlertSpec{
		{Name: "MetadataDBDown", File: "db.yml", Line: 3},
		{Name: "ReplicaADown", File: "db.yml", Line: 6},
		{Name: "ReplicaBDown", File: "db.yml", Line: 9},
		{Name: "WebErrors", File: "web.yml", Line: 3},
		{Name: "WebLatency", File: "web.yml", Line: 6, DependsOn: []depgraph.Dependency{
			{Alert: "WebErrors", Match: []string{"region"}, File: "web.yml", Line: 8},
		}},
		{Name: "CheckoutFailing", File: "checkout.yml", Line: 3, DependsOn: []depgraph.Dependency{
			{AllOf: []string{"ReplicaADown", "ReplicaBDown"}, Match: []string{"region"}, File: "checkout.yml", Line: 5},
		}},
		{Name: "DiskFull", File: "node.yml", Line: 3},
	}
}

// depsServices is the scenario's services file.
func depsServices() []depgraph.Services {
	return []depgraph.Services{{Services: []depgraph.Service{
		{Name: "web", File: "deps.yml", Line: 2, Alerts: []string{"WebErrors"}, DependsOn: []depgraph.ServiceDependency{
			{Service: "metadata-db", Match: []string{"region"}, File: "deps.yml", Line: 3},
		}},
		{Name: "metadata-db", File: "deps.yml", Line: 5},
		{Name: "checkout", File: "deps.yml", Line: 6, Alerts: []string{"CheckoutFailing"}},
	}}}
}

// depsGraph builds the scenario's graph.
func depsGraph(t *testing.T) *depgraph.Graph {
	t.Helper()
	g, err := depgraph.Build(depsSpecs(), depsServices())
	require.NoError(t, err)
	return g
}

// depsAlert is an alert with labels ls, active since activeAt.
func depsAlert(ls labels.Labels, state alerting.State, activeAt time.Time) alerting.Alert {
	return alerting.Alert{Labels: ls, Annotations: labels.EmptyLabels(), State: state, Value: 1, ActiveAt: activeAt}
}

// The scenario's instances.
var (
	dbDownEast    = labels.FromStrings("alertname", "MetadataDBDown", "region", "us-east", "service", "metadata-db")
	dbDownEU      = labels.FromStrings("alertname", "MetadataDBDown", "region", "eu", "service", "metadata-db")
	webErrorsEast = labels.FromStrings("alertname", "WebErrors", "region", "us-east")
	webErrorsWest = labels.FromStrings("alertname", "WebErrors", "region", "us-west")
	webErrorsEU   = labels.FromStrings("alertname", "WebErrors", "region", "eu")
	latencyEast   = labels.FromStrings("alertname", "WebLatency", "region", "us-east")
)

// depsAlerts are the active alerts of the scenario, with the decisions
// the Manager would have set.
func depsAlerts() []alerting.Alert {
	db := depsAlert(dbDownEast, alerting.StateFiring, at(0))
	dbEU := depsAlert(dbDownEU, alerting.StatePending, at(50*time.Second))
	east := depsAlert(webErrorsEast, alerting.StateFiring, at(10*time.Second))
	east.Suppressed = true
	east.SuppressedBy = []depgraph.Explanation{{Cause: instance(dbDownEast), Path: []string{"WebErrors", "web", "metadata-db", "MetadataDBDown"}, Root: true}}
	west := depsAlert(webErrorsWest, alerting.StateFiring, at(20*time.Second))
	eu := depsAlert(webErrorsEU, alerting.StateFiring, at(40*time.Second))
	eu.Held = true
	latency := depsAlert(latencyEast, alerting.StateUnknown, at(30*time.Second))
	latency.UnknownSince = at(time.Minute)
	latency.Suppressed = true
	latency.SuppressedBy = []depgraph.Explanation{
		{Cause: instance(dbDownEast), Path: []string{"WebLatency", "WebErrors", "web", "metadata-db", "MetadataDBDown"}, Root: true},
		{Cause: instance(webErrorsEast), Path: []string{"WebLatency", "WebErrors"}},
	}
	return []alerting.Alert{db, dbEU, east, west, eu, latency}
}

// instance is the graph's view of an alert with labels ls.
func instance(ls labels.Labels) depgraph.Instance {
	return depgraph.Instance{Alert: ls.Get(labels.AlertName), Labels: ls}
}

// depsAlertsOf returns the alerts of depsAlerts named name.
func depsAlertsOf(name string) []alerting.Alert {
	var out []alerting.Alert
	for _, a := range depsAlerts() {
		if a.Labels.Get(labels.AlertName) == name {
			out = append(out, a)
		}
	}
	return out
}

// depsGroupStatus is the group of the scenario's web rules.
func depsGroupStatus() alerting.GroupStatus {
	return alerting.GroupStatus{
		Name: "web", File: "web.yml", Interval: 10 * time.Second,
		LastEvaluation: at(time.Minute), EvaluationTime: time.Millisecond,
		Rules: []alerting.RuleStatus{
			depsRule("WebErrors", "firing", depsAlertsOf("WebErrors")),
			depsRule("WebLatency", "firing", depsAlertsOf("WebLatency")),
		},
	}
}

// depsRule is an alerting rule of the scenario.
func depsRule(name, state string, alerts []alerting.Alert) alerting.RuleStatus {
	return alerting.RuleStatus{
		Type: "alerting", Name: name, Query: name + "_condition > 0",
		Labels: labels.EmptyLabels(), Annotations: labels.EmptyLabels(),
		State: state, Alerts: alerts, Health: "ok",
		LastEvaluation: at(time.Minute), EvaluationTime: time.Millisecond,
	}
}

// fakeDeps is a Deps over a fixed graph and weights, deciding as the
// Manager does: against the firing and unknown alerts of alerts.
type fakeDeps struct {
	graph    *depgraph.Graph
	weights  map[string]float64
	critical float64
	alerts   []alerting.Alert
}

// Graph returns the fixed graph.
func (d fakeDeps) Graph() *depgraph.Graph { return d.graph }

// Weights returns the fixed weights.
func (d fakeDeps) Weights() map[string]float64 { return d.weights }

// CriticalThreshold returns the fixed threshold.
func (d fakeDeps) CriticalThreshold() float64 { return d.critical }

// Explain decides against the firing and unknown alerts.
func (d fakeDeps) Explain(alert string, ls labels.Labels) depgraph.Decision {
	f := depgraph.NewFiring()
	for _, a := range d.alerts {
		if a.State == alerting.StateFiring || a.State == alerting.StateUnknown {
			f.Add(instance(a.Labels))
		}
	}
	return d.graph.Explain(depgraph.Instance{Alert: alert, Labels: ls}, f)
}
