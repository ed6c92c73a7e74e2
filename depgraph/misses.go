package depgraph

import (
	"slices"
	"strings"
)

// Miss is a firing instance of an ancestor that does not explain an alert
// instance, and why: a label of the path's match set differs, or an all_of
// group on the path lacks a matching firing alternative.
type Miss struct {
	// Cause is the firing instance and Path the shortest path to it.
	Cause Instance
	Path  []string
	// Label is the first label whose values differ, Want the dependent's
	// value and Got the cause's; empty when the labels match.
	Label, Want, Got string
	// AllOf is the group one of whose alternatives, Missing, has no
	// matching firing instance; empty when the labels differ.
	AllOf   []string
	Missing string
}

// String says why in one line, such as `MetadataDBDown fires but region
// differs: us-west ≠ us-east` (the cause's value first).
func (m Miss) String() string {
	if m.Label != "" {
		return m.Cause.Alert + " fires but " + m.Label + " differs: " + m.Got + " ≠ " + m.Want
	}
	return m.Cause.Alert + " fires but all_of [" + strings.Join(m.AllOf, ", ") + "] lacks a matching " + m.Missing
}

// Misses returns the firing instances of d's ancestors that do not
// explain d, one per instance with its shortest path, sorted by path
// length then cause: what an operator asks about when an alert pages that
// they expected suppressed. Instances that do explain d are left out. It
// walks every endpoint, so it is for the API, not for every evaluation.
func (g *Graph) Misses(d Instance, firing *Firing) []Miss {
	if firing == nil || len(firing.inst) == 0 || g.alertID(d.Alert) < 0 {
		return nil
	}
	e := g.explainer(firing.viewFor(g), d)
	defer g.release(e)
	e.run(false)
	misses := map[int32]Miss{}
	dists := map[int32]int32{}
	for s := range e.srcs {
		e.collectMisses(int32(s), misses, dists)
	}
	out := make([]Miss, 0, len(misses))
	for _, m := range misses {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Miss) int {
		return cmpExplanations(Explanation{Cause: a.Cause, Path: a.Path}, Explanation{Cause: b.Cause, Path: b.Path})
	})
	return out
}

// collectMisses records, for every endpoint of source s and every firing
// instance there that does not explain d, why not.
func (e *explainer) collectMisses(s int32, misses map[int32]Miss, dists map[int32]int32) {
	src := &e.srcs[s]
	for _, k := range src.cl.keys {
		st := &src.cl.states[k]
		for _, i := range e.v.at(st.node) {
			if e.pos[i] >= 0 || e.isSelf(e.v.inst[i]) {
				continue // it explains d, or it is d
			}
			f := found{inst: i, src: s, key: k, dist: src.dist + st.dist}
			if old, ok := dists[i]; ok && old <= f.dist {
				continue
			}
			dists[i] = f.dist
			misses[i] = e.why(f)
		}
	}
}

// why explains why the cause of f does not explain d.
func (e *explainer) why(f found) Miss {
	src, c := &e.srcs[f.src], e.v.inst[f.inst]
	st := &src.cl.states[f.key]
	m := Miss{Cause: c, Path: e.path(f)}
	if l, ok := e.g.differs(e.d, c, st.ls, src.ls); ok {
		m.Label, m.Want, m.Got = l, e.d.Labels.Get(l), c.Labels.Get(l)
		return m
	}
	for _, set := range []struct{ cs, prefix int32 }{{src.cs, lsTop}, {st.cs, src.ls}} {
		for _, cd := range e.g.conds.sets[set.cs] {
			if alt, ok := e.missingAlternative(cd, set.prefix); ok {
				m.AllOf, m.Missing = e.g.groupNames(cd.group), alt
				return m
			}
		}
	}
	return m
}

// differs returns the first label of a ∩ b on which d and c differ.
func (g *Graph) differs(d, c Instance, a, b int32) (string, bool) {
	if a == lsTop {
		a, b = b, a
	}
	for _, n := range g.sets.sets[a] {
		if g.sets.has(b, n) && d.Labels.Get(n) != c.Labels.Get(n) {
			return n, true
		}
	}
	return "", false
}

// missingAlternative returns the first alternative of c's group without a
// firing instance matching d on c.ls ∩ prefix.
func (e *explainer) missingAlternative(c cond, prefix int32) (string, bool) {
	for _, alt := range e.g.groups[c.group] {
		if !e.altFires(alt, c.ls, prefix) {
			return e.g.names[alt], true
		}
	}
	return "", false
}

// groupNames returns the alert names of an all_of group.
func (g *Graph) groupNames(group int32) []string {
	var out []string
	for _, a := range g.groups[group] {
		out = append(out, g.names[a])
	}
	return out
}
