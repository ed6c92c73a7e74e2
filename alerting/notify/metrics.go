package notify

import (
	"context"
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons of vigil_notifications_failed_total.
const (
	reasonRejected = "rejected" // a 4xx other than 429, or an unencodable event: not retried
	reasonGaveUp   = "gave_up"  // still failing after GiveUpAfter
	reasonCanceled = "canceled" // Run's context ended during the retries
)

// Reasons of vigil_notification_attempts_failed_total: why one attempt
// failed.
const (
	attemptNetwork     = "network" // no HTTP response: refused, reset, timed out
	attemptRateLimited = "429"
	attemptServer      = "5xx"
	attemptClient      = "4xx"   // any other 4xx: rejected
	attemptOther       = "other" // an encoding error or an unexpected status
)

// metrics are the delivery metrics of a Notifier, a PagerDutySender or
// PostJSON. With a nil Registerer they are kept but not registered; on a
// Registerer that already holds them (several senders, or a Notifier and a
// sender, sharing one) the registered collectors are used.
type metrics struct {
	sent        *prometheus.CounterVec
	failed      *prometheus.CounterVec
	attempts    *prometheus.CounterVec // failed attempts
	dropped     *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	queueLength *prometheus.GaugeVec
}

// receiverMetrics are the metrics of one receiver, looked up once.
type receiverMetrics struct {
	trigger, resolve, update   prometheus.Counter
	rejected, gaveUp, canceled prometheus.Counter
	attemptsFailed             *prometheus.CounterVec // by reason, curried with the receiver
	dropped                    prometheus.Counter
	latency                    prometheus.Observer
	queueLength                prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	return &metrics{
		sent: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_total",
			Help: "Notifications delivered, by receiver and action (trigger, resolve, update: a trigger naming the changed causes of an open incident; post: a PostJSON message).",
		}, []string{"receiver", "action"})),
		failed: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_failed_total",
			Help: "Notifications not delivered, by receiver and reason: rejected (4xx other than 429, not retried), gave_up (retried until give_up_after), canceled (shutdown).",
		}, []string{"receiver", "reason"})),
		attempts: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notification_attempts_failed_total",
			Help: "Delivery attempts that failed, retried or not, by receiver and reason: network, 429, 5xx, 4xx, other.",
		}, []string{"receiver", "reason"})),
		dropped: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_dropped_total",
			Help: "Notifications dropped because a queue was full (oldest first), by receiver; receiver=\"\" counts those dropped from the dispatcher's inbox before routing.",
		}, []string{"receiver"})),
		latency: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_notification_latency_seconds",
			Help:    "Time from queueing a notification for a receiver to its successful delivery, retries included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"receiver"})),
		queueLength: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_notify_queue_length",
			Help: "Alerts waiting in a receiver's queue.",
		}, []string{"receiver"})),
	}
}

// register registers c on reg (when not nil) and returns it, or the
// collector already registered there under the same descriptor.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	err := reg.Register(c)
	if are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}

// forReceiver returns (and so initializes at zero) the metrics of receiver.
func (m *metrics) forReceiver(receiver string) receiverMetrics {
	attempts := m.attemptsOf(receiver)
	return receiverMetrics{
		trigger:        m.sent.WithLabelValues(receiver, actionTrigger.String()),
		resolve:        m.sent.WithLabelValues(receiver, actionResolve.String()),
		update:         m.sent.WithLabelValues(receiver, actionUpdate.String()),
		rejected:       m.failed.WithLabelValues(receiver, reasonRejected),
		gaveUp:         m.failed.WithLabelValues(receiver, reasonGaveUp),
		canceled:       m.failed.WithLabelValues(receiver, reasonCanceled),
		attemptsFailed: attempts,
		dropped:        m.dropped.WithLabelValues(receiver),
		latency:        m.latency.WithLabelValues(receiver),
		queueLength:    m.queueLength.WithLabelValues(receiver),
	}
}

// attemptsOf returns the failed-attempt counters of receiver, by reason,
// initializing the usual reasons at zero.
func (m *metrics) attemptsOf(receiver string) *prometheus.CounterVec {
	attempts := m.attempts.MustCurryWith(prometheus.Labels{"receiver": receiver})
	for _, reason := range []string{attemptNetwork, attemptRateLimited, attemptServer, attemptClient} {
		attempts.WithLabelValues(reason)
	}
	return attempts
}

// sent returns the counter of delivered a.
func (rm receiverMetrics) sent(a action) prometheus.Counter {
	switch a {
	case actionResolve:
		return rm.resolve
	case actionUpdate:
		return rm.update
	}
	return rm.trigger
}

// attemptFailed counts one failed attempt, by the reason of err.
func (rm receiverMetrics) attemptFailed(err error) {
	rm.attemptsFailed.WithLabelValues(attemptReason(err)).Inc()
}

// failReason is the reason of vigil_notifications_failed_total for a
// delivery that ended with err: canceled when ctx (the caller's) is done,
// gave_up for a retryable error, rejected otherwise.
func failReason(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return reasonCanceled
	case retryable(err):
		return reasonGaveUp
	}
	return reasonRejected
}

// attemptReason classifies the error of a failed attempt.
func attemptReason(err error) string {
	var se *sendError
	switch {
	case !errors.As(err, &se):
		return attemptOther
	case se.status == 0:
		return attemptNetwork
	case se.status == http.StatusTooManyRequests:
		return attemptRateLimited
	case se.status >= 500:
		return attemptServer
	case se.status >= 400:
		return attemptClient
	}
	return attemptOther
}
