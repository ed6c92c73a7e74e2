package alerting

import (
	"net/url"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// Names of the series alerting rules write, as in Prometheus.
const (
	alertsMetric    = "ALERTS"           // 1 per pending, firing or unknown alert
	forStateMetric  = "ALERTS_FOR_STATE" // the alert's ActiveAt in seconds
	alertStateLabel = "alertstate"       // ALERTS' state label
	suppressedLabel = "suppressed"       // ALERTS' label of suppressed alerts: "true"
)

// alertSamples returns the samples of the rule's alerts at qts.
func (r *alertingRule) alertSamples(qts time.Time) []Sample {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.samples(qts)
}

// samples returns, for every active alert in label order,
// ALERTS{alertstate=…} = 1, with suppressed="true" when the alert is
// suppressed, and ALERTS_FOR_STATE = ActiveAt (Unix seconds), at qts.
// r.mu is held.
func (r *alertingRule) samples(qts time.Time) []Sample {
	t := qts.UnixMilli()
	out := make([]Sample, 0, 2*len(r.active))
	lb := labels.NewBuilder(labels.EmptyLabels())
	for _, a := range r.sorted() {
		lb.Reset(a.Labels)
		lb.Set(labels.MetricName, forStateMetric)
		forState := lb.Labels()
		lb.Set(labels.MetricName, alertsMetric)
		lb.Set(alertStateLabel, a.State.String())
		if a.Suppressed {
			lb.Set(suppressedLabel, "true")
		}
		out = append(out,
			Sample{Labels: lb.Labels(), T: t, V: 1},
			Sample{Labels: forState, T: t, V: float64(a.ActiveAt.Unix())})
	}
	return out
}

// notifications appends to dst, in label order, every firing and unknown
// alert of the rule that is not held and every alert that resolved in the
// last evaluation, and marks them sent at ts. A resolved alert is handed
// over once. An alert handed over unsuppressed is remembered as paged: it
// is never held again.
func (r *alertingRule) notifications(dst []Notification, ts time.Time, externalURL string) []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	gen := generatorURL(externalURL, r.query)
	for _, a := range r.sorted() {
		if (a.State == StateFiring || a.State == StateUnknown) && !a.Held {
			a.LastSentAt = ts
			a.paged = a.paged || !a.Suppressed
			dst = append(dst, notificationOf(a, gen))
		}
	}
	for _, a := range r.resolved {
		a.LastSentAt = ts
		dst = append(dst, notificationOf(a, gen))
	}
	r.resolved = nil
	return dst
}

// notificationOf is what delivery is told of alert a.
func notificationOf(a *Alert, gen string) Notification {
	n := Notification{
		Labels:       a.Labels,
		Annotations:  a.Annotations,
		StartsAt:     a.FiredAt,
		EndsAt:       a.ResolvedAt,
		Value:        a.Value,
		GeneratorURL: gen,
		State:        a.State.String(),
		Suppressed:   a.Suppressed,
	}
	if a.State == StateInactive {
		n.State = StateResolved
	}
	if a.Suppressed {
		n.CausedBy = causedBy(a.SuppressedBy)
	}
	return n
}

// generatorURL links to the rule's expression in Vigil's query API (Vigil
// has no graph page; Grafana and curl can follow this link).
func generatorURL(externalURL, query string) string {
	return externalURL + "/api/v1/query?query=" + url.QueryEscape(query)
}
