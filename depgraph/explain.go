package depgraph

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
)

// Explanation is one firing cause that explains an alert instance.
type Explanation struct {
	// Cause is the firing instance, as added to the Firing set.
	Cause Instance
	// Path lists the node names from the dependent's alert to the cause's
	// alert, through services where the path crosses them; the shortest
	// such path that explains.
	Path []string
	// Root is true when the cause is not itself explained by the same
	// firing set: it is the one that pages.
	Root bool
}

// Decision is the verdict for one alert instance.
type Decision struct {
	// Suppressed is true when some firing cause explains the instance: it
	// must not page.
	Suppressed bool
	// By lists every cause that explains the instance, one explanation per
	// cause instance: roots first, then by path length, then by cause
	// (name, then labels), then by path.
	By []Explanation
}

// Explain decides whether instance d is explained by a firing instance of
// one of its ancestors with labels matching along the path (see the
// package doc). An alert the graph does not know is never suppressed.
// Explain is safe for concurrent use, including on a shared Firing; it
// reads firing and does not keep it.
func (g *Graph) Explain(d Instance, firing *Firing) Decision {
	if firing == nil || len(firing.inst) == 0 || g.alertID(d.Alert) < 0 {
		return Decision{}
	}
	e := g.explainer(firing.viewFor(g), d)
	defer g.release(e)
	e.run(false)
	return e.decision()
}

// suppressed reports, memoized, whether instance i is itself explained.
func (v *view) suppressed(i int32) bool {
	switch v.memo[i].Load() {
	case memoSuppressed:
		return true
	case memoNot:
		return false
	}
	got := false
	if v.g.alertID(v.inst[i].Alert) >= 0 {
		e := v.g.explainer(v, v.inst[i])
		got = e.run(true)
		v.g.release(e)
	}
	memo := uint32(memoNot)
	if got {
		memo = memoSuppressed
	}
	v.memo[i].Store(memo)
	return got
}

// explainer is one decision in progress. Graph.explainer takes one from
// the graph's pool and release puts it back, keeping its memory.
type explainer struct {
	g     *Graph
	v     *view
	d     Instance
	srcs  []source
	found []found
	pos   []int32 // per firing instance: index in found, or -1
}

func (g *Graph) explainer(v *view, d Instance) *explainer {
	e, _ := g.pool.Get().(*explainer)
	if e == nil {
		e = &explainer{}
	}
	e.g, e.v, e.d = g, v, d
	for len(e.pos) < len(v.inst) {
		e.pos = append(e.pos, -1)
	}
	return e
}

func (g *Graph) release(e *explainer) {
	for _, f := range e.found {
		e.pos[f.inst] = -1
	}
	e.v, e.d, e.srcs, e.found = nil, Instance{}, e.srcs[:0], e.found[:0]
	g.pool.Put(e)
}

// source is a closure to match the firing instances against, with the
// prefix of the paths into it: the alert's own closure (empty prefix), a
// service closure entered through a portal state of the alert's closure,
// or one entered through the dependent's service label.
type source struct {
	cl     *closure
	ls, cs int32
	dist   int32
	portal int32 // portal state in the alert's closure, or -1
	svc    int32 // service entered by label, or -1
}

// found is the best way one cause instance explains d so far.
type found struct {
	inst, src, key, dist int32
}

// run matches every source against the firing instances; with first, it
// stops at the first cause and reports whether there was one.
func (e *explainer) run(first bool) bool {
	e.sources()
	for s := range e.srcs {
		if e.scan(int32(s), first) && first {
			return true
		}
	}
	return len(e.found) > 0
}

