package api

import (
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// Why no alert explains an instance is found by the graph, so that the
// words follow its semantics exactly (transitivity, match lists, all_of,
// ignore_service_dependencies) without walking it here:
//
//   - the all_of groups that lack an alternative come from Graph.Misses;
//   - the pending alerts added to the firing set: those that then explain
//     hold the instance;
//   - every firing alert aligned with the instance (its label values set
//     to the instance's, except alertname and the labels that decide its
//     services): those that then explain differ only in labels, and
//     dropping the aligned labels each can do without leaves every label a
//     path asks for. Graph.Misses names only the first label that differs,
//     so label misses stay here until a Miss carries them all.
//
// Each question builds a firing set of the active alerts: this serves a
// person asking, not the evaluation loop.

// noFiringAncestor is the reason when no alert the instance depends on is
// active.
const noFiringAncestor = "no firing ancestor"

// whyNot words why no alert active now explains in.
func whyNot(g *depgraph.Graph, in depgraph.Instance, alerts []alerting.Alert) string {
	if g == nil {
		return noFiringAncestor
	}
	fires, pends := splitActive(alerts)
	aligned := alignAll(g, fires, in)
	parts := pendingCauses(g, in, fires, pends)
	parts = append(parts, labelMisses(g, in, fires, aligned)...)
	parts = append(parts, groupMisses(g, in, fires)...)
	switch {
	case len(parts) > 0:
		return strings.Join(parts, "; ")
	case !dependsOnAnything(g, in):
		return noFiringAncestor + ": " + in.Alert + " depends on no alert or service"
	default:
		return noFiringAncestor
	}
}

// splitActive returns the instances of the firing (or unknown) alerts and
// of the pending ones.
func splitActive(alerts []alerting.Alert) (fires, pends []depgraph.Instance) {
	for _, al := range alerts {
		in := depgraph.Instance{Alert: al.Labels.Get(labels.AlertName), Labels: al.Labels}
		switch {
		case firing(al):
			fires = append(fires, in)
		case active(al):
			pends = append(pends, in)
		}
	}
	return fires, pends
}

// pendingCauses words the pending alerts that would explain in once they
// fire: `MetadataDBDown{region="eu"} is pending, not firing yet`.
func pendingCauses(g *depgraph.Graph, in depgraph.Instance, fires, pends []depgraph.Instance) []string {
	if len(pends) == 0 {
		return nil
	}
	var out []string
	for _, e := range explainWith(g, in, fires, pends).By {
		if slices.ContainsFunc(pends, sameAs(e.Cause)) {
			out = append(out, e.Cause.String()+" is pending, not firing yet")
		}
	}
	return out
}

// labelMisses words the firing alerts that would explain in if some of
// their labels were equal to in's, the first cause per alert name in the
// graph's order: "MetadataDBDown fires but region differs: us-west ≠
// us-east".
func labelMisses(g *depgraph.Graph, in depgraph.Instance, fires, aligned []depgraph.Instance) []string {
	var out []string
	named := map[string]bool{}
	for _, e := range explainWith(g, in, aligned).By {
		i := slices.IndexFunc(aligned, sameAs(e.Cause))
		if i < 0 || named[e.Cause.Alert] || sameAs(fires[i])(aligned[i]) {
			continue // an alert that matches as it is explains with the others aligned (all_of)
		}
		named[e.Cause.Alert] = true
		out = append(out, fires[i].Alert+" fires but "+differences(fires[i], in, askedLabels(g, in, aligned, i, fires[i])))
	}
	return out
}

// askedLabels returns labels that, made equal to in's, let cause i
// explain in: those aligning changed, less each one it can do without (in
// name order). When paths ask for different labels, these are one path's.
func askedLabels(g *depgraph.Graph, in depgraph.Instance, aligned []depgraph.Instance, i int, orig depgraph.Instance) []string {
	asked := differingLabels(orig.Labels, aligned[i].Labels)
	try := slices.Clone(aligned)
	for j := 0; j < len(asked); {
		without := slices.Delete(slices.Clone(asked), j, j+1)
		try[i] = alignOn(orig, in, without)
		if explainedBy(explainWith(g, in, try), try[i:i+1]) {
			asked = without
		} else {
			j++
		}
	}
	return asked
}

// differences words the labels that differ between cause c and in:
// "region differs: us-west ≠ us-east".
func differences(c, in depgraph.Instance, names []string) string {
	parts := make([]string, 0, len(names))
	for _, l := range names {
		parts = append(parts, l+" differs: "+valueOf(c.Labels, l)+" ≠ "+valueOf(in.Labels, l))
	}
	return strings.Join(parts, ", ")
}

// valueOf is the value of label l in ls, or `""` when it is not set.
func valueOf(ls labels.Labels, l string) string {
	if v := ls.Get(l); v != "" {
		return v
	}
	return `""`
}

// groupMisses words the all_of groups on in's paths that lack a matching
// firing alternative, as the graph's Misses finds them: "ReplicaADown
// fires but all_of [ReplicaADown, ReplicaBDown] lacks a matching
// ReplicaBDown". Its label misses are left to labelMisses, which names
// every label a path asks for (Miss names the first only).
func groupMisses(g *depgraph.Graph, in depgraph.Instance, fires []depgraph.Instance) []string {
	var out []string
	for _, m := range g.Misses(in, firingOf(fires)) {
		if m.Label == "" && len(m.AllOf) > 0 && !slices.Contains(out, m.String()) {
			out = append(out, m.String())
		}
	}
	return out
}

// dependsOnAnything reports whether in has an edge to follow: a depends_on
// of its alert, or a dependency of one of its services.
func dependsOnAnything(g *depgraph.Graph, in depgraph.Instance) bool {
	svcs := g.ServiceOf(in.Alert, in.Labels)
	return slices.ContainsFunc(g.Edges(), func(e depgraph.Edge) bool {
		return e.Kind == depgraph.EdgeDependsOn && e.From == in.Alert ||
			e.Kind == depgraph.EdgeService && slices.Contains(svcs, e.From)
	})
}
