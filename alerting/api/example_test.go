package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/alerting/api"
	"github.com/vigilsre/vigil/depgraph"
)

// staticSource serves fixed alerts and no rule groups; in Vigil the Source
// is the *alerting.Manager.
type staticSource []alerting.Alert

// Groups returns no groups.
func (staticSource) Groups() []alerting.GroupStatus { return nil }

// Alerts returns the fixed alerts.
func (s staticSource) Alerts() []alerting.Alert { return s }

func Example() {
	src := staticSource{{
		Labels:       labels.FromStrings("alertname", "DiskFull", "instance", "db-1"),
		Annotations:  labels.FromStrings("summary", "disk of db-1 is full"),
		State:        alerting.StateUnknown,
		Value:        0.98,
		ActiveAt:     time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		FiredAt:      time.Date(2026, 3, 1, 12, 0, 20, 0, time.UTC),
		UnknownSince: time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC),
	}}
	mux := http.NewServeMux()
	api.New(src, api.Options{}).Register(mux)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/alerts", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 {"status":"success","data":{"alerts":[{"labels":{"alertname":"DiskFull","instance":"db-1"},"annotations":{"summary":"disk of db-1 is full"},"state":"unknown","activeAt":"2026-03-01T12:00:00Z","value":"9.8e-01","unknownSince":"2026-03-01T12:05:00Z","suppressed":false}]}}
}

// graphDeps serves a fixed graph against the firing alerts of a
// staticSource; in Vigil the Deps is the *alerting.Manager too:
// api.New(m, api.Options{Deps: m}).
type graphDeps struct {
	graph  *depgraph.Graph
	alerts staticSource
}

// Graph returns the fixed graph.
func (d graphDeps) Graph() *depgraph.Graph { return d.graph }

// Weights returns none: weights are not configured.
func (graphDeps) Weights() map[string]float64 { return nil }

// CriticalThreshold returns the default threshold.
func (graphDeps) CriticalThreshold() float64 { return alerting.DefaultCriticalThreshold }

// Explain decides against the firing alerts.
func (d graphDeps) Explain(alert string, ls labels.Labels) depgraph.Decision {
	f := depgraph.NewFiring()
	for _, a := range d.alerts {
		if a.State == alerting.StateFiring {
			f.Add(depgraph.Instance{Alert: a.Labels.Get(labels.AlertName), Labels: a.Labels})
		}
	}
	return d.graph.Explain(depgraph.Instance{Alert: alert, Labels: ls}, f)
}

func Example_explain() {
	g, err := depgraph.Build([]depgraph.AlertSpec{
		{Name: "MetadataDBDown"},
		{Name: "WebErrors", DependsOn: []depgraph.Dependency{{Alert: "MetadataDBDown", Match: []string{"region"}}}},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	src := staticSource{{
		Labels: labels.FromStrings("alertname", "MetadataDBDown", "region", "us-east"),
		State:  alerting.StateFiring,
	}}
	mux := http.NewServeMux()
	api.New(src, api.Options{Deps: graphDeps{graph: g, alerts: src}}).Register(mux)

	for _, region := range []string{"us-east", "us-west"} {
		q := url.Values{"alert": {"WebErrors"}, "labels": {`{region="` + region + `"}`}}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/deps/explain?"+q.Encode(), nil))
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 {"status":"success","data":{"alert":"WebErrors","labels":{"alertname":"WebErrors","region":"us-east"},"suppressed":true,"by":[{"alertname":"MetadataDBDown","labels":{"alertname":"MetadataDBDown","region":"us-east"},"path":["WebErrors","MetadataDBDown"],"root":true}],"reason":"MetadataDBDown{region=\"us-east\"} fires: WebErrors → MetadataDBDown"}}
	// 200 {"status":"success","data":{"alert":"WebErrors","labels":{"alertname":"WebErrors","region":"us-west"},"suppressed":false,"by":[],"reason":"MetadataDBDown fires but region differs: us-east ≠ us-west"}}
}
