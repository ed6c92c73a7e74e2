package oncall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsre/vigil/alerting/notify"
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

// DefaultWebhookTimeout bounds one attempt to post to a team's webhook.
const DefaultWebhookTimeout = 10 * time.Second

// WebhookReceiver is the receiver label of the webhook posts in the logs of
// alerting/notify.
const WebhookReceiver = "oncall-webhook"

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Config is the oncall section. Required. NewRunner applies the
	// defaults to a copy (Config.ApplyDefaults) and refuses it when
	// Config.Validate does.
	Config *Config
	// Reader reads PagerDuty; a *Reader, or a stand-in. Required.
	Reader SnapshotReader
	// Registerer receives the metrics of metrics.go. Default: none.
	Registerer prometheus.Registerer
	// Logger receives failed checks and webhook posts. Default:
	// slog.Default().
	Logger *slog.Logger
	// HTTPClient posts to the team webhooks. Default: a client whose
	// Timeout is WebhookTimeout; a client without a Timeout is given it.
	HTTPClient *http.Client
	// WebhookTimeout bounds one attempt to post to a webhook. Default:
	// DefaultWebhookTimeout.
	WebhookTimeout time.Duration
	// WebhookGiveUpAfter bounds the retries of one post (alerting/notify's
	// backoff on network errors, 429 and 5xx). Default:
	// notify.DefaultGiveUpAfter.
	WebhookGiveUpAfter time.Duration
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
// Names: a team_webhooks key, like a standard's teams and policies and the
// name asked of ViolationsOf, is an ID (exactly) or a name (in any case).
//
// Webhooks: after a successful check, each team with a webhook whose
// violations differ from those of its last accepted post gets one POST
// {"team", "new": [Violation], "fixed": [Violation]} (through
// alerting/notify's PostJSON: retried with backoff on network errors, 429
// and 5xx). The first post of a team, after a start too, lists every
// current violation as new, so a team learns of its violations when the
// checks are turned on. A violation is identified by its policy ID, check
// and detail: one whose detail changes is posted as fixed and new. Posts
// go out from one goroutine while Run runs, in order; a post that fails
// for good is logged and counted, and its changes go out again after the
// next check. Posts never delay a check. A team_webhooks key that names no
// team of any policy is logged at warn after every check.
//
// A Runner is safe for concurrent use; checks run one at a time.
type Runner struct {
	cfg     *Config
	reader  SnapshotReader
	logger  *slog.Logger
	now     func() time.Time
	metrics *metrics
	hooks   *webhookSender
	ticker  func(time.Duration) (<-chan time.Time, func()) // tests replace it

	checking sync.Mutex // one check at a time

	mu       sync.Mutex // guards the fields below
	status   Status
	policies []Ref           // the policies of the last successful check
	unknown  map[string]bool // names asked of ViolationsOf, and logged, that named none of them
}

// NewRunner returns a Runner; Run starts it. The configuration is copied,
// with the defaults applied, and must be valid.
func NewRunner(opts RunnerOptions) (*Runner, error) {
	if opts.Config == nil {
		return nil, errors.New("oncall runner: no configuration")
	}
	if opts.Reader == nil {
		return nil, errors.New("oncall runner: no reader")
	}
	cfg, err := preparedConfig(opts.Config)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, reader: opts.Reader, logger: opts.Logger, now: opts.Now, metrics: m, ticker: newTicker}
	r.hooks = newWebhookSender(cfg.TeamWebhooks, notify.SenderOptions{
		GiveUpAfter: opts.WebhookGiveUpAfter, Logger: opts.Logger, Receiver: WebhookReceiver, HTTPClient: opts.HTTPClient,
	}, m.webhookFailures)
	return r, nil
}

// preparedConfig returns a copy of c with the defaults applied, or why it
// is not valid.
func preparedConfig(c *Config) (*Config, error) {
	cp := *c
	cp.Standards = slices.Clone(c.Standards)
	for i := range cp.Standards {
		if n := cp.Standards[i].Notify; n != nil {
			nc := *n
			cp.Standards[i].Notify = &nc
		}
	}
	cp.TeamWebhooks = maps.Clone(c.TeamWebhooks)
	cp.ApplyDefaults()
	if err := cp.Validate(); err != nil {
		return nil, fmt.Errorf("oncall runner: invalid configuration: %w", err)
	}
	return &cp, nil
}

