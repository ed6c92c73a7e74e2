package alerting

import (
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// env is what every group and rule of a Manager shares: its options (with
// defaults applied) and metrics.
type env struct {
	query              Querier
	writer             Writer
	notifier           Notifier // nil: nothing is sent
	defaultInterval    time.Duration
	missingDataTimeout time.Duration
	outageTolerance    time.Duration
	forGracePeriod     time.Duration
	externalURL        string   // as configured, without a trailing slash
	parsedURL          *url.URL // externalURL parsed, for templates
	logger             *slog.Logger
	now                func() time.Time
	metrics            *metrics
	deps               *deps           // the dependency graph and the alerts of every group
	weights            *WeightsOptions // nil: no service weights
}

// newEnv builds the env of opts, which are valid and have their defaults.
func newEnv(opts Options, m *metrics) *env {
	u, _ := url.Parse(opts.ExternalURL) // Validate checked it
	return &env{
		query:              opts.Query,
		writer:             opts.Writer,
		notifier:           opts.Notifier,
		defaultInterval:    opts.EvaluationInterval,
		missingDataTimeout: opts.MissingDataTimeout,
		outageTolerance:    opts.OutageTolerance,
		forGracePeriod:     opts.ForGracePeriod,
		externalURL:        strings.TrimRight(opts.ExternalURL, "/"),
		parsedURL:          u,
		logger:             opts.Logger,
		now:                opts.Now,
		metrics:            m,
		deps:               newDeps(emptyGraph()),
		weights:            opts.Weights,
	}
}
