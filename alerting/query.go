package alerting

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
)

// instantVector evaluates expr at ts through q and returns its result as a
// vector the caller owns: a scalar becomes one sample without labels (as
// Prometheus' rule manager does); a matrix or a string is an error.
func instantVector(ctx context.Context, q Querier, expr string, ts time.Time) (promql.Vector, error) {
	res, err := q.Instant(ctx, expr, ts)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	switch v := res.Value.(type) {
	case promql.Vector:
		return append(promql.Vector(nil), v...), nil
	case promql.Scalar:
		return promql.Vector{{T: v.T, F: v.V, Metric: labels.EmptyLabels()}}, nil
	default:
		return nil, fmt.Errorf("rule result is not a vector or scalar: %s", res.Value.Type())
	}
}

// instantMatrix evaluates a range selector expr at ts through q and returns
// its series, which the caller owns.
func instantMatrix(ctx context.Context, q Querier, expr string, ts time.Time) (promql.Matrix, error) {
	res, err := q.Instant(ctx, expr, ts)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	m, ok := res.Value.(promql.Matrix)
	if !ok {
		return nil, fmt.Errorf("query %s returned a %s, not a matrix", expr, res.Value.Type())
	}
	out := make(promql.Matrix, len(m))
	for i, s := range m {
		out[i] = promql.Series{Metric: s.Metric, Floats: append([]promql.FPoint(nil), s.Floats...)}
	}
	return out, nil
}

// templateQuery adapts q for the `query` function of templates.
func templateQuery(q Querier) func(context.Context, string, time.Time) (promql.Vector, error) {
	return func(ctx context.Context, expr string, ts time.Time) (promql.Vector, error) {
		return instantVector(ctx, q, expr, ts)
	}
}
