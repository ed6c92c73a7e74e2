package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/alerting/notify"
	"github.com/vigilsre/vigil/query"
	"github.com/vigilsre/vigil/sevbridge"
)

// sevStack is the SEV bridge of a running server, when sev.policy_file is
// set: its store (<data_dir>/sev/sevs.db) and the goroutine that runs it.
// It runs after the time-series store is open and stops before it closes;
// the alerting stack, which feeds it alert events, stops before it.
type sevStack struct {
	bridge *sevbridge.Bridge
	store  *sevbridge.Store
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// sevDir is the directory of the SEV store and the postmortem drafts,
// under the data directory.
const sevDir = "sev"

// startSEV reads the policy, opens the SEV store, builds the bridge and
// starts it. It returns nil when no policy is configured. A bad policy is
// an error naming its file and line.
func (s *server) startSEV(engine *query.Engine) (*sevStack, error) {
	if s.cfg.SEV.PolicyFile == "" {
		return nil, nil
	}
	policy, err := loadPolicy(s.cfg.SEV.PolicyFile, s.cfg.SamplingInterval)
	if err != nil {
		return nil, fmt.Errorf("invalid SEV policy; the server did not start:\n%w", err)
	}
	dir := filepath.Join(s.cfg.Storage.DataDir, sevDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create SEV directory: %w", err)
	}
	store, err := sevbridge.OpenStore(filepath.Join(dir, "sevs.db"))
	if err != nil {
		return nil, fmt.Errorf("open SEV store: %w", err)
	}
	bridge, err := sevbridge.New(s.bridgeOptions(policy, store, engine, dir))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("start SEV bridge: %w", err), store.Close())
	}
	sv := &sevStack{bridge: bridge, store: store}
	sv.start(s)
	return sv, nil
}

// loadPolicy reads and checks the SEV policy file; an interval it leaves
// unset is sampling_interval.
func loadPolicy(file string, sampling time.Duration) (*sevbridge.Policy, error) {
	p, err := sevbridge.ParsePolicyFile(file)
	if err != nil {
		return nil, err
	}
	followSampling(&p.Interval, sampling)
	return p, nil
}

// bridgeOptions composes sevbridge.Options: pages go to PagerDuty's Events
// API (notify.pagerduty.events_url, or PagerDuty's own), posts to the
// policy's webhooks, drafts to <data_dir>/sev/postmortems.
func (s *server) bridgeOptions(p *sevbridge.Policy, store *sevbridge.Store, engine *query.Engine, dir string) sevbridge.Options {
	send := notify.SenderOptions{
		GiveUpAfter: s.cfg.Notify.GiveUpAfter,
		Logger:      s.logger.With("component", "sev"),
		Registerer:  s.reg,
	}
	opts := sevbridge.Options{
		Policy: p,
		Store:  store,
		Query:  engine,
		Pager:  notify.NewPagerDutySender(s.eventsURL(), send),
		Poster: sevbridge.PosterFunc(func(ctx context.Context, url string, body any) error {
			return notify.PostJSON(ctx, url, body, send)
		}),
		PostmortemDir: filepath.Join(dir, "postmortems"),
		ExternalURL:   s.externalURL(),
		Logger:        s.logger.With("component", "sev"),
		Registerer:    s.reg,
	}
	if s.oncall != nil && s.oncall.runner != nil { // a nil *Runner must not become a non-nil interface
		opts.OnCall = s.oncall.runner
	}
	return opts
}

// eventsURL is the PagerDuty Events API the SEV pages go to:
// notify.pagerduty.events_url when set, else PagerDuty's.
func (s *server) eventsURL() string {
	if pd := s.cfg.Notify.PagerDuty; pd != nil && pd.EventsURL != "" {
		return pd.EventsURL
	}
	return notify.DefaultEventsURL
}

// start runs the bridge until stop.
func (sv *sevStack) start(s *server) {
	ctx, cancel := context.WithCancel(context.Background())
	sv.cancel = cancel
	sv.done.Go(func() {
		if err := sv.bridge.Run(ctx); err != nil {
			s.logger.Error("SEV bridge stopped", "err", err)
		}
	})
}

// stop stops the bridge, waits for it and closes the SEV store. Nil-safe:
// a server without a policy has no stack.
func (sv *sevStack) stop() error {
	if sv == nil {
		return nil
	}
	sv.cancel()
	sv.done.Wait()
	if err := sv.store.Close(); err != nil {
		return fmt.Errorf("close SEV store: %w", err)
	}
	return nil
}

// sevFeed is the alerting.Notifier of a server with a SEV bridge: it hands
// the bridge every notification of an alert labelled sev_type and
// sev_level, then passes them all on to the notifier (when there is one).
type sevFeed struct {
	next   alerting.Notifier // nil: alerts are not sent
	bridge *sevbridge.Bridge
	now    func() time.Time
}

// Notify implements alerting.Notifier. It does not block: the bridge
// queues the events for its next evaluation.
func (f *sevFeed) Notify(ns []alerting.Notification) {
	if events := sevEvents(ns, f.now()); len(events) > 0 {
		f.bridge.Alerts(events)
	}
	if f.next != nil {
		f.next.Notify(ns)
	}
}

// The labels that make an alert a SEV's.
const (
	labelSEVType  = "sev_type"
	labelSEVLevel = "sev_level"
)

// sevEvents are the alert events of the notifications of alerts labelled
// sev_type and sev_level: firing unless resolved, at when the alert
// resolved, or else when it started firing (the impact's start); now when
// the notification has neither.
func sevEvents(ns []alerting.Notification, now time.Time) []sevbridge.AlertEvent {
	var events []sevbridge.AlertEvent
	for _, n := range ns {
		if n.Labels.Has(labelSEVType) && n.Labels.Has(labelSEVLevel) {
			events = append(events, sevbridge.AlertEvent{Labels: n.Labels, Firing: !n.Resolved(), Suppressed: n.Suppressed, At: eventTime(n, now)})
		}
	}
	return events
}

// eventTime is when the event of n happened.
func eventTime(n alerting.Notification, now time.Time) time.Time {
	switch {
	case n.Resolved():
		return n.EndsAt
	case !n.StartsAt.IsZero():
		return n.StartsAt
	}
	return now
}

// policyReload re-reads the SEV policy for the reloader and hands it to
// the bridge. Its methods are nil-safe: a server without a bridge has none.
type policyReload struct {
	file     string
	sampling time.Duration // the interval of a policy that sets none
	bridge   *sevbridge.Bridge
}

// policyReload returns the policy reloader of sev; nil without a bridge.
func (s *server) policyReload(sev *sevStack) *policyReload {
	if sev == nil {
		return nil
	}
	return &policyReload{file: s.cfg.SEV.PolicyFile, sampling: s.cfg.SamplingInterval, bridge: sev.bridge}
}

// read reads and checks the policy file; nil without a bridge.
func (p *policyReload) read() (*sevbridge.Policy, error) {
	if p == nil {
		return nil, nil
	}
	return loadPolicy(p.file, p.sampling)
}

// set swaps policy in; the bridge keeps its SEVs.
func (p *policyReload) set(policy *sevbridge.Policy) error {
	if p == nil {
		return nil
	}
	if err := p.bridge.SetPolicy(policy); err != nil {
		return fmt.Errorf("SEV policy %s: %w", p.file, err)
	}
	return nil
}
