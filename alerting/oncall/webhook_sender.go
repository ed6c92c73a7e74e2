package oncall

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsre/vigil/alerting/notify"
)

// webhookSender posts the changes of the teams' violations to their
// webhooks, from one goroutine (run), in order. Checks hand it each team's
// current violations (offer); it posts the difference from the last post
// each webhook accepted, and moves a team on only when its post succeeded,
// so a failed post's changes go out with the next check's. A state offered
// while a post is under way waits; a newer one replaces it, since only the
// difference from the accepted state is ever posted.
type webhookSender struct {
	urls     map[string]string // team → URL
	opts     notify.SenderOptions
	logger   *slog.Logger
	failures *prometheus.CounterVec // by team

	wake   chan struct{} // capacity 1: a state is waiting
	mu     sync.Mutex    // guards latest
	latest map[string][]Violation

	accepted map[string][]Violation // owned by run: each team's violations at its last accepted post
	handled  func()                 // tests: called after each state is handled; nil otherwise
}

// newWebhookSender returns a sender; run starts it.
func newWebhookSender(urls map[string]string, opts notify.SenderOptions, failures *prometheus.CounterVec) *webhookSender {
	return &webhookSender{
		urls: urls, opts: opts, logger: opts.Logger, failures: failures,
		wake: make(chan struct{}, 1), accepted: map[string][]Violation{},
	}
}

// offer hands the sender the teams' current violations.
func (w *webhookSender) offer(cur map[string][]Violation) {
	w.mu.Lock()
	w.latest = cur
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // already woken: it will take this newer state
	}
}

// take returns the state waiting, and forgets it.
func (w *webhookSender) take() map[string][]Violation {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := w.latest
	w.latest = nil
	return cur
}

// run posts the states offered until ctx is done; a post under way is
// cancelled then.
func (w *webhookSender) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		if cur := w.take(); cur != nil {
			w.send(ctx, cur)
		}
		if w.handled != nil {
			w.handled()
		}
	}
}

// send posts the changes from the accepted state to cur, one team after
// the other; a team without changes, or whose post succeeded, is moved on
// to cur.
func (w *webhookSender) send(ctx context.Context, cur map[string][]Violation) {
	posts := changes(w.accepted, cur)
	for team, vs := range cur {
		if !slices.ContainsFunc(posts, func(p WebhookPost) bool { return p.Team == team }) {
			w.accepted[team] = vs
		}
	}
	for _, p := range posts {
		err := notify.PostJSON(ctx, w.urls[p.Team], p, w.opts)
		switch {
		case err == nil:
			w.accepted[p.Team] = cur[p.Team]
		case ctx.Err() != nil:
			return
		default:
			w.failures.WithLabelValues(p.Team).Inc()
			w.logger.Warn("on-call webhook post failed; its changes go out again after the next check", "team", p.Team, "err", err)
		}
	}
}
