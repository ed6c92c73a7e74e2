package sevbridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsre/vigil/alerting/notify"
	"github.com/vigilsre/vigil/query"
)

// Querier runs the SLI queries. *query.Engine implements it, as it does
// alerting.Querier.
type Querier interface {
	Instant(ctx context.Context, expr string, ts time.Time) (*query.Result, error)
}

// Pager sends PagerDuty Events API v2 events with the Bridge's dedup keys
// ("<SEV-id>-<role>"). *notify.PagerDutySender implements it.
type Pager interface {
	Trigger(ctx context.Context, routingKey, dedupKey, severity, summary, source string, details map[string]any, links []notify.Link) error
	Resolve(ctx context.Context, routingKey, dedupKey string) error
}

// Poster posts a JSON body (a Slack-compatible message) to a webhook URL.
// PosterFunc adapts notify.PostJSON.
type Poster interface {
	Post(ctx context.Context, url string, body any) error
}

// PosterFunc adapts a function, such as a closure over notify.PostJSON, to Poster.
type PosterFunc func(ctx context.Context, url string, body any) error

// Post calls f.
func (f PosterFunc) Post(ctx context.Context, url string, body any) error { return f(ctx, url, body) }

// Options configure a Bridge.
type Options struct {
	// Policy is the SEV policy. Required; Policy.Interval must be set
	// (cmd sets it to the sampling interval when the file leaves it 0).
	Policy *Policy
	// Store holds the SEVs and the ledger. Required; the Bridge does not
	// close it.
	Store *Store
	// Query runs the SLI queries. Required when the policy has an SLI.
	Query Querier
	// Pager sends PagerDuty events. Default (nil): pages are logged, not sent.
	Pager Pager
	// Poster posts SEVs to Policy.Webhooks. Default (nil): no posts.
	Poster Poster
	// OnCall says which PagerDuty escalation policies miss their on-call
	// standard (an *oncall.Runner). When a paged role's rotation names an
	// escalation_policy with violations, the SEV's timeline gets an
	// oncall_warning entry (see Engine.SetOnCallStandards). Default (nil):
	// no warnings. A typed nil pointer is not nil: leave the field unset.
	OnCall OnCallStandards
	// PostmortemDir receives the drafts, <id>.md. Default (""): no drafts.
	PostmortemDir string
	// ExternalURL is Vigil's address as people reach it; SEV links are
	// ExternalURL + "/api/v1/sevs/<id>". Default: links are the bare path.
	ExternalURL string
	// Logger hears of failed queries, pages, posts and writes. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the vigil_sev* metrics. Default (nil): none registered.
	Registerer prometheus.Registerer
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Validate reports every problem with o.
func (o *Options) Validate() error {
	var errs []error
	if o.Policy == nil {
		errs = append(errs, errors.New("sev bridge: policy is required"))
	} else {
		errs = append(errs, validatePolicyForBridge(o.Policy, o.Query))
	}
	if o.Store == nil {
		errs = append(errs, errors.New("sev bridge: store is required"))
	}
	return errors.Join(errs...)
}

func validatePolicyForBridge(p *Policy, q Querier) error {
	var errs []error
	if p.Interval <= 0 {
		errs = append(errs, fmt.Errorf("sev bridge: policy interval %s: must be positive", p.Interval))
	}
	if q == nil && (p.Global != nil || p.Routes != nil) {
		errs = append(errs, errors.New("sev bridge: a querier is required for the policy's SLIs"))
	}
	return errors.Join(errs...)
}

// maxQueuedAlerts bounds the alert events waiting for Run; older ones
// are dropped (and logged) when Run does not keep up.
const maxQueuedAlerts = 10000

// drainTimeout bounds how long Run, once its context is done, waits for
// the effect worker to execute the effects still queued (pages, posts,
// drafts of Changes already persisted); what is left then is logged and
// waits for the next Run.
const drainTimeout = 10 * time.Second

// maxPoints bounds the SLI readings kept per SEV for its postmortem (a day
// of 10 s readings of a few SLIs); older ones are dropped.
const maxPoints = 20000

// Bridge runs the SEV engine: it queries the SLIs every Policy.Interval,
// steps the engine, persists each Change before executing its effects
// (pages, posts, postmortem drafts) and keeps the SLA ledger. Human actions
// go through the same engine. Safe for concurrent use.
//
// Effects never hold up a Change: the engine step (or Declare, Act)
// persists the Change and puts it on one ordered effect queue, under mu,
// and returns; one worker goroutine, started by Run and stopped and waited
// for when Run returns, executes the queue in order, so the effects of a
// SEV run in the order of its Changes however slow PagerDuty is (a send
// may retry for notify's give_up_after). Effects queued while Run is not
// running (a Declare before Run, or after it returned, or the rest of a
// Change interrupted by the stop) wait for the next Run. When Run's
// context is done, the worker first drains the queue for up to
// drainTimeout, so the pages of persisted Changes are not lost at a
// shutdown; Run logs what is still queued after that (lost if the process
// exits).
//
// Locks: mu serialises the engine, the store writes, the queue pushes and
// the state below it; effMu is held by whoever executes a queued Change
// (the worker, or drain in tests), never with mu.
type Bridge struct {
	store        *Store
	query        Querier
	pager        Pager
	poster       Poster
	pmDir        string
	extURL       string
	logger       *slog.Logger
	now          func() time.Time
	metrics      *metrics
	drainTimeout time.Duration // drainTimeout; shorter in tests
	reset        chan struct{} // SetPolicy → Run resets its ticker
	wake         chan struct{} // Alerts → Run steps the queued alerts
	effects      *effectQueue  // persisted Changes whose effects wait for the worker

	effMu sync.Mutex // held while one queued Change's effects execute

	mu      sync.Mutex
	policy  *Policy
	engine  *Engine
	alerts  []AlertEvent          // queued by Alerts for the next step
	active  map[string]*SEV       // open and mitigated SEVs by id
	points  map[string][]SLIPoint // readings kept per active SEV
	minute  time.Time             // start of the ledger minute being observed
	lastSLI *Reading              // last global reading in minute; nil: none yet
	lastIDs []string              // active SEVs at lastSLI
	drafted map[string]bool       // active SEVs with a draft written or queued
}

// New returns a Bridge over opts, its engine rebuilt from the store's
// active SEVs so a restart files no duplicate SEV and sends no duplicate page.
func New(opts Options) (*Bridge, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	active, next, err := loadActive(opts.Store)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	b := newBridge(opts, m)
	if b.effects, err = newEffectQueue(opts.Registerer); err != nil {
		return nil, err
	}
	b.engine = NewEngine(opts.Policy, active, next)
	b.engine.SetOnCallStandards(opts.OnCall)
	for _, s := range active {
		b.active[s.ID] = s
	}
	m.setOpen(active)
	return b, nil
}

func loadActive(st *Store) ([]*SEV, int, error) {
	active, err := st.Active()
	if err != nil {
		return nil, 0, fmt.Errorf("load active sevs: %w", err)
	}
	next, err := st.NextNumber()
	if err != nil {
		return nil, 0, fmt.Errorf("load next sev number: %w", err)
	}
	return active, next, nil
}

func newBridge(opts Options, m *metrics) *Bridge {
	b := &Bridge{
		store: opts.Store, query: opts.Query, pager: opts.Pager, poster: opts.Poster,
		pmDir: opts.PostmortemDir, extURL: opts.ExternalURL, logger: opts.Logger, now: opts.Now,
		metrics: m, reset: make(chan struct{}, 1), wake: make(chan struct{}, 1), policy: opts.Policy,
		active: map[string]*SEV{}, points: map[string][]SLIPoint{}, drafted: map[string]bool{},
		drainTimeout: drainTimeout,
	}
	if b.logger == nil {
		b.logger = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b
}

// Run evaluates every Policy.Interval until ctx is done, then returns nil.
// It starts the effect worker, which executes the queued effects (those
// queued before Run first). When ctx is done, the worker drains the queue
// for up to drainTimeout, the send in flight included (it is not
// cancelled), and Run waits for it and records the ledger minute being
// observed before returning; effects still queued then are logged and
// wait for the next Run (see Bridge).
func (b *Bridge) Run(ctx context.Context) error {
	send, cancelSend := context.WithCancel(context.WithoutCancel(ctx))
	var worker sync.WaitGroup
	worker.Go(func() { b.sendEffects(ctx, send) })
	defer b.flushMinute()
	defer b.stopEffects(&worker, cancelSend)
	sched := newSchedule(b.now(), b.interval())
	t := time.NewTicker(sched.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.reset:
			sched = newSchedule(b.now(), b.interval())
			t.Reset(sched.interval)
		case <-t.C:
			b.step(ctx, sched.next(b.now()))
		case <-b.wake:
			b.stepAlerts(b.now())
		}
	}
}

// schedule gives each evaluation its scheduled time, start + n×interval,
// rather than the moment the ticker fired: the table rows' for,
// recovery_for and resolve_after are multiples of the interval, and a
// tick arriving a few microseconds early would otherwise make a 30s for
// hold only at the next evaluation.
type schedule struct {
	start    time.Time
	interval time.Duration
	n        int64
}

func newSchedule(start time.Time, interval time.Duration) schedule {
	return schedule{start: start, interval: interval}
}

// next returns the time of the next evaluation. When the loop fell more
// than an interval behind (a stalled process, a suspended machine), it
// starts again from now instead of replaying the missed times.
func (s *schedule) next(now time.Time) time.Time {
	s.n++
	at := s.start.Add(time.Duration(s.n) * s.interval)
	if now.Sub(at) > s.interval {
		s.start, s.n = now, 0
		return now
	}
	return at
}

func (b *Bridge) interval() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.policy.Interval
}

