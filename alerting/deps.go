package alerting

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/depgraph"
)

// cause is one alert instance a group offers the dependency decisions of
// every group: firing (or unknown), or pending.
type cause struct {
	in      depgraph.Instance
	key     uint64 // the hash of the instance's labels
	pending bool
	// maxHold is, for a pending cause, the longest it may hold a
	// dependent: its rule's `for` plus its group's interval, by when it has
	// fired or cleared.
	maxHold time.Duration
}

// deps is where the alerts of every group meet the dependency graph. It
// keeps, per group, the causes of that group's last evaluation (or of its
// restore), and publishes after every change an immutable view that
// decisions read without a lock. Safe for concurrent use.
type deps struct {
	mu      sync.Mutex         // guards the fields below
	graph   *depgraph.Graph    // the graph in effect
	byGroup map[string][]cause // by group key
	view    *depView           // the last published view
}

// depView is the graph and the alerts of every group at one moment. It is
// never modified once published.
type depView struct {
	graph  *depgraph.Graph
	firing *depgraph.Firing         // firing and unknown alerts: what suppresses
	active *depgraph.Firing         // firing, unknown and pending: what may hold
	holds  map[uint64]time.Duration // pending instance key → its maxHold
}

// newDeps returns deps over graph with no alerts.
func newDeps(graph *depgraph.Graph) *deps {
	d := &deps{graph: graph, byGroup: map[string][]cause{}}
	d.publish()
	return d
}

// snapshot returns the current view.
func (d *deps) snapshot() *depView {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.view
}

// update replaces the causes of the group with key; an unchanged list (the
// steady state: same alerts, same states) publishes nothing.
func (d *deps) update(key string, cs []cause) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.byGroup[key]; ok && slices.EqualFunc(old, cs, sameCause) || !ok && len(cs) == 0 {
		return
	}
	if len(cs) == 0 {
		delete(d.byGroup, key)
	} else {
		d.byGroup[key] = cs
	}
	d.publish()
}

// sameCause reports whether a and b are the same instance in the same state.
func sameCause(a, b cause) bool {
	return a.key == b.key && a.pending == b.pending && a.maxHold == b.maxHold && a.in.Alert == b.in.Alert
}

// setGraph puts graph in effect.
func (d *deps) setGraph(graph *depgraph.Graph) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.graph = graph
	d.publish()
}

// keep forgets the causes of every group whose key is not in keys (removed
// groups).
func (d *deps) keep(keys map[string]bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := len(d.byGroup)
	maps.DeleteFunc(d.byGroup, func(k string, _ []cause) bool { return !keys[k] })
	if len(d.byGroup) != n {
		d.publish()
	}
}

// publish builds a new view from the graph and every group's causes, in
// group key order. d.mu is held.
func (d *deps) publish() {
	v := &depView{graph: d.graph, firing: depgraph.NewFiring(), active: depgraph.NewFiring(), holds: map[uint64]time.Duration{}}
	for _, k := range slices.Sorted(maps.Keys(d.byGroup)) {
		for _, c := range d.byGroup[k] {
			v.active.Add(c.in)
			if !c.pending {
				v.firing.Add(c.in)
				continue
			}
			v.holds[c.key] = max(v.holds[c.key], c.maxHold)
		}
	}
	d.view = v
}

// decide sets the decision of a firing or unknown alert at ts:
//   - suppressed when a firing cause explains it;
//   - else held when pending causes would explain it, it was never handed
//     over unsuppressed, and it has been held for less than the longest
//     maxHold of those causes;
//   - else neither: it is handed over and pages.
func (v *depView) decide(a *Alert, ts time.Time) {
	in := instanceOf(a.Labels)
	d := v.graph.Explain(in, v.firing)
	a.Suppressed, a.SuppressedBy = d.Suppressed, d.By
	if d.Suppressed || a.paged {
		a.Held, a.heldSince = false, time.Time{}
		return
	}
	limit := v.holdLimit(in)
	if limit <= 0 {
		a.Held, a.heldSince = false, time.Time{}
		return
	}
	if a.heldSince.IsZero() {
		a.heldSince = ts
	}
	a.Held = ts.Sub(a.heldSince) < limit
}

// holdLimit returns how long pending causes may hold in: the longest
// maxHold of the pending causes that explain it, or 0 if none does.
func (v *depView) holdLimit(in depgraph.Instance) time.Duration {
	if len(v.holds) == 0 {
		return 0
	}
	d := v.graph.Explain(in, v.active)
	var limit time.Duration
	for _, e := range d.By {
		limit = max(limit, v.holds[e.Cause.Labels.Hash()])
	}
	return limit
}

// instanceOf is the graph's view of an alert with labels ls.
func instanceOf(ls labels.Labels) depgraph.Instance {
	return depgraph.Instance{Alert: ls.Get(labels.AlertName), Labels: ls}
}

// clearDecision forgets the decision of an alert that is not firing.
func (a *Alert) clearDecision() {
	a.Suppressed, a.SuppressedBy, a.Held, a.heldSince = false, nil, false, time.Time{}
}
