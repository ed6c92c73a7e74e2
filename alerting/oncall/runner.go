package oncall

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SnapshotReader reads PagerDuty's on-call set-up; *Reader is one. window
// is how far ahead the schedules are rendered (Config.Window).
type SnapshotReader interface {
	Read(ctx context.Context, window time.Duration) (*Snapshot, error)
}

// ReadFunc adapts a function to SnapshotReader.
type ReadFunc func(ctx context.Context, window time.Duration) (*Snapshot, error)

// Read calls f.
func (f ReadFunc) Read(ctx context.Context, window time.Duration) (*Snapshot, error) {
	return f(ctx, window)
}

// DefaultWebhookTimeout bounds one post to a team's webhook.
const DefaultWebhookTimeout = 10 * time.Second

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Config is the oncall section, defaults applied and valid
	// (Config.ApplyDefaults, Config.Validate). Required.
	Config *Config
	// Reader reads PagerDuty; a *Reader, or a stand-in. Required.
	Reader SnapshotReader
	// Registerer receives the metrics of metrics.go. Default: none.
	Registerer prometheus.Registerer
	// Logger receives failed checks and webhook posts. Default:
	// slog.Default().
	Logger *slog.Logger
	// HTTPClient posts to the team webhooks. Default: http.DefaultClient
	// (each post is bounded by WebhookTimeout anyway).
	HTTPClient *http.Client
	// WebhookTimeout bounds one post to a webhook. Default:
	// DefaultWebhookTimeout.
	WebhookTimeout time.Duration
	// Now is the clock of Status's times and the metrics. Default: time.Now.
	Now func() time.Time
}

// Status is what a Runner knows of its checks.
type Status struct {
	// Report is the report of the last successful check; zero before one.
	Report Report
	// LastSuccess is when the last successful check started; zero before
	// one.
	LastSuccess time.Time
	// LastAttempt is when the last check, successful or not, started.
	LastAttempt time.Time
	// LastError is why the last check failed; "" when it succeeded.
	LastError string
}

// Runner checks the on-call set-up on an interval for `vigil serve`: it
// reads PagerDuty, checks the policies against the standards, exports the
// result as metrics, keeps it for Status and ViolationsOf, and posts the
// changes of each team's violations to its webhook (Config.TeamWebhooks).
//
// Webhooks: after every successful check, each team with a webhook whose
// set of violations changed since the previous successful check gets one
// POST {"team", "new": [Violation], "fixed": [Violation]}. The first
// successful check posts every current violation as new (a restart does
// too), so a team learns of its violations when the checks are turned on.
// A violation is identified by its policy, check and detail: one whose
// detail changes is posted as fixed and new. Posts run in the background,
// one check's posts in order; a failed post is logged and counted, never
// retried, and never delays a check.
//
// A Runner is safe for concurrent use; checks run one at a time.
type Runner struct {
	cfg     *Config
	reader  SnapshotReader
	logger  *slog.Logger
	now     func() time.Time
	metrics *metrics
	hooks   *webhooks

	checking sync.Mutex // one check at a time; guards prev

	prev map[string][]Violation // the violations of each webhook's team at the last success; nil before one

	mu     sync.Mutex // guards status
	status Status
}

// NewRunner returns a Runner; Run starts it.
func NewRunner(opts RunnerOptions) (*Runner, error) {
	if opts.Config == nil {
		return nil, errors.New("oncall runner: no configuration")
	}
	if opts.Reader == nil {
		return nil, errors.New("oncall runner: no reader")
	}
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	r := &Runner{cfg: opts.Config, reader: opts.Reader, logger: opts.Logger, now: opts.Now, metrics: m}
	r.hooks = &webhooks{urls: opts.Config.TeamWebhooks, client: opts.HTTPClient, timeout: opts.WebhookTimeout, logger: opts.Logger, failures: m.webhookFailures}
	return r, nil
}

// withDefaults fills in the options left zero.
func (o RunnerOptions) withDefaults() RunnerOptions {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = DefaultWebhookTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Run checks at once, then every Config.Interval, until ctx is done; then
// it waits for the webhook posts under way. A failed check is logged and
// counted, and the next tick tries again.
func (r *Runner) Run(ctx context.Context) {
	defer r.hooks.wait()
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := r.CheckNow(ctx); err != nil && ctx.Err() == nil {
			r.logger.Error("on-call check", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CheckNow reads PagerDuty and checks it now, waiting for a check under way
// first. It records the outcome (Status, metrics) and starts the webhook
// posts of the changes; a check that fails because ctx was done records
// nothing.
func (r *Runner) CheckNow(ctx context.Context) (Report, error) {
	r.checking.Lock()
	defer r.checking.Unlock()
	started := r.now()
	snap, err := r.reader.Read(ctx, r.cfg.Window())
	if err != nil {
		if ctx.Err() == nil {
			r.failed(started, err)
		}
		return Report{}, err
	}
	rep := Check(snap, r.cfg.Standards)
	r.succeeded(started, rep)
	r.notifyTeams(ctx, snap, rep)
	return rep, nil
}

// failed records a check that could not read PagerDuty.
func (r *Runner) failed(started time.Time, err error) {
	r.metrics.failed(err)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.LastAttempt = started
	r.status.LastError = err.Error()
}

// succeeded records the report of a successful check.
func (r *Runner) succeeded(started time.Time, rep Report) {
	r.metrics.succeeded(started, rep)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = Status{Report: rep, LastSuccess: started, LastAttempt: started}
}

// notifyTeams posts the changes of each webhook team's violations since
// the previous successful check.
func (r *Runner) notifyTeams(ctx context.Context, snap *Snapshot, rep Report) {
	if len(r.cfg.TeamWebhooks) == 0 {
		return
	}
	cur := violationsByTeam(r.cfg.TeamWebhooks, snap.Policies, rep.Violations)
	posts := changes(r.prev, cur)
	r.prev = cur
	r.hooks.post(ctx, posts)
}

// Status returns the outcome of the last check and the report of the last
// successful one. The caller must not modify the report's violations.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// ViolationsOf returns the violations of the escalation policy with the
// name or ID policy at the last successful check: none when it met its
// standard, no standard applied, or no check succeeded yet.
func (r *Runner) ViolationsOf(policy string) []Violation {
	var out []Violation
	for _, v := range r.Status().Report.Violations {
		if v.Policy == policy || v.PolicyID == policy {
			out = append(out, v)
		}
	}
	return out
}
