package depgraph

// components returns the strongly connected components of the graph whose
// successors are adj, in reverse topological order (a component comes
// after every component it reaches), by Tarjan's algorithm.
func components(adj [][]int32) [][]int32 {
	n := len(adj)
	t := &tarjan{adj: adj, index: make([]int32, n), low: make([]int32, n), onStack: make([]bool, n)}
	for v := range int32(n) {
		if t.index[v] == 0 {
			t.visit(v)
		}
	}
	return t.comps
}

// tarjan is the state of Tarjan's strongly connected components algorithm.
type tarjan struct {
	adj     [][]int32
	index   []int32 // 0 = unvisited, else visit order + 1
	low     []int32
	onStack []bool
	stack   []int32
	next    int32
	comps   [][]int32
}

func (t *tarjan) visit(v int32) {
	t.next++
	t.index[v], t.low[v] = t.next, t.next
	t.stack = append(t.stack, v)
	t.onStack[v] = true
	for _, w := range t.adj[v] {
		switch {
		case t.index[w] == 0:
			t.visit(w)
			t.low[v] = min(t.low[v], t.low[w])
		case t.onStack[w]:
			t.low[v] = min(t.low[v], t.index[w])
		}
	}
	if t.low[v] == t.index[v] {
		t.popComponent(v)
	}
}

func (t *tarjan) popComponent(v int32) {
	var comp []int32
	for {
		w := t.stack[len(t.stack)-1]
		t.stack = t.stack[:len(t.stack)-1]
		t.onStack[w] = false
		comp = append(comp, w)
		if w == v {
			break
		}
	}
	t.comps = append(t.comps, comp)
}
