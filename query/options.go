package query

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Options, used for its zero fields.
const (
	DefaultTimeout       = 2 * time.Minute
	DefaultMaxSamples    = 50_000_000
	DefaultLookbackDelta = 5 * time.Minute
	DefaultSubqueryStep  = time.Minute
)

// Options configure an Engine. The zero value is usable: each zero field takes
// the default it documents.
type Options struct {
	// Timeout bounds the evaluation of one query; a query running longer
	// fails with ErrTimeout. It also bounds Series, LabelNames and
	// LabelValues. Default: 2m.
	Timeout time.Duration
	// MaxSamples is the most samples one query may hold in memory at once;
	// beyond it the query fails with ErrTooManySamples. Default: 50,000,000.
	MaxSamples int
	// LookbackDelta is how far back from an evaluation time an instant
	// selector looks for the latest sample of a series. Default: 5m.
	LookbackDelta time.Duration
	// SubqueryStep is the step of a subquery written without one, as in
	// `max_over_time(rate(x[1m])[30m:])`. Default: 1m, Prometheus' default
	// global evaluation interval (pass Vigil's sampling interval to follow
	// the rule evaluation interval instead).
	SubqueryStep time.Duration
	// Logger receives the engine's logs. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives vigil_query_duration_seconds and the promql
	// engine's own prometheus_engine_* metrics. Register one Engine per
	// Registerer: the engine's metrics cannot be registered twice.
	// Default: no metrics are registered.
	Registerer prometheus.Registerer
}

// Validate reports every field set to an impossible value. New does not call
// it (New cannot fail); callers that take options from a user should.
func (o Options) Validate() error {
	var errs []error
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("query timeout %s is negative", o.Timeout))
	}
	if o.MaxSamples < 0 {
		errs = append(errs, fmt.Errorf("query max samples %d is negative", o.MaxSamples))
	}
	if o.LookbackDelta < 0 {
		errs = append(errs, fmt.Errorf("query lookback delta %s is negative", o.LookbackDelta))
	}
	if o.SubqueryStep < 0 {
		errs = append(errs, fmt.Errorf("query subquery step %s is negative", o.SubqueryStep))
	}
	return errors.Join(errs...)
}

// withDefaults returns o with every zero or negative field set to its default.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxSamples <= 0 {
		o.MaxSamples = DefaultMaxSamples
	}
	if o.LookbackDelta <= 0 {
		o.LookbackDelta = DefaultLookbackDelta
	}
	if o.SubqueryStep <= 0 {
		o.SubqueryStep = DefaultSubqueryStep
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
