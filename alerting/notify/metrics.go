package notify

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons of vigil_notifications_failed_total.
const (
	reasonRejected = "rejected" // a 4xx other than 429, or an unencodable event: not retried
	reasonGaveUp   = "gave_up"  // still failing after GiveUpAfter
	reasonCanceled = "canceled" // Run's context ended during the retries
)

// metrics are a Notifier's metrics. With a nil Registerer they are kept but
// not registered.
type metrics struct {
	sent        *prometheus.CounterVec
	failed      *prometheus.CounterVec
	dropped     *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	queueLength *prometheus.GaugeVec
}

// receiverMetrics are the metrics of one receiver, looked up once.
type receiverMetrics struct {
	trigger, resolve           prometheus.Counter
	rejected, gaveUp, canceled prometheus.Counter
	dropped                    prometheus.Counter
	latency                    prometheus.Observer
	queueLength                prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		sent: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_total",
			Help: "Notifications delivered, by receiver and action (trigger, resolve).",
		}, []string{"receiver", "action"}),
		failed: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_notifications_failed_total",
			Help: "Notifications not delivered, by receiver and reason: rejected (4xx other than 429, not retried), gave_up (retried until give_up_after), canceled (shutdown).",
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
	return receiverMetrics{
		trigger:     m.sent.WithLabelValues(receiver, actionTrigger.String()),
		resolve:     m.sent.WithLabelValues(receiver, actionResolve.String()),
		rejected:    m.failed.WithLabelValues(receiver, reasonRejected),
		gaveUp:      m.failed.WithLabelValues(receiver, reasonGaveUp),
		canceled:    m.failed.WithLabelValues(receiver, reasonCanceled),
		dropped:     m.dropped.WithLabelValues(receiver),
		latency:     m.latency.WithLabelValues(receiver),
		queueLength: m.queueLength.WithLabelValues(receiver),
	}
}

// sent returns the counter of delivered a.
func (rm receiverMetrics) sent(a action) prometheus.Counter {
	if a == actionResolve {
		return rm.resolve
	}
	return rm.trigger
}
