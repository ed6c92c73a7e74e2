package ingest

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons of vigil_ingest_samples_rejected_total.
const (
	reasonOutOfOrder      = "out_of_order"
	reasonConflict        = "conflict"
	reasonInvalid         = "invalid"
	reasonNativeHistogram = "native_histogram"
	reasonUnsupported     = "unsupported" // OTLP data points of a kind Vigil does not store
)

// metrics are a Handler's metrics. With a nil Registerer they are kept but
// not registered.
type metrics struct {
	requests  *prometheus.CounterVec
	endpoints [numEndpoints]endpointMetrics
}

// endpointMetrics are the metrics of one endpoint, looked up once.
type endpointMetrics struct {
	samples                                   prometheus.Counter
	outOfOrder, conflict, invalid, histograms prometheus.Counter
	unsupported                               prometheus.Counter
	duration                                  prometheus.Observer
}

func newMetrics(reg prometheus.Registerer, adm *admission) *metrics {
	f := promauto.With(reg)
	newInflightMetrics(f, adm)
	m := &metrics{requests: f.NewCounterVec(prometheus.CounterOpts{
		Name: "vigil_ingest_requests_total",
		Help: "Push requests, by endpoint and HTTP status code.",
	}, []string{"handler", "code"})}
	samples := f.NewCounterVec(prometheus.CounterOpts{
		Name: "vigil_ingest_samples_total",
		Help: "Samples stored by push requests.",
	}, []string{"handler"})
	rejected := f.NewCounterVec(prometheus.CounterOpts{
		Name: "vigil_ingest_samples_rejected_total",
		Help: "Samples (or native histograms, or OTLP data points) of push requests that were not stored, by reason: out_of_order, conflict, invalid (the whole request was refused), native_histogram, unsupported (OTLP delta, exponential histogram).",
	}, []string{"handler", "reason"})
	duration := f.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "vigil_ingest_request_duration_seconds",
		Help:    "Time to serve a push request, from the first byte of the body to the response.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"handler"})
	for e := range m.endpoints {
		m.endpoints[e] = newEndpointMetrics(endpoint(e).path(), samples, rejected, duration)
	}
	return m
}

func newEndpointMetrics(path string, samples, rejected *prometheus.CounterVec, duration *prometheus.HistogramVec) endpointMetrics {
	return endpointMetrics{
		samples:     samples.WithLabelValues(path),
		outOfOrder:  rejected.WithLabelValues(path, reasonOutOfOrder),
		conflict:    rejected.WithLabelValues(path, reasonConflict),
		invalid:     rejected.WithLabelValues(path, reasonInvalid),
		histograms:  rejected.WithLabelValues(path, reasonNativeHistogram),
		unsupported: rejected.WithLabelValues(path, reasonUnsupported),
		duration:    duration.WithLabelValues(path),
	}
}

// newInflightMetrics exports what admission control holds.
func newInflightMetrics(f promauto.Factory, adm *admission) {
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vigil_ingest_inflight_requests",
		Help: "Push requests being served; past ingest.max_inflight_requests they are answered 429.",
	}, func() float64 { n, _ := adm.inflight(); return float64(n) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vigil_ingest_inflight_bytes",
		Help: "Bytes of push request bodies held, as sent and decompressed; past ingest.max_inflight_bytes requests are answered 429.",
	}, func() float64 { _, n := adm.inflight(); return float64(n) })
}

// observe counts one served request.
func (m *metrics) observe(e endpoint, o *outcome, took time.Duration) {
	m.requests.WithLabelValues(e.path(), codeLabel(o.code)).Inc()
	em := &m.endpoints[e]
	em.samples.Add(float64(o.stored))
	em.outOfOrder.Add(float64(o.outOfOrder))
	em.conflict.Add(float64(o.conflicts))
	em.invalid.Add(float64(o.invalid))
	em.histograms.Add(float64(o.histograms))
	em.unsupported.Add(float64(o.unsupported))
	em.duration.Observe(took.Seconds())
}

// codeLabel returns the status code as a label value, without allocating for
// the codes the handler answers.
func codeLabel(code int) string {
	switch code {
	case 200:
		return "200"
	case 204:
		return "204"
	case 400:
		return "400"
	case 413:
		return "413"
	case 415:
		return "415"
	case 429:
		return "429"
	case 500:
		return "500"
	}
	return strconv.Itoa(code)
}