// SetPolicy replaces the policy (reload): the engine keeps its SEVs and
// restarts its SLI tracking. p must be valid as for New.
func (b *Bridge) SetPolicy(p *Policy) error {
	if p == nil {
		return errors.New("sev bridge: policy is required")
	}
	if err := validatePolicyForBridge(p, b.query); err != nil {
		return err
	}
	b.mu.Lock()
	b.policy = p
	b.engine.SetPolicy(p)
	b.mu.Unlock()
	select {
	case b.reset <- struct{}{}:
	default:
	}
	return nil
}

// Alerts queues alert events (from alerting's notifications) and wakes
// Run, which hands them to the engine at once (without SLI readings).
func (b *Bridge) Alerts(events []AlertEvent) {
	b.mu.Lock()
	b.alerts = append(b.alerts, events...)
	if n := len(b.alerts) - maxQueuedAlerts; n > 0 {
		b.alerts = slices.Delete(b.alerts, 0, n)
		b.logger.Warn("sev alert queue full: dropped oldest events", "dropped", n)
	}
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// step is one evaluation at now: query the SLIs, then stepEngine.
func (b *Bridge) step(ctx context.Context, now time.Time) {
	b.mu.Lock()
	p := b.policy
	b.mu.Unlock()
	readings := b.readings(ctx, p, now)
	if ctx.Err() != nil {
		return // a stop during the queries: they failed, the data is not missing
	}
	b.stepEngine(now, readings, true)
}

// stepAlerts hands the queued alerts to the engine without SLI readings.
func (b *Bridge) stepAlerts(now time.Time) {
	b.stepEngine(now, nil, false)
}

// stepEngine steps the engine with readings and the queued alerts,
// persists the Changes, queues their effects and feeds the ledger (when
// ledger).
func (b *Bridge) stepEngine(now time.Time, readings []Reading, ledger bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	alerts := b.alerts
	b.alerts = nil
	b.enqueue(b.apply(now, readings, b.engine.Step(now, readings, alerts), true))
	if ledger {
		b.observeMinute(now, b.policy.SLA, readings)
	}
}
