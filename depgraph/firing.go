package depgraph

import (
	"slices"
	"sync/atomic"

	"github.com/prometheus/prometheus/model/labels"
)

// Instance is one alert instance: its alert name and its labels (which
// include alertname).
type Instance struct {
	Alert  string
	Labels labels.Labels
}

// String formats the instance as `AlertName{label="value", ...}` (the
// alertname label left out).
func (in Instance) String() string {
	return in.Alert + labels.NewBuilder(in.Labels).Del(labels.AlertName).Labels().String()
}

// Firing is the set of firing alert instances (state firing or unknown;
// never pending or inactive) a decision looks at. Callers build it once per
// evaluation, or keep it updated, and hand it to every Explain.
//
// Add and Reset must not run concurrently with each other or with Explain;
// any number of Explain calls may share a Firing. The set keeps the
// instances' labels (labels.Labels is immutable): they come back in
// Explanation.Cause.
type Firing struct {
	inst []Instance
	seen map[uint64][]int32 // labels hash → indices, to drop duplicates

	// view is the set indexed for one Graph, built by the first Explain
	// after a change; Add and Reset drop it.
	view atomic.Pointer[view]
}

// NewFiring returns an empty firing set.
func NewFiring() *Firing {
	return &Firing{seen: map[uint64][]int32{}}
}

// Add adds an instance to the set; adding one already there does nothing.
func (f *Firing) Add(in Instance) {
	if f.seen == nil {
		f.seen = map[uint64][]int32{}
	}
	h := in.Labels.Hash()
	for _, i := range f.seen[h] {
		if f.inst[i].Alert == in.Alert && labels.Equal(f.inst[i].Labels, in.Labels) {
			return
		}
	}
	f.seen[h] = append(f.seen[h], int32(len(f.inst)))
	f.inst = append(f.inst, in)
	f.view.Store(nil)
}

// Reset empties the set, keeping its memory.
func (f *Firing) Reset() {
	clear(f.inst)
	f.inst = f.inst[:0]
	clear(f.seen)
	f.view.Store(nil)
}

// Len returns the number of instances in the set.
func (f *Firing) Len() int { return len(f.inst) }

// view is a Firing indexed for one Graph: the distinct nodes some firing
// instance is a cause at (its alert, and the out node of every service it
// belongs to, statically or by label), the instances at each, and a memo
// of whether each instance is itself suppressed (for Explanation.Root).
type view struct {
	g        *Graph
	inst     []Instance
	nodes    []int32   // distinct, in first-seen order
	nodeInst [][]int32 // instances at nodes[i]
	byNode   map[int32]int32
	has      []uint64        // bitset of nodes
	memo     []atomic.Uint32 // 0 unknown, memoSuppressed, memoNot
}

const (
	memoSuppressed = 1
	memoNot        = 2
)

// viewFor returns f indexed for g, building it on first use. Concurrent
// callers may each build one; any of them is correct.
func (f *Firing) viewFor(g *Graph) *view {
	if v := f.view.Load(); v != nil && v.g == g {
		return v
	}
	v := newView(g, f.inst)
	f.view.Store(v)
	return v
}

func newView(g *Graph, inst []Instance) *view {
	v := &view{g: g, inst: inst, byNode: make(map[int32]int32, len(inst)), memo: make([]atomic.Uint32, len(inst))}
	v.has = make([]uint64, (g.numNodes()+63)/64)
	var mine []int32
	for i, in := range inst {
		mine = g.causeNodes(mine[:0], in)
		for _, n := range mine {
			v.add(n, int32(i))
		}
	}
	return v
}

func (v *view) add(n, i int32) {
	j, ok := v.byNode[n]
	if !ok {
		j = int32(len(v.nodes))
		v.byNode[n] = j
		v.nodes = append(v.nodes, n)
		v.nodeInst = append(v.nodeInst, nil)
		v.has[n/64] |= 1 << (n % 64)
	}
	v.nodeInst[j] = append(v.nodeInst[j], i)
}

// at returns the instances that are causes at node n.
func (v *view) at(n int32) []int32 {
	if v.has[n/64]&(1<<(n%64)) == 0 {
		return nil
	}
	if j, ok := v.byNode[n]; ok {
		return v.nodeInst[j]
	}
	return nil
}

// causeNodes appends the distinct nodes instance in is a cause at.
func (g *Graph) causeNodes(dst []int32, in Instance) []int32 {
	add := func(n int32) {
		if !slices.Contains(dst, n) {
			dst = append(dst, n)
		}
	}
	if a := g.alertID(in.Alert); a >= 0 {
		add(a)
		for _, j := range g.alerts[a].services {
			add(g.outNode(j))
		}
	}
	for _, name := range g.svcLabels {
		if j := lookup(g.svcIdx, in.Labels.Get(name)); j >= 0 && g.svcs[j].label == name {
			add(g.outNode(j))
		}
	}
	return dst
}
