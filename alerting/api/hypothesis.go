package api

import (
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

// sameAs returns a test for instances equal to in.
func sameAs(in depgraph.Instance) func(depgraph.Instance) bool {
	return func(c depgraph.Instance) bool {
		return c.Alert == in.Alert && labels.Equal(c.Labels, in.Labels)
	}
}
