package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/query"
)

// Defaults of Options, used for its zero fields.
const (
	DefaultEvaluationInterval = 10 * time.Second
	DefaultMissingDataTimeout = 5 * time.Minute
	DefaultOutageTolerance    = time.Hour
	DefaultForGracePeriod     = 10 * time.Minute
)

// Querier is what evaluation needs of the query engine; *query.Engine
// satisfies it. It must be safe for concurrent use: every group queries from
// its own goroutine.
type Querier interface {
	Instant(ctx context.Context, expr string, ts time.Time) (*query.Result, error)
}

// Writer stores evaluation results (ALERTS, ALERTS_FOR_STATE, recording
// rules, stale markers) back in the store. cmd adapts it to
// tsdb.DB.AppendBatch. Samples of one call share a timestamp and have
// distinct label sets; the slice is the Writer's only during the call (the
// labels, immutable, may be kept). Groups write concurrently: it must be
// safe for concurrent use. An error fails the rule evaluation that wrote.
type Writer interface {
	WriteSamples(samples []Sample) error
}

// Sample is one value of one series at one time (T in milliseconds since the
// epoch), as written by evaluation. A stale marker has the bit pattern of
// value.StaleNaN.
type Sample struct {
	Labels labels.Labels
	T      int64
	V      float64
}

// Options configure a Manager. Query and Writer are required; every other
// zero field takes the default it documents.
type Options struct {
	// Query evaluates rule expressions. Required.
	Query Querier
	// Writer receives ALERTS, ALERTS_FOR_STATE and recording rule results.
	// Required.
	Writer Writer
	// Notifier receives firing, unknown and resolved alerts after each group
	// evaluation. Default: nil, nothing is sent.
	Notifier Notifier
	// EvaluationInterval is how often a group is evaluated unless its
	// `interval` says otherwise. Default: 10s (the sampling interval).
	EvaluationInterval time.Duration
	// MissingDataTimeout is how long a firing alert whose input data went
	// missing stays unknown before it resolves. Default: 5m.
	MissingDataTimeout time.Duration
	// OutageTolerance is how far back restore looks for ALERTS_FOR_STATE;
	// older state is ignored. Default: 1h.
	OutageTolerance time.Duration
	// ForGracePeriod is the least time a restored pending alert with a
	// `for` of at least this long waits before firing. Default: 10m (as
	// Prometheus' --rules.alert.for-grace-period).
	ForGracePeriod time.Duration
	// ExternalURL is the address users reach Vigil at, for GeneratorURL and
	// the $externalURL template variable. Default: "".
	ExternalURL string
	// Logger receives evaluation errors and reloads. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the vigil_alerts, vigil_alerts_suppressed,
	// vigil_rule_*, vigil_rules_* and vigil_service_* metrics. Default: no
	// metrics are registered.
	Registerer prometheus.Registerer
	// Now is the clock: evaluation slots, durations and LastEvaluation read
	// it. Run's timers use the time package; test Run under
	// testing/synctest. Default: time.Now.
	Now func() time.Time
	// Weights configures the service weights Run computes from request
	// rates (see WeightsOptions and Manager.Weights). Default: nil, none.
	Weights *WeightsOptions
}

// Validate reports every missing or impossible field.
func (o Options) Validate() error {
	var errs []error
	if o.Query == nil {
		errs = append(errs, errors.New("alerting: a querier is required"))
	}
	if o.Writer == nil {
		errs = append(errs, errors.New("alerting: a writer is required"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"evaluation interval", o.EvaluationInterval},
		{"missing data timeout", o.MissingDataTimeout},
		{"outage tolerance", o.OutageTolerance},
		{"for grace period", o.ForGracePeriod},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("alerting: %s %s is negative", d.name, d.v))
		}
	}
	if _, err := url.Parse(o.ExternalURL); err != nil {
		errs = append(errs, fmt.Errorf("alerting: external URL: %w", err))
	}
	if o.Weights != nil {
		if err := o.Weights.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.EvaluationInterval <= 0 {
		o.EvaluationInterval = DefaultEvaluationInterval
	}
	if o.MissingDataTimeout <= 0 {
		o.MissingDataTimeout = DefaultMissingDataTimeout
	}
	if o.OutageTolerance <= 0 {
		o.OutageTolerance = DefaultOutageTolerance
	}
	if o.ForGracePeriod <= 0 {
		o.ForGracePeriod = DefaultForGracePeriod
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Weights != nil {
		w := o.Weights.withDefaults()
		o.Weights = &w
	}
	return o
}