// withDefaults fills in the options left zero.
func (o RunnerOptions) withDefaults() RunnerOptions {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = DefaultWebhookTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.HTTPClient.Timeout == 0 {
		c := *o.HTTPClient
		c.Timeout = o.WebhookTimeout
		o.HTTPClient = &c
	}
	if o.WebhookGiveUpAfter <= 0 {
		o.WebhookGiveUpAfter = notify.DefaultGiveUpAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// newTicker is a time.Ticker's channel and Stop.
func newTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// Run checks at once, then every Config.Interval, until ctx is done, and
// posts the webhooks' changes meanwhile; it returns when the webhook
// sender has stopped too (a post under way is cancelled). A failed check
// is logged and counted, and the next tick tries again.
func (r *Runner) Run(ctx context.Context) {
	var sender sync.WaitGroup
	defer sender.Wait()
	sender.Go(func() { r.hooks.run(ctx) })
	tick, stop := r.ticker(r.cfg.Interval)
	defer stop()
	for {
		if _, err := r.CheckNow(ctx); err != nil && ctx.Err() == nil {
			r.logger.Error("on-call check", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// CheckNow reads PagerDuty and checks it now, waiting for a check under way
// first. It records the outcome (Status, metrics) and hands the teams'
// violations to the webhook sender (posted while Run runs); a check that
// fails because ctx was done records nothing.
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
	r.succeeded(started, snap, rep)
	r.notifyTeams(snap, rep)
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

// succeeded records the report of a successful check of snap.
func (r *Runner) succeeded(started time.Time, snap *Snapshot, rep Report) {
	r.metrics.succeeded(started, rep)
	policies := make([]Ref, len(snap.Policies))
	for i, p := range snap.Policies {
		policies[i] = Ref{ID: p.ID, Name: p.Name}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = Status{Report: rep, LastSuccess: started, LastAttempt: started}
	r.policies = policies
	r.unknown = nil
}

// notifyTeams hands each webhook team's violations to the sender, and
// warns of the team_webhooks keys that name no team.
func (r *Runner) notifyTeams(snap *Snapshot, rep Report) {
	if len(r.cfg.TeamWebhooks) == 0 {
		return
	}
	for _, team := range unknownTeams(r.cfg.TeamWebhooks, snap.Policies) {
		r.logger.Warn("on-call team_webhooks names no team of any escalation policy; nothing will be posted to it",
			"team", team, "url", r.cfg.TeamWebhooks[team])
	}
	r.hooks.offer(violationsByTeam(r.cfg.TeamWebhooks, snap.Policies, rep.Violations))
}

// Status returns the outcome of the last check and the report of the last
// successful one. The caller must not modify the report's violations.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// ViolationsOf returns the violations of the escalation policy named
// policy (its ID exactly, or its name in any case) at the last successful
// check: none when it met its standard, no standard applied, or no check
// succeeded yet. A name that matches no policy of that check is logged at
// warn, once per check.
func (r *Runner) ViolationsOf(policy string) []Violation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Violation
	for _, v := range r.status.Report.Violations {
		if (Ref{ID: v.PolicyID, Name: v.Policy}).named(policy) {
			out = append(out, v)
		}
	}
	r.warnUnknown(policy)
	return out
}

// warnUnknown logs, once per check, that policy names no policy of the
// last successful check. r.mu is held.
func (r *Runner) warnUnknown(policy string) {
	if r.status.LastSuccess.IsZero() || r.unknown[policy] ||
		slices.ContainsFunc(r.policies, func(p Ref) bool { return p.named(policy) }) {
		return
	}
	if r.unknown == nil {
		r.unknown = map[string]bool{}
	}
	r.unknown[policy] = true
	r.logger.Warn("on-call: no escalation policy has this name or ID", "policy", policy)
}