// sources lists the closures that can explain d: its own, the services
// its service label names, and the portals of its own closure that those
// do not make redundant.
func (e *explainer) sources() {
	g, a := e.g, e.g.alertID(e.d.Alert)
	own := &g.alertCl[a]
	e.srcs = append(e.srcs, source{cl: own, ls: lsTop, portal: -1, svc: -1})
	if !g.alerts[a].ignore {
		e.labelSources(a)
	}
	byLabel := len(e.srcs)
	for _, p := range own.portals {
		st := own.states[p]
		if !e.dominatedByLabel(st, byLabel) {
			e.srcs = append(e.srcs, source{cl: &g.svcCl[g.svcOf(st.node)], ls: st.ls, cs: st.cs, dist: st.dist, portal: p, svc: -1})
		}
	}
}

// labelSources adds the closures of the services d belongs to by label
// (and not statically, which own's portals cover).
func (e *explainer) labelSources(a int32) {
	g := e.g
	for _, name := range g.svcLabels {
		j := lookup(g.svcIdx, e.d.Labels.Get(name))
		if j >= 0 && g.svcs[j].label == name && !slices.Contains(g.alerts[a].services, j) && len(g.svcCl[j].keys) > 0 {
			e.srcs = append(e.srcs, source{cl: &g.svcCl[j], ls: lsTop, dist: 1, portal: -1, svc: j})
		}
	}
}

// dominatedByLabel reports whether a label source (srcs[1:n]) makes
// portal st redundant, as Graph.dominates does for portals at Build. A
// label source's prefix restricts nothing, so the check reads only what
// Build interned: Explain never writes to the graph.
func (e *explainer) dominatedByLabel(st state, n int) bool {
	g := e.g
	for _, src := range e.srcs[1:n] {
		cl := src.cl
		for _, w := range cl.inStates(st.node) {
			ws := &cl.states[w]
			if 1+ws.dist <= st.dist && g.sets.subset(ws.ls, st.ls) && g.conds.weaker(g.sets, ws.cs, st.cs) {
				return true
			}
		}
	}
	return false
}

// scan tries every (endpoint, firing instance) pair of source s, from
// whichever side is smaller: the closure's endpoints, or the nodes the
// firing instances are causes at (filtered by the closure's node set).
func (e *explainer) scan(s int32, first bool) bool {
	cl, v := e.srcs[s].cl, e.v
	if cl.has == nil || len(cl.keys) <= len(v.nodes) {
		for _, k := range cl.keys {
			if e.tryAll(s, k, v.at(cl.states[k].node), first) && first {
				return true
			}
		}
		return false
	}
	for j, n := range v.nodes {
		if !cl.hasNode(n) {
			continue
		}
		for _, k := range cl.endpointsAt(n) {
			if e.tryAll(s, k, v.nodeInst[j], first) && first {
				return true
			}
		}
	}
	return false
}

// tryAll tries endpoint k of source s with every instance of insts.
func (e *explainer) tryAll(s, k int32, insts []int32, first bool) bool {
	hit := false
	for _, i := range insts {
		if e.try(s, k, i) {
			if first {
				return true
			}
			hit = true
		}
	}
	return hit
}

// try checks whether firing instance i explains d through endpoint k of
// source s, and records it if it is the best way so far.
func (e *explainer) try(s, k, i int32) bool {
	src, c := &e.srcs[s], e.v.inst[i]
	st := &src.cl.states[k]
	if e.isSelf(c) || !e.g.match(e.d.Labels, c.Labels, st.ls, src.ls) || !e.condsHold(src, st) {
		return false
	}
	dist := src.dist + st.dist
	if e.g.isOut(st.node) {
		dist++
	}
	e.record(found{inst: i, src: s, key: k, dist: dist})
	return true
}

func (e *explainer) isSelf(c Instance) bool {
	return c.Alert == e.d.Alert && labels.Equal(c.Labels, e.d.Labels)
}

// condsHold checks the all_of conditions of the prefix and of the state.
func (e *explainer) condsHold(src *source, st *state) bool {
	for _, c := range e.g.conds.sets[src.cs] {
		if !e.groupFires(c, lsTop) {
			return false
		}
	}
	for _, c := range e.g.conds.sets[st.cs] {
		if !e.groupFires(c, src.ls) {
			return false
		}
	}
	return true
}

