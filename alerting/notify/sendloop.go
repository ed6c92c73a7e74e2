package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// receiver is one destination with its own queue and send loop, so a slow
// or failing receiver delays nobody else.
//
// The dispatcher offers alerts; the send loop takes them one at a time,
// decides again from the delivery log what to send (a queued alert may have
// become a no-op), sends with retries and records a success in the log. The
// alert being sent is "in flight": offering it again queues it only when,
// assuming the flight succeeds, there would be something new to send.
//
// A trigger the receiver rejected (a 4xx other than 429) is not sent again
// for the same firing alert until repeat_interval has passed, so an invalid
// event is not posted on every evaluation; this memory is not persisted.
//
// A first page still being retried when its alert becomes suppressed is
// withdrawn: no attempt is started after that (one already under way may
// still land), so a dependent whose page could not get through does not
// page once the receiver is back.
type receiver struct {
	name    string
	sender  sender
	retry   retrier
	log     *deliveryLog
	repeat  time.Duration
	now     func() time.Time
	logger  *slog.Logger
	metrics receiverMetrics
	wake    chan struct{} // capacity 1: the queue may have work

	mu        sync.Mutex // guards the fields below
	queue     keyQueue
	inflight  string               // dedup key being sent, "" when idle
	flight    delivery             // what the log will record if it succeeds
	firstPage bool                 // the flight is a trigger of an alert not yet paged
	withdraw  bool                 // the flight is a first page whose alert is now suppressed
	rejected  map[string]time.Time // dedup key → when its trigger was rejected
}

// errWithdrawn ends the retries of a first page whose alert became
// suppressed.
var errWithdrawn = errors.New("withdrawn: the alert is suppressed now")

// offer queues n for delivery unless nothing would be sent for it; a queued
// alert just takes n as its newest state.
func (r *receiver) offer(key string, n alerting.Notification, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if key == r.inflight && r.firstPage {
		r.withdraw = n.Suppressed && !n.Resolved()
	}
	if r.queue.replace(key, n) {
		return
	}
	last, ok := r.lastLocked(key, now)
	if r.rejectedLocked(key, n, now) || decide(n, last, ok, now, r.repeat) == actionNone {
		return
	}
	if old, dropped := r.queue.push(job{dedupKey: key, n: n, queuedAt: now}); dropped {
		r.metrics.dropped.Inc()
		r.logger.Warn("notification queue full; dropped the oldest", "receiver", r.name, "dedup_key", old.dedupKey, "alertname", old.n.Labels.Get(labels.AlertName))
	}
	r.metrics.queueLength.Set(float64(r.queue.len()))
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// lastLocked is the last delivery of key as the dispatcher should see it:
// the one in flight, assumed to succeed, else the logged one.
func (r *receiver) lastLocked(key string, now time.Time) (delivery, bool) {
	if key == r.inflight {
		d := r.flight
		d.at = now
		return d, true
	}
	return r.log.get(r.name, key)
}

// rejectedLocked reports whether n fires while the last trigger of key was
// rejected less than repeat ago. It forgets older rejections, and a
// rejection once the alert resolved: its next firing is a new episode.
func (r *receiver) rejectedLocked(key string, n alerting.Notification, now time.Time) bool {
	at, ok := r.rejected[key]
	if ok && (n.Resolved() || now.Sub(at) >= r.repeat) {
		delete(r.rejected, key)
		ok = false
	}
	return ok
}

// run is the send loop; it returns when ctx is done.
func (r *receiver) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		for ctx.Err() == nil {
			j, a, ok := r.next()
			if !ok {
				break
			}
			r.deliver(ctx, j, a)
		}
	}
}

// next takes the oldest queued job that still needs an action and marks it
// in flight.
func (r *receiver) next() (job, action, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.metrics.queueLength.Set(float64(r.queue.len())) }()
	for {
		j, ok := r.queue.pop()
		if !ok {
			return job{}, actionNone, false
		}
		now := r.now()
		if r.rejectedLocked(j.dedupKey, j.n, now) {
			continue
		}
		last, ok := r.log.get(r.name, j.dedupKey)
		if a := decide(j.n, last, ok, now, r.repeat); a != actionNone {
			r.takeOffLocked(j, a, !ok || last.action != actionTrigger)
			return j, a, true
		}
	}
}

