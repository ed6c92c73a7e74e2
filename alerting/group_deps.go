package alerting

import (
	"context"
	"slices"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// decide offers the group's alerts to the dependency decisions of every
// group, then decides for each of its firing and unknown alerts against
// the alerts of every group: the group's own just evaluated, the others'
// as of their last evaluation. Deciding after the whole group makes the
// order of its rules irrelevant.
func (g *group) decide(ts time.Time) {
	var cs []cause
	for _, r := range g.rules {
		if ar, ok := r.(*alertingRule); ok {
			cs = ar.causes(cs, g.interval)
		}
	}
	g.env.deps.update(g.key(), cs)
	v := g.env.deps.snapshot()
	for _, r := range g.rules {
		if ar, ok := r.(*alertingRule); ok {
			ar.decide(v, ts)
		}
	}
}

// causes appends the rule's firing, unknown and pending alerts, in label
// order; interval is its group's.
func (r *alertingRule) causes(dst []cause, interval time.Duration) []cause {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.sorted() {
		switch a.State {
		case StateFiring, StateUnknown:
			dst = append(dst, cause{in: instanceOf(a.Labels), key: a.Labels.Hash()})
		case StatePending:
			dst = append(dst, cause{in: instanceOf(a.Labels), key: a.Labels.Hash(), pending: true, maxHold: r.hold + interval})
		}
	}
	return dst
}

// prefetch reads the restore state of the group's rules that did not
// restore yet and offers the alerts it finds, with the group's current
// ones, to the dependency decisions (see alertingRule.prefetch).
func (g *group) prefetch(ctx context.Context, ts time.Time) {
	var seeds []cause
	for _, r := range g.rules {
		if ar, ok := r.(*alertingRule); ok {
			seeds = append(seeds, ar.prefetch(ctx, g.env, ts, g.interval)...)
		}
	}
	if len(seeds) == 0 {
		return
	}
	var cs []cause
	for _, r := range g.rules {
		if ar, ok := r.(*alertingRule); ok {
			cs = ar.causes(cs, g.interval)
		}
	}
	g.env.deps.update(g.key(), append(cs, seeds...))
}

// decide sets the decision of each firing and unknown alert of the rule
// and clears that of pending ones.
func (r *alertingRule) decide(v *depView, ts time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.active {
		if a.State == StateFiring || a.State == StateUnknown {
			v.decide(a, ts)
			continue
		}
		a.clearDecision()
	}
}

// prefetch reads, before the rule's first evaluation after a start, its
// ALERTS_FOR_STATE as restore will (restore then uses what was read), and
// returns the alerts that were firing, and those that were pending, as
// causes: so that the dependents of an alert firing before the restart
// are suppressed after it even when their group evaluates first. A rule
// that restored already returns nothing; a query error is logged and the
// first evaluation tries again.
func (r *alertingRule) prefetch(ctx context.Context, e *env, ts time.Time, interval time.Duration) []cause {
	r.mu.Lock()
	skip := r.restored || r.prefetched != nil
	r.mu.Unlock()
	if skip {
		return nil
	}
	states, err := r.forStates(ctx, e, ts, interval)
	if err != nil {
		e.logger.Warn("read alert state for restore", "alert", r.name, "err", err)
		return nil
	}
	r.mu.Lock()
	r.prefetched = states
	r.mu.Unlock()
	return seedCauses(states, r.hold, interval)
}

// seedCauses returns the causes of restored states, in label order: firing
// for the alerts that were firing (active for `for`), pending for the
// others.
func seedCauses(states map[uint64]forState, hold, interval time.Duration) []cause {
	out := make([]cause, 0, len(states))
	for h, st := range states {
		c := cause{in: instanceOf(st.labels), key: h}
		if hold-st.downAt.Sub(st.activeAt) > 0 {
			c.pending, c.maxHold = true, hold+interval
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b cause) int { return labels.Compare(a.in.Labels, b.in.Labels) })
	return out
}
