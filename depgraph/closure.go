package depgraph

import "slices"

// A closure is what Build precomputes for one start node so that Explain
// never walks the graph: every node reachable from the start, once per
// distinct (label set, all_of conditions) pair a path can carry there
// (a variant), each with the shortest path that carries it.
//
// For an alert, the closure follows depends_on hops only and stops at the
// in node of every service reached by a membership hop (a portal: Explain
// continues there with the service's closure, shared by all its members,
// the portal's label set and conditions prefixed). For a service in node,
// the closure follows every hop. Its endpoints are the states whose
// firing instances explain the start: alerts reached by a depends_on hop,
// and service out nodes (whose member alerts, static or by label, are the
// causes).
//
// A variant is dropped when an earlier one at the same node (so with a
// path no longer) is at least as permissive: a subset of the labels and
// weaker conditions. Whatever the dropped one explains, the kept one
// explains with a path no longer, so decisions and the shortest path per
// cause are unchanged. This keeps closures near one variant per node.
type closure struct {
	states   []state
	keys     []int32  // endpoint state indices, sorted by node then index
	keyNodes []int32  // node of each key, for binary search
	has      []uint64 // bitset of the nodes of keys; nil for small closures
	portals  []int32  // alert closures: states at service in nodes
	ins      []int32  // service closures: states at service in nodes, by node
	insNodes []int32  // node of each ins
}

// state is one variant of one node in a closure's shortest-path tree.
type state struct {
	node, ls, cs int32
	parent       int32 // index in states, or -1 for a hop from the start
	dist         int32 // names on the path after the start
	kind         uint8 // the hop that reached the node
	endpoint     bool
}

// search computes closures, reusing its scratch memory across starts.
type search struct {
	g       *Graph
	settled [][]int32 // per node: indices of kept states
	touched []int32
	portals []int32 // alert mode: kept portal states
	cur     []state
	next    []state
	states  []state
}

func newSearch(g *Graph) *search {
	return &search{g: g, settled: make([][]int32, g.numNodes())}
}

// compile computes every closure.
func (g *Graph) compile() {
	s := newSearch(g)
	g.svcCl = make([]closure, len(g.svcs))
	for j := range g.svcs {
		g.svcCl[j] = s.run(g.inNode(int32(j)), false)
	}
	g.alertCl = make([]closure, len(g.alerts))
	for i := range g.alerts {
		g.alertCl[i] = s.run(int32(i), true)
	}
	g.sets.frozen, g.conds.frozen = true, true
}

// run returns the closure of start; alertMode stops at service in nodes.
// States are settled level by level (a level is a path length); the
// zero-length hop from a service's out node to its in node stays in the
// level.
func (s *search) run(start int32, alertMode bool) closure {
	s.reset()
	s.expand(state{node: start, ls: lsTop, parent: -1}, -1)
	for len(s.next) > 0 {
		s.cur, s.next = append(s.cur[:0], s.next...), s.next[:0]
		for i := 0; i < len(s.cur); i++ { // visit may append to cur
			s.visit(s.cur[i], alertMode)
		}
	}
	return s.compact(alertMode)
}

// visit settles st unless it is redundant, and queues what lies beyond
// unless it is a portal.
func (s *search) visit(st state, alertMode bool) {
	portal := alertMode && st.kind == hopMember
	if s.dominated(st) || (portal && s.redundantPortal(st)) {
		return
	}
	idx := s.settle(st)
	if !portal {
		s.expand(st, idx)
	}
}

func (s *search) reset() {
	for _, n := range s.touched {
		s.settled[n] = s.settled[n][:0]
	}
	s.touched, s.states, s.next, s.portals = s.touched[:0], s.states[:0], s.next[:0], s.portals[:0]
}

// expand queues the states one hop from st (index idx).
func (s *search) expand(st state, idx int32) {
	g := s.g
	for _, h := range g.adj[st.node] {
		if h.kind == hopContains && !g.passesThrough(h.to, g.svcOf(st.node)) {
			continue // its instances are the out node's causes; nothing beyond
		}
		c := state{node: h.to, ls: g.sets.intersect(st.ls, h.ls), cs: st.cs, parent: idx, dist: st.dist + 1, kind: h.kind}
		c.endpoint = h.kind == hopDepends || h.kind == hopService
		if h.group >= 0 {
			c.cs = g.conds.add(c.cs, cond{group: h.group, ls: c.ls})
		}
		if h.kind == hopUp {
			c.dist = st.dist
			s.cur = append(s.cur, c)
			continue
		}
		s.next = append(s.next, c)
	}
}

// passesThrough reports whether alert a, reached as a member of service
// svc, leads anywhere svc's out node does not already lead.
func (g *Graph) passesThrough(a, svc int32) bool {
	return slices.ContainsFunc(g.adj[a], func(h hop) bool {
		return h.kind == hopDepends || h.to != g.inNode(svc)
	})
}

// dominated reports whether a kept state makes st redundant: at the same
// node, or, for an alert reached by depends_on, at the out node of a
// service it belongs to (whose causes include st's, one name later).
func (s *search) dominated(st state) bool {
	if s.covers(st.node, st, 0) {
		return true
	}
	if st.kind != hopDepends {
		return false
	}
	for _, j := range s.g.alerts[st.node].services {
		if s.covers(s.g.outNode(j), st, 1) {
			return true
		}
	}
	return false
}

