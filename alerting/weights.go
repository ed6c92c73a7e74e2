package alerting

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"

	"github.com/vigilsre/vigil/depgraph"
)

// Defaults of WeightsOptions, used for its zero fields.
const (
	DefaultCallerLabel       = "caller"
	DefaultCalleeLabel       = "callee"
	DefaultWeightsInterval   = time.Minute
	DefaultCriticalThreshold = 0.5
)

// WeightsOptions configure the service weights: every Interval, Run
// evaluates Expr, a request rate per caller and callee service, and
// computes with depgraph.Weights each service's share of user-facing
// requests. Expr is required; every other zero field takes the default it
// documents.
type WeightsOptions struct {
	// Expr returns one series per caller → callee pair whose value is the
	// request rate, e.g.
	// `sum by (caller, callee) (rate(rpc_requests_total[5m]))`. Required.
	Expr string
	// CallerLabel is the label of Expr's series naming the calling
	// service; a series without it is a call from users. Default: "caller".
	CallerLabel string
	// CalleeLabel is the label naming the called service; series without
	// it are ignored. Default: "callee".
	CalleeLabel string
	// UserCallers are the caller values that are users, not services: the
	// services they call are entry services. Default: [""] (no caller).
	UserCallers []string
	// Interval is how often the weights are computed. Default: 1m.
	Interval time.Duration
	// CriticalThreshold is the weight from which a service is on the
	// critical path (vigil_service_critical_path 1). Default: 0.5.
	CriticalThreshold float64
}

// Validate reports every impossible field.
func (o WeightsOptions) Validate() error {
	var errs []error
	if o.Expr == "" {
		errs = append(errs, errors.New("alerting: weights: an expression is required"))
	} else if _, err := newParser().ParseExpr(o.Expr); err != nil {
		errs = append(errs, fmt.Errorf("alerting: weights: expression: %w", err))
	}
	for _, l := range []struct{ name, v string }{{"caller", o.CallerLabel}, {"callee", o.CalleeLabel}} {
		if l.v != "" && !model.UTF8Validation.IsValidLabelName(l.v) {
			errs = append(errs, fmt.Errorf("alerting: weights: %s label %q is not a valid label name", l.name, l.v))
		}
	}
	if d := o.withDefaults(); d.CallerLabel == d.CalleeLabel {
		errs = append(errs, fmt.Errorf("alerting: weights: caller and callee label are both %q", d.CallerLabel))
	}
	if o.Interval < 0 {
		errs = append(errs, fmt.Errorf("alerting: weights: interval %s is negative", o.Interval))
	}
	if o.CriticalThreshold < 0 || o.CriticalThreshold > 1 || math.IsNaN(o.CriticalThreshold) {
		errs = append(errs, fmt.Errorf("alerting: weights: critical threshold %v is not between 0 and 1", o.CriticalThreshold))
	}
	return errors.Join(errs...)
}

// withDefaults returns o with every zero field set to its default.
func (o WeightsOptions) withDefaults() WeightsOptions {
	if o.CallerLabel == "" {
		o.CallerLabel = DefaultCallerLabel
	}
	if o.CalleeLabel == "" {
		o.CalleeLabel = DefaultCalleeLabel
	}
	if o.UserCallers == nil {
		o.UserCallers = []string{""}
	}
	if o.Interval <= 0 {
		o.Interval = DefaultWeightsInterval
	}
	if o.CriticalThreshold == 0 {
		o.CriticalThreshold = DefaultCriticalThreshold
	}
	return o
}

// runWeights computes the service weights at once, then every interval,
// until ctx is done.
func (m *Manager) runWeights(ctx context.Context) {
	w := m.env.weights
	m.computeWeights(ctx, w)
	ticker := time.NewTicker(w.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			m.computeWeights(ctx, w)
		}
	}
}

// computeWeights evaluates the call rates now and keeps the weights they
// give. A query error is logged, counted, and the last weights stay.
func (m *Manager) computeWeights(ctx context.Context, w *WeightsOptions) {
	vec, err := instantVector(ctx, m.env.query, w.Expr, m.env.now())
	if err != nil {
		if ctx.Err() == nil {
			m.env.metrics.weightsFailures.Inc()
			m.env.logger.Warn("compute service weights", "expr", w.Expr, "err", err)
		}
		return
	}
	m.setWeights(depgraph.Weights(callsOf(vec, w), w.UserCallers), w.CriticalThreshold)
}

// callsOf turns the series of the weights expression into calls. Series
// without a callee are left out (depgraph.Weights ignores rates that are
// negative, NaN or infinite).
func callsOf(vec promql.Vector, w *WeightsOptions) []depgraph.Call {
	calls := make([]depgraph.Call, 0, len(vec))
	for _, s := range vec {
		callee := s.Metric.Get(w.CalleeLabel)
		if callee == "" {
			continue
		}
		calls = append(calls, depgraph.Call{Caller: s.Metric.Get(w.CallerLabel), Callee: callee, Rate: s.F})
	}
	return calls
}

// setWeights keeps ws and sets vigil_service_weight and
// vigil_service_critical_path to them (a service gone from ws leaves the
// metrics).
func (m *Manager) setWeights(ws map[string]float64, threshold float64) {
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	m.weights = ws
	met := m.env.metrics
	met.weight.Reset()
	met.criticalPath.Reset()
	for _, svc := range slices.Sorted(maps.Keys(ws)) {
		met.weight.WithLabelValues(svc).Set(ws[svc])
		critical := 0.0
		if ws[svc] >= threshold {
			critical = 1
		}
		met.criticalPath.WithLabelValues(svc).Set(critical)
	}
}

// Weights returns the service weights last computed (a copy: service →
// share of user-facing requests whose path reaches it, in [0, 1]), nil when
// Options.Weights is not set or before the first computation.
func (m *Manager) Weights() map[string]float64 {
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	if m.weights == nil {
		return nil
	}
	return maps.Clone(m.weights)
}

// CriticalThreshold returns the weight from which a service is on the
// critical path (WeightsOptions.CriticalThreshold with its default), 0
// when Options.Weights is not set.
func (m *Manager) CriticalThreshold() float64 {
	if m.env.weights == nil {
		return 0
	}
	return m.env.weights.CriticalThreshold
}
