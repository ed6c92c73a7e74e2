package depgraph

import "slices"

// cycles returns one *CycleError per strongly connected component of the
// internal graph that holds a cycle, sorted by message. Each names a
// simple cycle of user-visible nodes, so the message is stable from load to
// load: the shortest cycle through the component's first node (by name,
// alerts before services), from that node. Because a service is two
// internal nodes (see Graph), that cycle may pass a service twice: into its
// in node and, later, out of its out node. An alert of web on the cycle of
// services web -> db -> web is such a node (WebErrors -> web -> db -> web ->
// WebErrors). Then the walk is cut from the service's second visit back to
// its first, and the message names the cycle from that service:
// web -> db -> web.
func (g *Graph) cycles() []error {
	var errs []error
	for _, comp := range components(g.successors()) {
		if len(comp) == 1 && !g.selfLoop(comp[0]) {
			continue
		}
		errs = append(errs, &CycleError{Cycle: g.cycleNames(g.simplify(g.cycleThrough(comp)))})
	}
	slices.SortFunc(errs, func(a, b error) int { return cmpString(a.Error(), b.Error()) })
	return errs
}

func (g *Graph) selfLoop(n int32) bool {
	return slices.ContainsFunc(g.adj[n], func(h hop) bool { return h.to == n })
}

// successors returns the internal graph as plain adjacency lists.
func (g *Graph) successors() [][]int32 {
	adj := make([][]int32, len(g.adj))
	for v, hops := range g.adj {
		for _, h := range hops {
			adj[v] = append(adj[v], h.to)
		}
	}
	return adj
}

// step is one node of an internal cycle and the kind of the hop that
// reaches it; the first step is reached from the last.
type step struct {
	node int32
	by   uint8
}

// cycleThrough returns the shortest internal cycle from the component's
// first node back to it (breadth first, inside the component).
func (g *Graph) cycleThrough(comp []int32) []step {
	start := slices.MinFunc(comp, g.cmpNodes)
	inComp := map[int32]bool{}
	for _, v := range comp {
		inComp[v] = true
	}
	parent := map[int32]step{} // node → its predecessor, by the hop kind into node
	queue := []int32{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, h := range g.adj[v] {
			if h.to == start {
				return pathTo(start, parent, step{node: v, by: h.kind})
			}
			if _, seen := parent[h.to]; !seen && inComp[h.to] {
				parent[h.to] = step{node: v, by: h.kind}
				queue = append(queue, h.to)
			}
		}
	}
	panic("BUG: a strongly connected component without a cycle")
}

// pathTo returns the cycle that closes from last.node back to start, in
// order from start.
func pathTo(start int32, parent map[int32]step, last step) []step {
	rev := []step{{node: last.node}}
	for at := last.node; at != start; at = parent[at].node {
		rev[len(rev)-1].by = parent[at].by
		rev = append(rev, step{node: parent[at].node})
	}
	rev[len(rev)-1].by = last.by
	slices.Reverse(rev)
	return rev
}

// simplify cuts c until it visits every user-visible node once. A visit is
// a step not reached by a hopUp (that hop joins a service's out node to its
// in node, one visit). Each cut keeps a cycle and shortens it, so it ends.
func (g *Graph) simplify(c []step) []step {
	for {
		i, j := g.firstRepeat(c)
		if j < 0 {
			return c
		}
		c = g.cut(c, i, j)
	}
}

// firstRepeat returns the first visit j of c to a user-visible node
// visited before, at i; j is -1 when there is none.
func (g *Graph) firstRepeat(c []step) (int, int) {
	seen := map[int32]int{} // user-visible node (an alert, a service's in node) → visit
	for j, s := range c {
		if s.by == hopUp {
			continue
		}
		key := s.node
		if !g.isAlert(key) {
			key = g.inNode(g.svcOf(key))
		}
		if i, ok := seen[key]; ok {
			return i, j
		}
		seen[key] = j
	}
	return -1, -1
}

// cut removes the second of two visits to one service, c[i] and c[j] (its
// in and out nodes, in either order), joining them by the service's hopUp:
// from out to in, that skips what lies between; from in to out, it keeps
// only what lies between.
func (g *Graph) cut(c []step, i, j int) []step {
	if g.isOut(c[i].node) {
		return slices.Concat(c[:i+1], []step{{node: c[j].node, by: hopUp}}, c[j+1:])
	}
	return slices.Concat([]step{{node: c[i].node, by: hopUp}}, c[i+1:j+1])
}

// cycleNames lists the names of c's visits, the first repeated at the end.
// A cycle that starts at a service's in node, reached from its out node at
// the end, starts at that out node instead: one visit, named first.
func (g *Graph) cycleNames(c []step) []string {
	if c[0].by == hopUp {
		c = slices.Concat(c[len(c)-1:], c[:len(c)-1])
	}
	var names []string
	for _, s := range c {
		if s.by != hopUp {
			names = append(names, g.names[s.node])
		}
	}
	return append(names, names[0])
}

// cmpNodes orders nodes by name, alerts before services, in before out.
func (g *Graph) cmpNodes(a, b int32) int {
	if c := cmpString(g.names[a], g.names[b]); c != 0 {
		return c
	}
	return int(a - b)
}
