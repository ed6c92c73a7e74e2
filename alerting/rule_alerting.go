package alerting

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// ErrDuplicateAlertLabelSet is the error of an alerting rule whose result
// has two series that give the same alert labels (Prometheus' message).
var ErrDuplicateAlertLabelSet = errors.New("vector contains metrics with the same labelset after applying alert labels")

// alertingRule turns the series its expression returns into alerts and
// keeps their state from one evaluation to the next.
type alertingRule struct {
	ruleBase
	hold          time.Duration
	keepFiringFor time.Duration
	annotations   labels.Labels
	probe         *probe // nil: a disappearing alert resolves

	// Guarded by ruleBase.mu.
	active     alertSet
	resolved   []*Alert            // the alerts that resolved in the last evaluation
	restored   bool                // restore from ALERTS_FOR_STATE is done (or not wanted)
	prefetched map[uint64]forState // read by prefetch for restore; nil: none
}

// newAlertingRule builds the rule r of a file; ls are its labels merged over
// the group's. restored false asks for a restore at the first evaluation.
func newAlertingRule(r rulefmt.Rule, expr parser.Expr, ls labels.Labels, restored bool) *alertingRule {
	return &alertingRule{
		ruleBase:      newRuleBase(r.Alert, expr, ls),
		hold:          time.Duration(r.For),
		keepFiringFor: time.Duration(r.KeepFiringFor),
		annotations:   labels.FromMap(r.Annotations),
		probe:         newProbe(expr, ls),
		active:        alertSet{},
		restored:      restored,
	}
}

// definition is the rule as written.
func (r *alertingRule) definition() string {
	return fmt.Sprintf("alert %q expr %q for %s keep_firing_for %s labels %s annotations %s",
		r.name, r.query, r.hold, r.keepFiringFor, r.labels, r.annotations)
}

// eval queries the expression at ts (minus the query offset), restores the
// for-state on the first evaluation, decides for each alert that
// disappeared whether its data is missing and advances the state machine.
// It returns no samples: ALERTS and ALERTS_FOR_STATE carry the dependency
// decisions, made once the whole group is evaluated (see alertSamples).
// On error the state is as it was (a limit error resolves every alert).
func (r *alertingRule) eval(ctx context.Context, e *env, ts time.Time, gp groupParams) ([]Sample, error) {
	qts := ts.Add(-gp.queryOffset)
	vec, err := instantVector(ctx, e.query, r.query, qts)
	if err != nil {
		return nil, err
	}
	found, err := r.alertsOf(ctx, e, vec, ts)
	if err != nil {
		return nil, err
	}
	seeds := r.restore(ctx, e, ts, found, gp.interval)
	missing, err := r.missing(ctx, e, qts, found, seeds)
	if err != nil {
		return nil, fmt.Errorf("missing data check %s: %w", r.probe.query, err)
	}
	return nil, r.advance(e, ts, found, seeds, missing, gp.limit)
}

// alertsOf builds the alerts of a query result: labels are the series'
// (without __name__) with the rule's labels expanded over them and
// alertname; annotations are expanded. Two series giving the same labels
// are an error.
func (r *alertingRule) alertsOf(ctx context.Context, e *env, vec promql.Vector, ts time.Time) (alertSet, error) {
	found := make(alertSet, len(vec))
	lb := labels.NewBuilder(labels.EmptyLabels())
	var sb labels.ScratchBuilder
	for _, s := range vec {
		x := newExpander(r.name, s, ts, e)
		lb.Reset(s.Metric)
		lb.Del(labels.MetricName)
		x.expandAll(ctx, r.labels, &sb).Range(func(l labels.Label) { lb.Set(l.Name, l.Value) })
		lb.Set(labels.AlertName, r.name)
		ls := lb.Labels()
		h := ls.Hash()
		if _, dup := found[h]; dup {
			return nil, ErrDuplicateAlertLabelSet
		}
		found[h] = &Alert{Labels: ls, Annotations: x.expandAll(ctx, r.annotations, &sb), State: StatePending, ActiveAt: ts, Value: s.F}
		if x.err != nil {
			e.logger.Warn("expand alert template", "alert", r.name, "labels", ls, "err", x.err)
		}
	}
	return found, nil
}

