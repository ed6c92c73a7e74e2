package alerting

import (
	"github.com/prometheus/prometheus/model/labels"
)

// apply puts the rule set in effect: its graph first, then its groups. A
// group whose file, name, settings and rules are unchanged keeps running
// untouched. A changed group is stopped, its rules' state carried over to
// the new version (copyState), and the new version started; a removed group
// is stopped and retired, and its alerts leave the dependency decisions.
// start starts a group (nil when the Manager is not running). apply runs on
// the Manager's owning goroutine (Run), or under m.runMu when Run is not
// running.
func (m *Manager) apply(set ruleSet, start func(*group)) {
	m.env.deps.setGraph(set.graph)
	groups := set.groups
	old := map[string]*group{}
	for _, g := range m.current() {
		old[g.key()] = g
	}
	next := make([]*group, 0, len(groups))
	for _, ng := range groups {
		og := old[ng.key()]
		delete(old, ng.key())
		if og != nil && og.equal(ng) {
			next = append(next, og)
			continue
		}
		if og != nil {
			og.stop()
			ng.copyState(og)
		}
		if start != nil {
			start(ng)
		}
		next = append(next, ng)
	}
	for _, og := range m.current() {
		if _, gone := old[og.key()]; gone {
			og.stop()
			og.retire()
			m.env.metrics.forget(og.key())
		}
	}
	m.setGroups(next)
	keys := make(map[string]bool, len(next))
	for _, g := range next {
		keys[g.key()] = true
	}
	m.env.deps.keep(keys)
}

// equal reports whether ng is g unchanged.
func (g *group) equal(ng *group) bool {
	if g.key() != ng.key() || g.interval != ng.interval || g.limit != ng.limit ||
		g.queryOffset != ng.queryOffset || len(g.rules) != len(ng.rules) {
		return false
	}
	for i, r := range g.rules {
		if r.definition() != ng.rules[i].definition() {
			return false
		}
	}
	return true
}

// copyState carries the state of the stopped group from over to g, its new
// version: each rule of g takes the state (alerts, last evaluation, series
// written) of the first unclaimed rule of from with the same kind, name,
// expression and labels, or failing that the same kind, name and labels
// (an edited expression keeps its alerts: they resolve at the next
// evaluation if the new expression drops them, rather than being
// forgotten). The alerts of rules left over are resolved and their series
// marked stale at g's first evaluation.
func (g *group) copyState(from *group) {
	from.mu.Lock()
	g.lastEval, g.evalTime = from.lastEval, from.evalTime
	from.mu.Unlock()
	claimed := make([]bool, len(from.rules))
	carried := make([]bool, len(g.rules))
	for _, strict := range []bool{true, false} {
		for i, r := range g.rules {
			if j := match(r, from.rules, claimed, strict); !carried[i] && j >= 0 {
				claimed[j], carried[i] = true, true
				carry(r, from.rules[j])
			}
		}
	}
	g.staleSeries = append(g.staleSeries, from.staleSeries...)
	for j, r := range from.rules {
		if !claimed[j] {
			g.staleSeries = append(g.staleSeries, retireRule(g.env, r)...)
		}
	}
}

// match returns the index of the first unclaimed rule of rules that r
// continues, or -1.
func match(r rule, rules []rule, claimed []bool, strict bool) int {
	id := r.common().identity(strict)
	for j, o := range rules {
		if !claimed[j] && sameKind(r, o) && o.common().identity(strict) == id {
			return j
		}
	}
	return -1
}

// sameKind reports whether a and b are both alerting or both recording.
func sameKind(a, b rule) bool {
	_, aa := a.(*alertingRule)
	_, ba := b.(*alertingRule)
	return aa == ba
}

// carry moves the state of from, stopped, to its new version to.
func carry(to, from rule) {
	to.common().copyOutcome(from.common())
	ta, ok1 := to.(*alertingRule)
	fa, ok2 := from.(*alertingRule)
	if !ok1 || !ok2 {
		return
	}
	fa.mu.Lock()
	defer fa.mu.Unlock()
	ta.active, ta.restored = fa.active, fa.restored
	fa.active = alertSet{}
}

// retire ends a removed group: its firing and unknown alerts are resolved
// (and notified) and its series marked stale now.
func (g *group) retire() {
	var stale []labels.Labels
	for _, r := range g.rules {
		stale = append(stale, retireRule(g.env, r)...)
	}
	stale = append(stale, g.staleSeries...)
	if len(stale) == 0 {
		return
	}
	if err := g.env.writer.WriteSamples(appendStale(nil, stale, g.env.now())); err != nil {
		g.env.logger.Warn("write stale markers of removed group", "group", g.name, "file", g.file, "err", err)
	}
}

// retireRule resolves the firing and unknown alerts of a rule that is gone,
// notifies them, and returns the series it wrote, to be marked stale.
func retireRule(e *env, r rule) []labels.Labels {
	if ar, ok := r.(*alertingRule); ok {
		now := e.now()
		ar.mu.Lock()
		ar.resolveAll(now)
		ar.mu.Unlock()
		if notes := ar.notifications(nil, now, e.externalURL); len(notes) > 0 && e.notifier != nil {
			e.notifier.Notify(notes)
		}
	}
	out := make([]labels.Labels, 0, len(r.common().series))
	for _, ls := range r.common().series {
		out = append(out, ls)
	}
	return out
}

// current returns the rule set in effect.
func (m *Manager) current() []*group {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.groups
}

// setGroups makes groups the rule set in effect.
func (m *Manager) setGroups(groups []*group) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.groups = groups
}
