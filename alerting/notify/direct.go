package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// directSender delivers one event at a time for a caller that waits for
// the outcome (PagerDutySender, PostJSON): the retrier and metrics of a
// Notifier's receivers, without their queue and delivery log.
type directSender struct {
	receiver string
	retry    retrier
	logger   *slog.Logger
	metrics  *metrics
	attempts *prometheus.CounterVec // failed attempts by reason, curried with the receiver
}

// newDirectSender returns the directSender of opts (defaults applied).
func newDirectSender(opts SenderOptions) directSender {
	m := newMetrics(opts.Registerer)
	return directSender{receiver: opts.Receiver, retry: newRetrier(opts.GiveUpAfter), logger: opts.Logger, metrics: m, attempts: m.attemptsOf(opts.Receiver)}
}

// deliver calls attempt with retries. action is the action label of a
// success; what names the event in logs and errors. The error of an event
// not delivered says why: rejected (with the status and the start of the
// body), gave up, or canceled (it then wraps ctx.Err()).
func (d directSender) deliver(ctx context.Context, action, what string, attempt func(context.Context) error) error {
	start := time.Now()
	n, err := d.retry.do(ctx, d.counted(ctx, attempt), func(n int, err error, wait time.Duration) {
		d.logger.Warn("notification attempt failed; retrying", "receiver", d.receiver, "event", what, "attempt", n, "retry_in", wait, "err", err)
	})
	if err == nil {
		d.metrics.sent.WithLabelValues(d.receiver, action).Inc()
		d.metrics.latency.WithLabelValues(d.receiver).Observe(time.Since(start).Seconds())
		return nil
	}
	return d.failed(ctx, what, n, err)
}

// counted wraps attempt to count every failed attempt unless ctx (the
// caller's) is done.
func (d directSender) counted(ctx context.Context, attempt func(context.Context) error) func(context.Context) error {
	return func(actx context.Context) error {
		err := attempt(actx)
		if err != nil && ctx.Err() == nil {
			d.attempts.WithLabelValues(attemptReason(err)).Inc()
		}
		return err
	}
}

// failed counts and logs an event not delivered after n attempts and
// returns its error.
func (d directSender) failed(ctx context.Context, what string, n int, err error) error {
	reason := failReason(ctx, err)
	d.metrics.failed.WithLabelValues(d.receiver, reason).Inc()
	attrs := []any{"receiver", d.receiver, "event", what, "attempts", n, "err", err}
	switch reason {
	case reasonCanceled:
		d.logger.Warn("notification abandoned; context done", attrs...)
		return fmt.Errorf("notify: %s: canceled after %d attempts: %w (last attempt: %w)", what, n, ctx.Err(), err)
	case reasonGaveUp:
		d.logger.Error("notification not delivered; gave up", append(attrs, "give_up_after", d.retry.giveUpAfter)...)
		return fmt.Errorf("notify: %s: gave up after %d attempts in %s: %w", what, n, d.retry.giveUpAfter, err)
	}
	d.logger.Error("notification rejected; not retrying", attrs...)
	return fmt.Errorf("notify: %s: rejected: %w", what, err)
}
