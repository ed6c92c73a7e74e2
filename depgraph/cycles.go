package depgraph

import "slices"

// cycles returns one *CycleError per strongly connected component of the
// internal graph that holds a cycle, sorted by message. Each names the
// shortest cycle through the component's first node (by name, alerts
// before services), so the message is stable from load to load.
func (g *Graph) cycles() []error {
	var errs []error
	for _, comp := range components(g.successors()) {
		if len(comp) == 1 && !g.selfLoop(comp[0]) {
			continue
		}
		errs = append(errs, &CycleError{Cycle: g.cycleThrough(comp)})
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

// cycleThrough returns the names along the shortest cycle from the
// component's first node back to it (breadth first, inside the component).
func (g *Graph) cycleThrough(comp []int32) []string {
	start := slices.MinFunc(comp, g.cmpNodes)
	inComp := map[int32]bool{}
	for _, v := range comp {
		inComp[v] = true
	}
	parent := map[int32]hopFrom{}
	queue := []int32{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, h := range g.adj[v] {
			if h.to == start {
				return g.cycleNames(start, parent, hopFrom{from: v, kind: h.kind})
			}
			if _, seen := parent[h.to]; !seen && inComp[h.to] {
				parent[h.to] = hopFrom{from: v, kind: h.kind}
				queue = append(queue, h.to)
			}
		}
	}
	panic("BUG: a strongly connected component without a cycle")
}

// hopFrom is the hop a search reached a node by.
type hopFrom struct {
	from int32
	kind uint8
}

// cycleNames lists the names along the cycle that closes with last,
// dropping the zero-length hop from a service's out node to its in node.
func (g *Graph) cycleNames(start int32, parent map[int32]hopFrom, last hopFrom) []string {
	var rev []string
	at, by := start, last
	for {
		if by.kind != hopUp {
			rev = append(rev, g.names[at])
		}
		at = by.from
		if at == start {
			break
		}
		by = parent[at]
	}
	rev = append(rev, g.names[start])
	slices.Reverse(rev)
	return rev
}

// cmpNodes orders nodes by name, alerts before services, in before out.
func (g *Graph) cmpNodes(a, b int32) int {
	if c := cmpString(g.names[a], g.names[b]); c != 0 {
		return c
	}
	return int(a - b)
}
