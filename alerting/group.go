package alerting

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql/parser"
)

// group is a rule group: rules evaluated in order, every interval, by one
// goroutine (run). Evaluation state belongs to that goroutine; the API reads
// snapshots under the locks.
type group struct {
	name, file  string
	interval    time.Duration
	queryOffset time.Duration
	limit       int
	rules       []rule
	env         *env

	// staleSeries are series of rules a reload removed, marked stale at
	// the next evaluation. Only the evaluating goroutine uses it.
	staleSeries []labels.Labels

	// Set by start, used by stop; the Manager serializes them.
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex // guards the fields below
	lastEval time.Time
	evalTime time.Duration
}

// newGroup builds group rg of file. restored false asks the alerting rules
// for a restore at their first evaluation.
func newGroup(file string, rg rulefmt.RuleGroup, e *env, p parser.Parser, restored bool) (*group, error) {
	g := &group{name: rg.Name, file: file, interval: time.Duration(rg.Interval), limit: rg.Limit, env: e}
	if g.interval <= 0 {
		g.interval = e.defaultInterval
	}
	if rg.QueryOffset != nil {
		g.queryOffset = time.Duration(*rg.QueryOffset)
	}
	for i, r := range rg.Rules {
		expr, err := p.ParseExpr(r.Expr)
		if err != nil {
			return nil, &FileError{File: file, Err: fmt.Errorf("group %q, rule %d: %w", rg.Name, i+1, err)}
		}
		g.rules = append(g.rules, newRule(r, expr, mergeLabels(rg.Labels, r.Labels), restored))
	}
	return g, nil
}

// newRule builds an alerting or a recording rule.
func newRule(r rulefmt.Rule, expr parser.Expr, ls labels.Labels, restored bool) rule {
	if r.Alert != "" {
		return newAlertingRule(r, expr, ls, restored)
	}
	return newRecordingRule(r, expr, ls)
}

// mergeLabels returns the group labels overridden by the rule labels.
func mergeLabels(group, rule map[string]string) labels.Labels {
	b := labels.NewBuilder(labels.FromMap(group))
	for k, v := range rule {
		b.Set(k, v)
	}
	return b.Labels()
}

// key names the group in metrics and among the Manager's groups.
func (g *group) key() string { return g.file + ";" + g.name }

// params are the group settings a rule needs.
func (g *group) params() groupParams {
	return groupParams{interval: g.interval, queryOffset: g.queryOffset, limit: g.limit}
}

// eval evaluates every rule at ts, in order: a failing rule records its
// error and the next one runs. A recording rule's results are written at
// once (later rules may read them); then the group's alerts are decided
// against the dependency graph (decide) and the alerting rules' ALERTS and
// ALERTS_FOR_STATE are written. Then the series a reload removed are
// marked stale and the notifier gets every firing and unknown alert of the
// group that is not held, and every just resolved one. A cancelled ctx
// (the group is stopping) ends the loop.
func (g *group) eval(ctx context.Context, ts time.Time) {
	start := g.env.now()
	gp := g.params()
	var runs []ruleRun
	for _, r := range g.rules {
		if ctx.Err() != nil {
			break
		}
		runs = append(runs, g.evalRule(ctx, r, ts, gp))
	}
	g.decide(ts)
	var notes []Notification
	for _, run := range runs {
		if run.alerting == nil {
			continue
		}
		if !run.done {
			g.writeAlerts(ctx, run, ts.Add(-gp.queryOffset))
		}
		notes = run.alerting.notifications(notes, ts, g.env.externalURL)
	}
	g.writeStale(ts.Add(-gp.queryOffset))
	if len(notes) > 0 && g.env.notifier != nil {
		g.env.notifier.Notify(notes)
	}
	g.recordEval(start, g.env.now().Sub(start))
}

// ruleRun is one rule's evaluation within a group evaluation.
type ruleRun struct {
	rule     rule
	alerting *alertingRule // the rule, when it is an alerting rule
	start    time.Time
	took     time.Duration
	done     bool // the outcome is recorded; false: the samples wait for writeAlerts
}

