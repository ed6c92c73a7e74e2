package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/depgraph"
)

// depsGraph serves /api/v1/deps: the graph, each node with the current
// counts of its firing and suppressed alerts and, for services, their
// weights. It takes no parameters.
func (a *API) depsGraph(*http.Request) (any, error) {
	return dependencyGraphOf(a.deps.Graph(), a.src.Alerts(), a.deps.Weights(), a.deps.CriticalThreshold()), nil
}

// explain serves /api/v1/deps/explain?alert=NAME&labels={…}: whether that
// alert instance is suppressed by the alerts firing now, and why.
func (a *API) explain(r *http.Request) (any, error) {
	g := a.deps.Graph()
	in, err := a.parseInstance(r, g)
	if err != nil {
		return nil, err
	}
	d := a.deps.Explain(in.Alert, in.Labels)
	return &Explanation{
		Alert: in.Alert, Labels: in.Labels, Suppressed: d.Suppressed,
		By: causesOf(d.By), Reason: reason(g, in, d, a.src.Alerts()),
	}, nil
}

// parseInstance reads the alert and labels parameters: an alert of g and
// a label set in PromQL's syntax ({region="us-east"}; empty when absent).
// The instance's labels include alertname.
func (a *API) parseInstance(r *http.Request, g *depgraph.Graph) (depgraph.Instance, error) {
	if err := r.ParseForm(); err != nil {
		return depgraph.Instance{}, badData(fmt.Errorf("error parsing form values: %w", err))
	}
	name := r.Form.Get("alert")
	if name == "" {
		return depgraph.Instance{}, invalidParam(errors.New("an alert name is required"), "alert")
	}
	if !hasAlert(g, name) {
		return depgraph.Instance{}, invalidParam(fmt.Errorf("no alerting rule %q in the dependency graph", name), "alert")
	}
	ls, err := a.parseLabels(r.Form.Get("labels"), name)
	if err != nil {
		return depgraph.Instance{}, invalidParam(err, "labels")
	}
	return depgraph.Instance{Alert: name, Labels: ls}, nil
}

// parseLabels parses s, a label set such as {region="us-east"}, and sets
// alertname to alert. A label with an empty value is absent, as in PromQL.
func (a *API) parseLabels(s, alert string) (labels.Labels, error) {
	ls, err := a.parser.ParseMetric(s)
	if err != nil {
		return labels.EmptyLabels(), err
	}
	if ls.Has(labels.MetricName) {
		return labels.EmptyLabels(), fmt.Errorf("want a label set such as {region=\"us-east\"}, not the series %s", ls)
	}
	if name, dup := ls.HasDuplicateLabelNames(); dup {
		return labels.EmptyLabels(), fmt.Errorf("label %q is set twice", name)
	}
	if name := ls.Get(labels.AlertName); name != "" && name != alert {
		return labels.EmptyLabels(), fmt.Errorf("alertname %q differs from the alert parameter %q", name, alert)
	}
	return withAlertName(ls, alert), nil
}

// withAlertName returns ls with alertname set and empty values dropped.
func withAlertName(ls labels.Labels, alert string) labels.Labels {
	b := labels.NewScratchBuilder(ls.Len() + 1)
	b.Add(labels.AlertName, alert)
	ls.Range(func(l labels.Label) {
		if l.Value != "" && l.Name != labels.AlertName {
			b.Add(l.Name, l.Value)
		}
	})
	b.Sort()
	return b.Labels()
}

// hasAlert reports whether g has an alert node named name.
func hasAlert(g *depgraph.Graph, name string) bool {
	if g == nil {
		return false
	}
	for _, n := range g.Nodes() {
		if n.Kind == depgraph.KindAlert && n.Name == name {
			return true
		}
	}
	return false
}
