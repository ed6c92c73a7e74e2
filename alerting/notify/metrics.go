package notify

import (
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
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

// metrics are a Notifier's metrics. With a nil Registerer they are kept but
// not registered.
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
	f := promauto.With(reg)
	return &metrics{
		sent: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_total",
			Help: "Notifications delivered, by receiver and action (trigger, resolve, update: a trigger naming the changed causes of an open incident).",
		}, []string{"receiver", "action"}),
		failed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_failed_total",
			Help: "Notifications not delivered, by receiver and reason: rejected (4xx other than 429, not retried), gave_up (retried until give_up_after), canceled (shutdown).",
		}, []string{"receiver", "reason"}),
		attempts: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notification_attempts_failed_total",
			Help: "Delivery attempts that failed, retried or not, by receiver and reason: network, 429, 5xx, 4xx, other.",
		}, []string{"receiver", "reason"}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_dropped_total",
			Help: "Notifications dropped because a queue was full (oldest first), by receiver; receiver=\"\" counts those dropped from the dispatcher's inbox before routing.",
		}, []string{"receiver"}),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vigil_notification_latency_seconds",
			Help:    "Time from queueing a notification for a receiver to its successful delivery, retries included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"receiver"}),
		queueLength: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_notify_queue_length",
			Help: "Alerts waiting in a receiver's queue.",
		}, []string{"receiver"}),
	}
}

// forReceiver returns (and so initializes at zero) the metrics of receiver.
func (m *metrics) forReceiver(receiver string) receiverMetrics {
	attempts := m.attempts.MustCurryWith(prometheus.Labels{"receiver": receiver})
	for _, reason := range []string{attemptNetwork, attemptRateLimited, attemptServer, attemptClient} {
		attempts.WithLabelValues(reason)
	}
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