// covers reports whether a kept state at node, extra names shorter, is at
// least as permissive as st.
func (s *search) covers(node int32, st state, extra int32) bool {
	g := s.g
	for _, i := range s.settled[node] {
		k := s.states[i]
		if k.dist+extra <= st.dist && g.sets.subset(k.ls, st.ls) && g.conds.weaker(g.sets, k.cs, st.cs) {
			return true
		}
	}
	return false
}

// redundantPortal reports whether portal st leads nowhere (its service's
// closure is empty) or nowhere a kept portal does not already lead at
// least as permissively and no later: the kept portal's service closure
// reaches st's service in node (see dominates).
func (s *search) redundantPortal(st state) bool {
	g := s.g
	if len(g.svcCl[g.svcOf(st.node)].keys) == 0 {
		return true
	}
	for _, p := range s.portals {
		if g.dominates(s.states[p], st) {
			return true
		}
	}
	s.portals = append(s.portals, int32(len(s.states)))
	return false
}

// dominates reports whether portal p makes portal q redundant: p's
// service closure holds a state w at q's in node such that the path
// through p and w is no longer than q's and at least as permissive (labels
// p.ls ∩ w.ls ⊆ q.ls; conditions p.cs plus w.cs restricted to p.ls weaker
// than q.cs). Everything q's closure explains, the rest of that path then
// explains too.
func (g *Graph) dominates(p, q state) bool {
	cl := &g.svcCl[g.svcOf(p.node)]
	for _, w := range cl.inStates(q.node) {
		ws := cl.states[w]
		if p.dist+ws.dist <= q.dist && g.sets.subset(g.sets.intersect(p.ls, ws.ls), q.ls) &&
			g.conds.weaker(g.sets, g.restrictConds(p.cs, ws.cs, p.ls), q.cs) {
			return true
		}
	}
	return false
}

// restrictConds returns base plus the conds of more with their labels
// intersected with ls (conditions met later on a path whose prefix
// carries ls).
func (g *Graph) restrictConds(base, more, ls int32) int32 {
	for _, c := range g.conds.sets[more] {
		base = g.conds.add(base, cond{group: c.group, ls: g.sets.intersect(c.ls, ls)})
	}
	return base
}

func (s *search) settle(st state) int32 {
	idx := int32(len(s.states))
	s.states = append(s.states, st)
	if len(s.settled[st.node]) == 0 {
		s.touched = append(s.touched, st.node)
	}
	s.settled[st.node] = append(s.settled[st.node], idx)
	return idx
}

// compact returns the closure of the settled states, keeping only the
// endpoints, the portals and the states on their paths.
func (s *search) compact(alertMode bool) closure {
	keep := make([]bool, len(s.states))
	for i, st := range s.states {
		if st.endpoint || (alertMode && st.kind == hopMember) {
			for j := int32(i); j >= 0 && !keep[j]; j = s.states[j].parent {
				keep[j] = true
			}
		}
	}
	var cl closure
	remap := make([]int32, len(s.states))
	for i, st := range s.states {
		if keep[i] {
			remap[i] = int32(len(cl.states))
			if st.parent >= 0 {
				st.parent = remap[st.parent]
			}
			cl.states = append(cl.states, st)
		}
	}
	cl.index(alertMode, s.g.numNodes())
	return cl
}

// bitsetMin is the number of keys from which a closure keeps a bitset of
// their nodes, to filter firing nodes before searching keyNodes.
const bitsetMin = 32

// index fills keys, keyNodes, has and portals from the states.
func (cl *closure) index(alertMode bool, numNodes int) {
	for i, st := range cl.states {
		switch {
		case st.endpoint:
			cl.keys = append(cl.keys, int32(i))
		case alertMode && st.kind == hopMember:
			cl.portals = append(cl.portals, int32(i))
		case st.kind == hopUp:
			cl.ins = append(cl.ins, int32(i))
		}
	}
	slices.SortStableFunc(cl.ins, func(a, b int32) int { return int(cl.states[a].node - cl.states[b].node) })
	for _, k := range cl.ins {
		cl.insNodes = append(cl.insNodes, cl.states[k].node)
	}
	slices.SortStableFunc(cl.keys, func(a, b int32) int { return int(cl.states[a].node - cl.states[b].node) })
	cl.keyNodes = make([]int32, len(cl.keys))
	for i, k := range cl.keys {
		cl.keyNodes[i] = cl.states[k].node
	}
	if len(cl.keys) >= bitsetMin {
		cl.has = make([]uint64, (numNodes+63)/64)
		for _, n := range cl.keyNodes {
			cl.has[n/64] |= 1 << (n % 64)
		}
	}
}

// hasNode reports whether some key is at node n (has must be set).
func (cl *closure) hasNode(n int32) bool { return cl.has[n/64]&(1<<(n%64)) != 0 }

// inStates returns the states at service in node n.
func (cl *closure) inStates(n int32) []int32 {
	lo, _ := slices.BinarySearch(cl.insNodes, n)
	hi := lo
	for hi < len(cl.insNodes) && cl.insNodes[hi] == n {
		hi++
	}
	return cl.ins[lo:hi]
}

// endpointsAt returns the keys at node.
func (cl *closure) endpointsAt(node int32) []int32 {
	lo, _ := slices.BinarySearch(cl.keyNodes, node)
	hi := lo
	for hi < len(cl.keyNodes) && cl.keyNodes[hi] == node {
		hi++
	}
	return cl.keys[lo:hi]
}
