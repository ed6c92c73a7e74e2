package api

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/depgraph"
)

// explainWith decides in against the firing set made of sets.
func explainWith(g *depgraph.Graph, in depgraph.Instance, sets ...[]depgraph.Instance) depgraph.Decision {
	return g.Explain(in, firingOf(sets...))
}

// firingOf returns the firing set made of sets.
func firingOf(sets ...[]depgraph.Instance) *depgraph.Firing {
	f := depgraph.NewFiring()
	for _, set := range sets {
		for _, c := range set {
			f.Add(c)
		}
	}
	return f
}

// explainedBy reports whether one of causes explains in d.
func explainedBy(d depgraph.Decision, causes []depgraph.Instance) bool {
	return slices.ContainsFunc(d.By, func(e depgraph.Explanation) bool {
		return slices.ContainsFunc(causes, sameAs(e.Cause))
	})
}

// sameAs returns a test for instances equal to in.
func sameAs(in depgraph.Instance) func(depgraph.Instance) bool {
	return func(c depgraph.Instance) bool {
		return c.Alert == in.Alert && labels.Equal(c.Labels, in.Labels)
	}
}

// alignAll aligns each of cs with in.
func alignAll(g *depgraph.Graph, cs []depgraph.Instance, in depgraph.Instance) []depgraph.Instance {
	out := make([]depgraph.Instance, len(cs))
	for i, c := range cs {
		out[i] = align(g, c, in)
	}
	return out
}

// align returns c with in's label values, except alertname and the labels
// that decide c's services (so that it stays a member of the same ones):
// whatever labels a path to c asks to be equal, they are.
func align(g *depgraph.Graph, c, in depgraph.Instance) depgraph.Instance {
	names := slices.DeleteFunc(differingLabels(c.Labels, in.Labels), func(l string) bool {
		return decidesServices(g, c, l, in.Labels.Get(l))
	})
	return alignOn(c, in, names)
}

// alignOn returns c with in's values of the labels names ("" deletes).
func alignOn(c, in depgraph.Instance, names []string) depgraph.Instance {
	b := labels.NewBuilder(c.Labels)
	for _, l := range names {
		b.Set(l, in.Labels.Get(l))
	}
	return depgraph.Instance{Alert: c.Alert, Labels: b.Labels()}
}

// differingLabels returns, sorted, the names of the labels other than
// alertname whose values differ between a and b (a missing label has the
// value "").
func differingLabels(a, b labels.Labels) []string {
	var out []string
	add := func(l labels.Label) {
		if l.Name != labels.AlertName && a.Get(l.Name) != b.Get(l.Name) && !slices.Contains(out, l.Name) {
			out = append(out, l.Name)
		}
	}
	a.Range(add)
	b.Range(add)
	slices.Sort(out)
	return out
}

// decidesServices reports whether setting label l of c to v changes the
// services c belongs to.
func decidesServices(g *depgraph.Graph, c depgraph.Instance, l, v string) bool {
	changed := labels.NewBuilder(c.Labels).Set(l, v).Labels()
	return !slices.Equal(g.ServiceOf(c.Alert, c.Labels), g.ServiceOf(c.Alert, changed))
}
