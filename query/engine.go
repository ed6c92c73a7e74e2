package query

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
)

// Engine evaluates PromQL over one storage.Queryable. It is safe for
// concurrent use.
type Engine struct {
	promql    *promql.Engine
	queryable storage.Queryable // as given to New, for series and label lookups
	evaluated storage.Queryable // queryable with its errors tagged, for the promql engine
	parser    parser.Parser
	timeout   time.Duration
	metrics   *metrics
}

// New returns an Engine over q. Zero options take their documented defaults.
// PromQL is Prometheus' current dialect: the @ modifier and negative offsets
// are on; experimental functions are off.
func New(q storage.Queryable, opts Options) *Engine {
	opts = opts.withDefaults()
	p := parser.NewParser(parser.Options{})
	return &Engine{
		promql:    promql.NewEngine(engineOpts(opts, p)),
		queryable: q,
		evaluated: store{q},
		parser:    p,
		timeout:   opts.Timeout,
		metrics:   newMetrics(opts.Registerer),
	}
}

// engineOpts translates Options (with defaults applied) for promql.NewEngine.
func engineOpts(opts Options, p parser.Parser) promql.EngineOpts {
	step := opts.SubqueryStep.Milliseconds()
	return promql.EngineOpts{
		Logger:                   opts.Logger,
		Reg:                      opts.Registerer,
		MaxSamples:               opts.MaxSamples,
		Timeout:                  opts.Timeout,
		LookbackDelta:            opts.LookbackDelta,
		NoStepSubqueryIntervalFn: func(int64) int64 { return step },
		EnableAtModifier:         true,
		EnableNegativeOffset:     true,
		Parser:                   p,
	}
}

// Instant evaluates expr at ts. The Result's Value is a promql.Vector,
// promql.Matrix (for a range selector such as `x[5m]`), promql.Scalar or
// promql.String.
func (e *Engine) Instant(ctx context.Context, expr string, ts time.Time) (*Result, error) {
	defer e.metrics.observe(kindInstant, time.Now())
	q, err := e.promql.NewInstantQuery(ctx, e.evaluated, nil, expr, ts)
	if err != nil {
		return nil, constructionError(err)
	}
	return exec(ctx, q)
}

// Range evaluates expr at start, start+step, … up to end. The Result's Value
// is a promql.Matrix. expr must be an instant vector or a scalar; step must be
// positive and end not before start, or the error is an ErrBadQuery.
func (e *Engine) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) (*Result, error) {
	defer e.metrics.observe(kindRange, time.Now())
	if err := checkRange(start, end, step); err != nil {
		return nil, err
	}
	q, err := e.promql.NewRangeQuery(ctx, e.evaluated, nil, expr, start, end, step)
	if err != nil {
		return nil, constructionError(err)
	}
	return exec(ctx, q)
}

// checkRange refuses the arguments of a range query the promql engine would
// not (it would loop forever on a zero step), with Prometheus' messages.
func checkRange(start, end time.Time, step time.Duration) error {
	if end.Before(start) {
		return newError(ErrBadQuery, errors.New("end timestamp must not be before start time"))
	}
	if step <= 0 {
		return newError(ErrBadQuery, errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer"))
	}
	return nil
}

// exec runs q and hands its result to the caller, who closes it.
func exec(ctx context.Context, q promql.Query) (*Result, error) {
	res := q.Exec(ctx)
	if res.Err != nil {
		q.Close()
		return nil, execError(res.Err)
	}
	return &Result{Value: res.Value, Warnings: res.Warnings, query: q}, nil
}