// missing evaluates the probe when a firing or unknown alert (or a restored
// firing one) is absent from found, and returns the decision for step.
func (r *alertingRule) missing(ctx context.Context, e *env, qts time.Time, found, seeds alertSet) (func(*Alert) bool, error) {
	if r.probe == nil || !r.needsProbe(found, seeds) {
		return func(*Alert) bool { return false }, nil
	}
	present, err := r.probe.present(ctx, e.query, qts)
	if err != nil {
		return nil, err
	}
	return func(a *Alert) bool {
		h, _ := r.probe.key(a.Labels, nil)
		_, ok := present[h]
		return !ok
	}, nil
}

// needsProbe reports whether an alert that may be held unknown has
// disappeared from found.
func (r *alertingRule) needsProbe(found, seeds alertSet) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, set := range []alertSet{r.active, seeds} {
		for h, a := range set {
			if _, ok := found[h]; !ok && a.State != StatePending && a.KeepFiringSince.IsZero() {
				return true
			}
		}
	}
	return false
}

// advance runs the state machine under the lock.
func (r *alertingRule) advance(e *env, ts time.Time, found, seeds alertSet, missing func(*Alert) bool, limit int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for h, a := range seeds {
		r.active[h] = a
	}
	r.restored = true
	tr := transitions{hold: r.hold, keepFiringFor: r.keepFiringFor, missingDataTimeout: e.missingDataTimeout}
	r.resolved = r.active.step(tr, ts, found, missing)
	defer sortAlerts(r.resolved)
	if limit > 0 && len(r.active) > limit {
		n := len(r.active)
		r.resolveAll(ts)
		return fmt.Errorf("exceeded limit of %d with %d alerts", limit, n)
	}
	return nil
}

// resolveAll ends every alert at ts (a rule over its limit has no alerts);
// those that were firing or unknown before ts are notified as resolved.
func (r *alertingRule) resolveAll(ts time.Time) {
	for h, a := range r.active {
		if (a.State == StateFiring || a.State == StateUnknown) && a.FiredAt.Before(ts) {
			a.resolve(ts)
			r.resolved = append(r.resolved, a)
		}
		delete(r.active, h)
	}
}

// sorted returns the active alerts ordered by labels. r.mu is held.
func (r *alertingRule) sorted() []*Alert {
	out := make([]*Alert, 0, len(r.active))
	for _, a := range r.active {
		out = append(out, a)
	}
	sortAlerts(out)
	return out
}

// sortAlerts orders alerts by labels.
func sortAlerts(as []*Alert) {
	slices.SortFunc(as, func(a, b *Alert) int { return labels.Compare(a.Labels, b.Labels) })
}

// status returns a snapshot of the rule and its alerts.
func (r *alertingRule) status() RuleStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.baseStatus("alerting")
	st.Duration, st.KeepFiringFor, st.Annotations = r.hold, r.keepFiringFor, r.annotations
	st.State = StateInactive.String()
	top := StateInactive
	for _, a := range r.sorted() {
		st.Alerts = append(st.Alerts, *a)
		if a.State == StateUnknown {
			st.Unknown++
		}
		top = max(top, severity(a.State))
	}
	st.State = top.String()
	return st
}

// severity is the state a rule shows for an alert in state s: unknown
// counts as firing.
func severity(s State) State {
	if s == StateUnknown {
		return StateFiring
	}
	return s
}

// alerts appends a snapshot of the rule's alerts to dst.
func (r *alertingRule) alerts(dst []Alert) []Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.sorted() {
		dst = append(dst, *a)
	}
	return dst
}