// groupFires reports whether every alternative of c's group has a firing
// instance matching d on c.ls ∩ prefix.
func (e *explainer) groupFires(c cond, prefix int32) bool {
	for _, alt := range e.g.groups[c.group] {
		if !e.altFires(alt, c.ls, prefix) {
			return false
		}
	}
	return true
}

// altFires reports whether alert alt has a firing instance matching d on
// ls ∩ prefix.
func (e *explainer) altFires(alt, ls, prefix int32) bool {
	return slices.ContainsFunc(e.v.at(alt), func(i int32) bool {
		in := e.v.inst[i]
		return !e.isSelf(in) && e.g.match(e.d.Labels, in.Labels, ls, prefix)
	})
}

// match reports whether d and c have equal values for every label of
// a ∩ b (lsTop ∩ lsTop, which no path to a cause carries, asks for equal
// label sets).
func (g *Graph) match(d, c labels.Labels, a, b int32) bool {
	if a == lsTop {
		a, b = b, a
	}
	if a == lsTop {
		return labels.Equal(d, c)
	}
	for _, n := range g.sets.sets[a] {
		if g.sets.has(b, n) && d.Get(n) != c.Get(n) {
			return false
		}
	}
	return true
}

// record keeps f unless the same cause is already recorded with a shorter
// path (or an equal one found earlier in source and closure order).
func (e *explainer) record(f found) {
	if j := e.pos[f.inst]; j >= 0 {
		if less(f, e.found[j]) {
			e.found[j] = f
		}
		return
	}
	e.pos[f.inst] = int32(len(e.found))
	e.found = append(e.found, f)
}

func less(a, b found) bool {
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	if a.src != b.src {
		return a.src < b.src
	}
	return a.key < b.key
}

// decision turns the recorded causes into the sorted Decision.
func (e *explainer) decision() Decision {
	if len(e.found) == 0 {
		return Decision{}
	}
	by := make([]Explanation, len(e.found))
	for j, f := range e.found {
		by[j] = Explanation{Cause: e.v.inst[f.inst], Path: e.path(f), Root: !e.v.suppressed(f.inst)}
	}
	slices.SortFunc(by, cmpExplanations)
	return Decision{Suppressed: true, By: by}
}

func cmpExplanations(a, b Explanation) int {
	switch {
	case a.Root != b.Root:
		if a.Root {
			return -1
		}
		return 1
	case len(a.Path) != len(b.Path):
		return len(a.Path) - len(b.Path)
	case a.Cause.Alert != b.Cause.Alert:
		return cmpString(a.Cause.Alert, b.Cause.Alert)
	}
	if c := labels.Compare(a.Cause.Labels, b.Cause.Labels); c != 0 {
		return c
	}
	return slices.Compare(a.Path, b.Path)
}

// path returns the names from d's alert to the cause of f.
func (e *explainer) path(f found) []string {
	g, src := e.g, &e.srcs[f.src]
	names := make([]string, 0, f.dist+1)
	names = append(names, e.d.Alert)
	switch {
	case src.portal >= 0:
		names = g.appendChain(names, &g.alertCl[g.alertID(e.d.Alert)], src.portal)
	case src.svc >= 0:
		names = append(names, g.svcName(src.svc))
	}
	names = g.appendChain(names, src.cl, f.key)
	if g.isOut(src.cl.states[f.key].node) {
		names = append(names, e.v.inst[f.inst].Alert)
	}
	return names
}

// appendChain appends the names from cl's start (excluded) to state k.
func (g *Graph) appendChain(names []string, cl *closure, k int32) []string {
	start := len(names)
	for ; k >= 0; k = cl.states[k].parent {
		if st := &cl.states[k]; st.kind != hopUp {
			names = append(names, g.names[st.node])
		}
	}
	slices.Reverse(names[start:])
	return names
}