// evalRule evaluates one rule. A recording rule's samples are written and
// the outcome recorded at once. An alerting rule that evaluated without
// error is left for writeAlerts, after the group's dependency decisions.
func (g *group) evalRule(ctx context.Context, r rule, ts time.Time, gp groupParams) ruleRun {
	run := ruleRun{rule: r, start: g.env.now()}
	run.alerting, _ = r.(*alertingRule)
	samples, err := r.eval(ctx, g.env, ts, gp)
	if err == nil && run.alerting != nil {
		run.took = g.env.now().Sub(run.start)
		return run
	}
	if err == nil {
		err = g.write(r.common(), samples, ts.Add(-gp.queryOffset))
	}
	run.took, run.done = g.env.now().Sub(run.start), true
	g.finish(ctx, run, err)
	return run
}

// writeAlerts writes an alerting rule's samples, at qts, and records the
// outcome of its evaluation.
func (g *group) writeAlerts(ctx context.Context, run ruleRun, qts time.Time) {
	start := g.env.now()
	err := g.write(run.rule.common(), run.alerting.alertSamples(qts), qts)
	run.took += g.env.now().Sub(start)
	g.finish(ctx, run, err)
}

// finish records the outcome of a rule's evaluation on the rule and in the
// metrics.
func (g *group) finish(ctx context.Context, run ruleRun, err error) {
	if err != nil && ctx.Err() != nil {
		return // stopped mid-evaluation: not the rule's failure
	}
	g.env.metrics.evaluations.WithLabelValues(g.key()).Inc()
	if err != nil {
		g.env.metrics.failures.WithLabelValues(g.key()).Inc()
		g.env.logger.Warn("evaluate rule", "group", g.name, "file", g.file, "rule", run.rule.common().name, "err", err)
	}
	run.rule.common().record(run.start, run.took, err)
}

// write stores a rule's samples and a stale marker (at qts) for each series
// its previous evaluation wrote and this one did not, in one call. The
// series are remembered only once written.
func (g *group) write(r *ruleBase, samples []Sample, qts time.Time) error {
	cur := make(map[string]labels.Labels, len(samples))
	var buf []byte
	for _, s := range samples {
		buf = s.Labels.Bytes(buf)
		cur[string(buf)] = s.Labels
	}
	var gone []labels.Labels
	for k, ls := range r.series {
		if _, ok := cur[k]; !ok {
			gone = append(gone, ls)
		}
	}
	samples = appendStale(samples, gone, qts)
	if len(samples) > 0 {
		if err := g.env.writer.WriteSamples(samples); err != nil {
			return fmt.Errorf("write rule results: %w", err)
		}
	}
	r.series = cur
	return nil
}

// appendStale appends a stale marker at t for each series, in label order.
func appendStale(dst []Sample, series []labels.Labels, t time.Time) []Sample {
	slices.SortFunc(series, labels.Compare)
	for _, ls := range series {
		dst = append(dst, Sample{Labels: ls, T: t.UnixMilli(), V: math.Float64frombits(value.StaleNaN)})
	}
	return dst
}

// writeStale marks stale, at qts, the series of rules a reload removed;
// on a write error it tries again at the next evaluation.
func (g *group) writeStale(qts time.Time) {
	if len(g.staleSeries) == 0 {
		return
	}
	if err := g.env.writer.WriteSamples(appendStale(nil, g.staleSeries, qts)); err != nil {
		g.env.logger.Warn("write stale markers of removed rules", "group", g.name, "file", g.file, "err", err)
		return
	}
	g.staleSeries = nil
}

// recordEval stores when the last evaluation started and how long it took.
func (g *group) recordEval(start time.Time, took time.Duration) {
	g.env.metrics.lastDuration.WithLabelValues(g.key()).Set(took.Seconds())
	g.mu.Lock()
	defer g.mu.Unlock()
	g.lastEval, g.evalTime = start, took
}

// status returns a snapshot of the group and its rules.
func (g *group) status() GroupStatus {
	st := GroupStatus{Name: g.name, File: g.file, Interval: g.interval, Limit: g.limit, QueryOffset: g.queryOffset}
	for _, r := range g.rules {
		st.Rules = append(st.Rules, r.status())
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	st.LastEvaluation, st.EvaluationTime = g.lastEval, g.evalTime
	return st
}
