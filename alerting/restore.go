package alerting

import (
	"context"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// forState is what ALERTS_FOR_STATE remembers of one alert: its labels,
// when it became active, and when the sample was last written.
type forState struct {
	labels   labels.Labels
	activeAt time.Time
	downAt   time.Time
}

// maxStaleProbe bounds how long after its last sample restore looks for a
// stale marker; it stays under the query engine's default lookback (5m),
// past which a series is absent whether it went stale or not.
const maxStaleProbe = 4 * time.Minute

// restore returns, on the rule's first evaluation after a start, the alerts
// whose state ALERTS_FOR_STATE kept across the restart (Prometheus'
// RestoreForState, done at the first evaluation rather than the third:
// Vigil's store is back, WAL replayed, before rules run):
//   - an alert of found that was firing is firing again with its old
//     ActiveAt, and FiredAt = ActiveAt + for;
//   - one that was pending keeps the time it had been pending (the outage
//     does not count), but with a `for` of at least ForGracePeriod it fires
//     no sooner than ForGracePeriod after the restart;
//   - one that was firing and is not in found is firing too, so that the
//     state machine resolves it (or holds it unknown) and a resolve is sent
//     for the page sent before the restart.
//
// Only samples newer than OutageTolerance count; an alert whose series ended
// with a stale marker (it resolved before the restart) is not restored.
// A query error is logged and the rule starts afresh, as in Prometheus.
// The state read by prefetch (when Run or Eval started) is used instead of
// a query when there is one.
func (r *alertingRule) restore(ctx context.Context, e *env, ts time.Time, found alertSet, interval time.Duration) alertSet {
	r.mu.Lock()
	done, states := r.restored, r.prefetched
	r.prefetched = nil
	r.mu.Unlock()
	if done {
		return nil
	}
	if states == nil {
		var err error
		if states, err = r.forStates(ctx, e, ts, interval); err != nil {
			e.logger.Warn("restore alert state", "alert", r.name, "err", err)
			return nil
		}
	}
	seeds := alertSet{}
	for h, st := range states {
		if a := r.restored1(e, ts, found[h], st); a != nil {
			seeds[h] = a
		}
	}
	return seeds
}

// restored1 returns the restored state of one alert (a, nil if the
// expression did not return it) or nil to start it afresh.
func (r *alertingRule) restored1(e *env, ts time.Time, a *Alert, st forState) *Alert {
	remaining := r.hold - st.downAt.Sub(st.activeAt)
	if remaining <= 0 { // it was firing
		if a == nil {
			a = &Alert{Labels: st.labels}
		}
		b := *a
		b.State, b.ActiveAt, b.FiredAt = StateFiring, st.activeAt, st.activeAt.Add(r.hold)
		return &b
	}
	if a == nil || r.hold < e.forGracePeriod {
		return nil
	}
	b := *a
	b.ActiveAt = st.activeAt.Add(ts.Sub(st.downAt))
	if remaining < e.forGracePeriod {
		b.ActiveAt = ts.Add(e.forGracePeriod - r.hold)
	}
	return &b
}

// forStates reads the rule's ALERTS_FOR_STATE series of the last
// OutageTolerance through the querier, keyed by the hash of the alert's
// labels, leaving out the series that went stale.
func (r *alertingRule) forStates(ctx context.Context, e *env, ts time.Time, interval time.Duration) (map[uint64]forState, error) {
	sel := forStateSelector(r.name, r.labels)
	m, err := instantMatrix(ctx, e.query, sel+"["+model.Duration(e.outageTolerance).String()+"]", ts)
	if err != nil {
		return nil, err
	}
	states := make(map[uint64]forState, len(m))
	for _, s := range m {
		if len(s.Floats) == 0 {
			continue
		}
		last := s.Floats[len(s.Floats)-1]
		ls := s.Metric.DropMetricName()
		states[ls.Hash()] = forState{labels: ls, activeAt: time.Unix(int64(last.F), 0), downAt: time.UnixMilli(last.T)}
	}
	return states, r.dropStale(ctx, e, sel, states, ts, interval)
}

// dropStale removes the states whose series got a stale marker after their
// last sample: range selectors skip stale markers, instant selectors do
// not, so each last sample time is probed one and a half intervals later
// (at most maxStaleProbe, at most ts), when the next evaluation would have
// written the marker.
func (r *alertingRule) dropStale(ctx context.Context, e *env, sel string, states map[uint64]forState, ts time.Time, interval time.Duration) error {
	probes := map[time.Time][]uint64{}
	for h, st := range states {
		probes[st.downAt] = append(probes[st.downAt], h)
	}
	after := min(interval+interval/2, maxStaleProbe)
	for downAt, hs := range probes {
		at := downAt.Add(after)
		if at.After(ts) {
			at = ts
		}
		vec, err := instantVector(ctx, e.query, sel, at)
		if err != nil {
			return err
		}
		live := make(map[uint64]bool, len(vec))
		for _, s := range vec {
			live[s.Metric.DropMetricName().Hash()] = true
		}
		for _, h := range hs {
			if !live[h] {
				delete(states, h)
			}
		}
	}
	return nil
}

// forStateSelector selects the ALERTS_FOR_STATE series of alert name with
// rule labels ls, leaving out the labels whose values are templates (they
// differ per alert).
func forStateSelector(name string, ls labels.Labels) string {
	ms := []*labels.Matcher{
		{Type: labels.MatchEqual, Name: labels.MetricName, Value: forStateMetric},
		{Type: labels.MatchEqual, Name: labels.AlertName, Value: name},
	}
	ls.Range(func(l labels.Label) {
		if !strings.Contains(l.Value, "{{") && l.Name != labels.AlertName {
			ms = append(ms, &labels.Matcher{Type: labels.MatchEqual, Name: l.Name, Value: l.Value})
		}
	})
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}