// takeOffLocked marks j in flight for a; firstPage tells that its alert has
// no delivered trigger.
func (r *receiver) takeOffLocked(j job, a action, firstPage bool) {
	r.inflight = j.dedupKey
	r.flight = delivery{action: a, causedBy: causes(j.n)}
	r.firstPage = a == actionTrigger && firstPage
	r.withdraw = false
}

// deliver sends a for j with retries and records the outcome.
func (r *receiver) deliver(ctx context.Context, j job, a action) {
	ev := event{action: a, dedupKey: j.dedupKey, n: j.n}
	attempts, err := r.retry.do(ctx, r.attempt(ctx, ev), func(n int, err error, wait time.Duration) {
		r.logger.Warn("notification attempt failed; retrying", r.attrs(ev, "attempt", n, "retry_in", wait, "err", err)...)
	})
	if errors.Is(err, errWithdrawn) {
		r.logger.Info("notification withdrawn before delivery; its alert is suppressed now", r.attrs(ev, "attempts", attempts-1)...)
		r.land(ev, r.now(), false)
		return
	}
	if err != nil {
		r.failed(ctx, ev, attempts, err)
		r.land(ev, r.now(), ctx.Err() == nil && !retryable(err))
		return
	}
	now := r.now()
	r.log.record(r.name, j.dedupKey, delivery{action: a, at: now, causedBy: causes(j.n)})
	r.metrics.sent(a).Inc()
	r.metrics.latency.Observe(max(0, now.Sub(j.queuedAt).Seconds()))
	r.logger.Info("notification delivered", r.attrs(ev, "attempts", attempts)...)
	r.land(ev, now, false)
	if err := r.log.save(); err != nil {
		r.logger.Error("notification log not saved; a restart may repeat this notification", "err", err)
	}
}

// attempt returns the attempt function of ev for the retrier. Every failed
// attempt is counted at once (unless Run is stopping), and none is started
// once a first page is withdrawn.
func (r *receiver) attempt(runCtx context.Context, ev event) func(context.Context) error {
	first := true
	return func(ctx context.Context) error {
		if !first && r.withdrawn() {
			return errWithdrawn
		}
		first = false
		err := r.sender.send(ctx, ev)
		if err != nil && runCtx.Err() == nil {
			r.metrics.attemptFailed(err)
		}
		return err
	}
}

// withdrawn reports whether the flight's alert became suppressed before any
// trigger of it was delivered.
func (r *receiver) withdrawn() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.withdraw
}

// land ends the flight: the log (updated first) now tells what was sent.
// A rejected trigger is remembered.
func (r *receiver) land(ev event, now time.Time, rejected bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inflight, r.flight, r.firstPage, r.withdraw = "", delivery{}, false, false
	if rejected && ev.action != actionResolve {
		r.rejected[ev.dedupKey] = now
	}
}

// failed counts and logs a notification that was not delivered. The log is
// not updated, so the next notification of a still-firing alert tries again.
func (r *receiver) failed(ctx context.Context, ev event, attempts int, err error) {
	attrs := r.attrs(ev, "attempts", attempts, "err", err)
	switch failReason(ctx, err) {
	case reasonCanceled:
		r.metrics.canceled.Inc()
		r.logger.Warn("notification abandoned at shutdown", attrs...)
	case reasonGaveUp:
		r.metrics.gaveUp.Inc()
		r.logger.Error("notification not delivered; gave up", append(attrs, "give_up_after", r.retry.giveUpAfter)...)
	default:
		r.metrics.rejected.Inc()
		r.logger.Error("notification rejected; not retrying", attrs...)
	}
}

// attrs are the log fields of ev followed by more.
func (r *receiver) attrs(ev event, more ...any) []any {
	return append([]any{"receiver", r.name, "action", ev.action.String(), "dedup_key", ev.dedupKey,
		"alertname", ev.n.Labels.Get(labels.AlertName)}, more...)
}
