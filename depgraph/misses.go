package depgraph

import (
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
)

// Miss is a firing instance of an ancestor that does not explain an alert
// instance, and why: labels of the path's match set differ, or an all_of
// group on the path lacks matching firing alternatives.
type Miss struct {
	// Cause is the firing instance and Path the path named: of the paths
	// to the cause, the one with the fewest differing labels, then the
	// shortest, then the first by names.
	Cause Instance
	Path  []string
	// Root is true when the cause is not itself explained by the same
	// firing set, as in Explanation.
	Root bool
	// Labels are every label of the path's match set on which the cause
	// and the dependent differ, by name; empty when they match.
	Labels []LabelDiff
	// AllOf is the first all_of group on the path with alternatives that
	// have no matching firing instance, Missing; empty when labels differ.
	AllOf   []string
	Missing []string
}

// LabelDiff is one label on which a cause and its dependent differ: Got is
// the cause's value and Want the dependent's ("" when not set).
type LabelDiff struct {
	Name, Want, Got string
}

// String says why in one line, such as `MetadataDBDown fires but region
// differs: us-west ≠ us-east, zone differs: z1 ≠ z2` (the cause's value
// first; an empty value reads `""`) or `ReplicaA fires but all_of
// [ReplicaA, ReplicaB] lacks a matching ReplicaB`.
func (m Miss) String() string {
	if len(m.Labels) > 0 {
		parts := make([]string, 0, len(m.Labels))
		for _, l := range m.Labels {
			parts = append(parts, l.Name+" differs: "+quoteEmpty(l.Got)+" ≠ "+quoteEmpty(l.Want))
		}
		return m.Cause.Alert + " fires but " + strings.Join(parts, ", ")
	}
	return m.Cause.Alert + " fires but all_of [" + strings.Join(m.AllOf, ", ") + "] lacks a matching " + strings.Join(m.Missing, ", ")
}

// quoteEmpty returns v, or `""` when v is empty.
func quoteEmpty(v string) string {
	if v == "" {
		return `""`
	}
	return v
}

// Misses returns the firing instances of d's ancestors that do not
// explain d, one per instance, sorted as Decision.By is (roots first, then
// by path length, then cause): what an operator asks about when an alert
// pages that they expected suppressed. Instances that do explain d are
// left out. It walks every endpoint and path, so it is for the API, not
// for every evaluation.
func (g *Graph) Misses(d Instance, firing *Firing) []Miss {
	if firing == nil || len(firing.inst) == 0 || g.alertID(d.Alert) < 0 {
		return nil
	}
	e := g.explainer(firing.viewFor(g), d)
	defer g.release(e)
	e.run(false)
	misses := map[int32]Miss{}
	for s := range e.srcs {
		e.collectMisses(int32(s), misses)
	}
	out := make([]Miss, 0, len(misses))
	for i, m := range misses {
		m.Root = !e.v.suppressed(i)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Miss) int {
		return cmpExplanations(Explanation{Cause: a.Cause, Path: a.Path, Root: a.Root}, Explanation{Cause: b.Cause, Path: b.Path, Root: b.Root})
	})
	return out
}

// collectMisses records, for every endpoint of source s and every firing
// instance there that does not explain d, why not: the fewest labels.
func (e *explainer) collectMisses(s int32, misses map[int32]Miss) {
	src := &e.srcs[s]
	for _, k := range src.cl.keys {
		st := &src.cl.states[k]
		for _, i := range e.v.at(st.node) {
			if e.pos[i] >= 0 || e.isSelf(e.v.inst[i]) {
				continue // it explains d, or it is d
			}
			m := e.why(found{inst: i, src: s, key: k})
			if old, ok := misses[i]; !ok || fewerLabels(m, old) {
				misses[i] = m
			}
		}
	}
}

// fewerLabels reports whether a names fewer differing labels than b, then
// a shorter path, then the first path by names.
func fewerLabels(a, b Miss) bool {
	switch {
	case len(a.Labels) != len(b.Labels):
		return len(a.Labels) < len(b.Labels)
	case len(a.Path) != len(b.Path):
		return len(a.Path) < len(b.Path)
	}
	return slices.Compare(a.Path, b.Path) < 0
}

// why explains why the cause of f does not explain d.
func (e *explainer) why(f found) Miss {
	src, c := &e.srcs[f.src], e.v.inst[f.inst]
	st := &src.cl.states[f.key]
	m := Miss{Cause: c, Path: e.path(f), Labels: e.g.differs(e.d, c, st.ls, src.ls)}
	if len(m.Labels) > 0 {
		return m
	}
	for _, set := range []struct{ cs, prefix int32 }{{src.cs, lsTop}, {st.cs, src.ls}} {
		for _, cd := range e.g.conds.sets[set.cs] {
			if alts := e.missingAlternatives(cd, set.prefix); len(alts) > 0 {
				m.AllOf, m.Missing = e.g.groupNames(cd.group), alts
				return m
			}
		}
	}
	return m
}

// differs returns the labels of a ∩ b on which d and c differ (every label
// but alertname when both are lsTop, as match asks for equal sets).
func (g *Graph) differs(d, c Instance, a, b int32) []LabelDiff {
	if a == lsTop {
		a, b = b, a
	}
	names := g.sets.sets[a]
	if a == lsTop {
		names = labelNames(d.Labels, c.Labels)
	}
	var out []LabelDiff
	for _, n := range names {
		if g.sets.has(b, n) && d.Labels.Get(n) != c.Labels.Get(n) {
			out = append(out, LabelDiff{Name: n, Want: d.Labels.Get(n), Got: c.Labels.Get(n)})
		}
	}
	return out
}

// labelNames returns the sorted names of the labels of a and b but
// alertname.
func labelNames(a, b labels.Labels) []string {
	var out []string
	add := func(l labels.Label) {
		if l.Name != labels.AlertName {
			out = append(out, l.Name)
		}
	}
	a.Range(add)
	b.Range(add)
	slices.Sort(out)
	return slices.Compact(out)
}

// missingAlternatives returns the alternatives of c's group without a
// firing instance matching d on c.ls ∩ prefix.
func (e *explainer) missingAlternatives(c cond, prefix int32) []string {
	var out []string
	for _, alt := range e.g.groups[c.group] {
		if !e.altFires(alt, c.ls, prefix) {
			out = append(out, e.g.names[alt])
		}
	}
	return out
}

// groupNames returns the alert names of an all_of group.
func (g *Graph) groupNames(group int32) []string {
	var out []string
	for _, a := range g.groups[group] {
		out = append(out, g.names[a])
	}
	return out
}
