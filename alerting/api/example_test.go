package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/alerting/api"
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
	// 200 {"status":"success","data":{"alerts":[{"labels":{"alertname":"DiskFull","instance":"db-1"},"annotations":{"summary":"disk of db-1 is full"},"state":"unknown","activeAt":"2026-03-01T12:00:00Z","value":"9.8e-01","unknownSince":"2026-03-01T12:05:00Z"}]}}
}
