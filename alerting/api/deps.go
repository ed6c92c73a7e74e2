package api

import (
	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// DependencyGraph is the data of /api/v1/deps: the dependency graph with
// the current state of each node.
type DependencyGraph struct {
	Nodes []DependencyNode `json:"nodes"`
	Edges []DependencyEdge `json:"edges"`
}

// DependencyNode is an alert or a service of the graph.
type DependencyNode struct {
	Name string `json:"name"`
	// Kind is "alert" or "service".
	Kind string `json:"kind"`
	// File and Line are where the node was declared.
	File string `json:"file"`
	Line int    `json:"line"`
	// Firing counts the node's firing and unknown alerts: an alert's own
	// instances, or the instances of every alert that belongs to a service.
	Firing int `json:"firing"`
	// Suppressed counts those of the Firing alerts that are suppressed.
	Suppressed int `json:"suppressed"`
	// Weight is a service's share of user-facing requests, in [0, 1];
	// omitted for alerts and when weights are not configured.
	Weight *float64 `json:"weight,omitempty"`
	// CriticalPath is whether Weight is at least the critical threshold;
	// omitted when Weight is.
	CriticalPath *bool `json:"criticalPath,omitempty"`
}

// DependencyEdge is an edge of the graph, from the dependent to what it
// depends on.
type DependencyEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Kind is "depends_on" (alert to alert), "member" (alert to its service)
	// or "service" (service to service).
	Kind string `json:"kind"`
	// Match lists the labels that must be equal between the two ends; [] for
	// none.
	Match []string `json:"match"`
	// AllOf lists the alternatives of an all_of dependency, which explains
	// only when each of them fires; omitted otherwise.
	AllOf []string `json:"allOf,omitempty"`
	// File and Line are where the edge was declared; omitted when unknown.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// nodeKey names a node: an alert and a service may share a name.
type nodeKey struct{ kind, name string }

// nodeCount is the number of firing and suppressed alerts of a node.
type nodeCount struct{ firing, suppressed int }

// dependencyGraphOf converts g, with the state counts computed from alerts
// and the service weights (nil: not configured) with their critical
// threshold.
func dependencyGraphOf(g *depgraph.Graph, alerts []alerting.Alert, weights map[string]float64, critical float64) *DependencyGraph {
	out := &DependencyGraph{Nodes: []DependencyNode{}, Edges: []DependencyEdge{}}
	if g == nil {
		return out
	}
	counts := countNodes(g, alerts)
	for _, n := range g.Nodes() {
		out.Nodes = append(out.Nodes, nodeOf(n, counts[nodeKey{n.Kind, n.Name}], weights, critical))
	}
	for _, e := range g.Edges() {
		out.Edges = append(out.Edges, edgeOf(e))
	}
	return out
}

// nodeOf converts one node.
func nodeOf(n depgraph.Node, c nodeCount, weights map[string]float64, critical float64) DependencyNode {
	out := DependencyNode{
		Name: n.Name, Kind: n.Kind, File: n.File, Line: n.Line,
		Firing: c.firing, Suppressed: c.suppressed,
	}
	if n.Kind == depgraph.KindService && weights != nil {
		w := weights[n.Name]
		onPath := w >= critical
		out.Weight, out.CriticalPath = &w, &onPath
	}
	return out
}

// edgeOf converts one edge.
func edgeOf(e depgraph.Edge) DependencyEdge {
	match := e.Match
	if match == nil {
		match = []string{}
	}
	return DependencyEdge{From: e.From, To: e.To, Kind: e.Kind, Match: match, AllOf: e.AllOf, File: e.File, Line: e.Line}
}

// countNodes counts the firing and suppressed alerts of each node: per
// alert name, and per service the alert instance belongs to.
func countNodes(g *depgraph.Graph, alerts []alerting.Alert) map[nodeKey]nodeCount {
	counts := map[nodeKey]nodeCount{}
	for _, al := range alerts {
		if !firing(al) {
			continue
		}
		name := al.Labels.Get(labels.AlertName)
		counts[nodeKey{depgraph.KindAlert, name}] = counts[nodeKey{depgraph.KindAlert, name}].add(al)
		for _, s := range g.ServiceOf(name, al.Labels) {
			counts[nodeKey{depgraph.KindService, s}] = counts[nodeKey{depgraph.KindService, s}].add(al)
		}
	}
	return counts
}

// add counts al.
func (c nodeCount) add(al alerting.Alert) nodeCount {
	c.firing++
	if al.Suppressed {
		c.suppressed++
	}
	return c
}

// firing reports whether al is firing in the dependency graph's sense:
// state firing or unknown, not resolved.
func firing(al alerting.Alert) bool {
	return (al.State == alerting.StateFiring || al.State == alerting.StateUnknown) && al.ResolvedAt.IsZero()
}
