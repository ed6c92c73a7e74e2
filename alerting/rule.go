package alerting

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Health of a rule, as the API shows it.
const (
	healthUnknown = "unknown" // not evaluated yet
	healthOK      = "ok"
	healthErr     = "err"
)

// rule is an alerting or a recording rule of a group.
type rule interface {
	// eval evaluates the rule at ts and returns the samples to write
	// (timestamped ts minus the group's query offset).
	eval(ctx context.Context, e *env, ts time.Time, gp groupParams) ([]Sample, error)
	// common returns what every rule has.
	common() *ruleBase
	// definition is the rule as written, to tell whether a reload changed it.
	definition() string
	// status returns a snapshot for the API.
	status() RuleStatus
}

// groupParams are the settings of the group a rule is evaluated in.
type groupParams struct {
	interval    time.Duration
	queryOffset time.Duration
	limit       int // 0: none
}

// ruleBase is what alerting and recording rules share: the definition and
// the outcome of the last evaluation.
type ruleBase struct {
	name   string
	expr   parser.Expr
	query  string        // expr printed: what is evaluated and shown
	labels labels.Labels // group labels overridden by rule labels

	// series holds the series written by the last evaluation, for stale
	// markers. Only the evaluating goroutine uses it.
	series map[string]labels.Labels

	mu        sync.Mutex // guards the fields below (and alertingRule's state)
	health    string
	lastError string
	lastEval  time.Time     // when the last evaluation started
	evalTime  time.Duration // how long it took
}

// newRuleBase returns the common part of a rule, not yet evaluated.
func newRuleBase(name string, expr parser.Expr, ls labels.Labels) ruleBase {
	return ruleBase{name: name, expr: expr, query: expr.String(), labels: ls, health: healthUnknown}
}

// common returns r.
func (r *ruleBase) common() *ruleBase { return r }

// identity is what a reload compares to carry a rule's state over.
func (r *ruleBase) identity(strict bool) string {
	if strict {
		return r.name + "\xff" + r.query + "\xff" + r.labels.String()
	}
	return r.name + "\xff" + r.labels.String()
}

// record stores the outcome of an evaluation that started at start.
func (r *ruleBase) record(start time.Time, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastEval, r.evalTime = start, took
	r.health, r.lastError = healthOK, ""
	if err != nil {
		r.health, r.lastError = healthErr, err.Error()
	}
}

// baseStatus fills the fields of a RuleStatus every rule has. r.mu is held.
func (r *ruleBase) baseStatus(kind string) RuleStatus {
	return RuleStatus{
		Type:           kind,
		Name:           r.name,
		Query:          r.query,
		Labels:         r.labels,
		Health:         r.health,
		LastError:      r.lastError,
		LastEvaluation: r.lastEval,
		EvaluationTime: r.evalTime,
	}
}

// copyOutcome takes the last evaluation's outcome and series of from.
func (r *ruleBase) copyOutcome(from *ruleBase) {
	from.mu.Lock()
	defer from.mu.Unlock()
	r.health, r.lastError, r.lastEval, r.evalTime = from.health, from.lastError, from.lastEval, from.evalTime
	r.series = from.series
}
