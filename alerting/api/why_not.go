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
//   - the pending alerts added to the firing set: those that then explain
//     hold the instance;
//   - the firing alerts that do not explain, and why (every label of a
//     path's match set that differs, or the all_of alternatives missing),
//     come from Graph.Misses, one line per alert name, root causes first
//     (then nearest first), as Graph.Misses sorts them.
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
	parts := pendingCauses(g, in, fires, pends)
	parts = append(parts, misses(g, in, fires)...)
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

// misses words the firing alerts that do not explain in, the first
// instance per alert name in the graph's order: "MetadataDBDown fires but
// region differs: us-west ≠ us-east" or "ReplicaADown fires but all_of
// [ReplicaADown, ReplicaBDown] lacks a matching ReplicaBDown".
func misses(g *depgraph.Graph, in depgraph.Instance, fires []depgraph.Instance) []string {
	var out []string
	named := map[string]bool{}
	for _, m := range g.Misses(in, firingOf(fires)) {
		if !named[m.Cause.Alert] {
			named[m.Cause.Alert] = true
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
