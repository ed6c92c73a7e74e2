package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// fixedSource is a Source with a set status.
type fixedSource oncall.Status

func (s fixedSource) Status() oncall.Status { return oncall.Status(s) }

// get answers GET /api/v1/oncall from an API over src.
func get(t *testing.T, src Source) (int, string) {
	t.Helper()
	mux := http.NewServeMux()
	New(src, Options{}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/oncall", nil))
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	return rec.Code, string(body)
}

func TestStatus(t *testing.T) {
	ok := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	src := fixedSource{
		Report: oncall.Report{Checked: 3, Violations: []oncall.Violation{{
			PolicyID: "P2", Policy: "Web", Team: "web", Standard: "critical",
			Check: oncall.CheckLayers, Detail: `1 escalation layer; the standard "critical" requires at least 2`,
		}}},
		LastSuccess: ok,
		LastAttempt: ok.Add(time.Hour).In(time.FixedZone("CET", 3600)),
		LastError:   "read PagerDuty: unavailable",
	}
	code, body := get(t, src)
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status":"success","data":{"checked":3,"violations":[
		{"policy_id":"P2","policy":"Web","team":"web","standard":"critical","check":"layers",
		 "detail":"1 escalation layer; the standard \"critical\" requires at least 2"}],
		"last_success":"2026-11-20T08:00:00Z","last_attempt":"2026-11-20T09:00:00Z",
		"last_error":"read PagerDuty: unavailable"}}`, body)
}

func TestStatusBeforeFirstCheck(t *testing.T) {
	code, body := get(t, fixedSource{})
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, `{"status":"success","data":{"checked":0,"violations":[],"last_success":null,"last_attempt":null,"last_error":""}}`, body)
}

func TestNotConfigured(t *testing.T) {
	code, body := get(t, nil)
	require.Equal(t, http.StatusNotFound, code)
	require.Equal(t, `{"status":"error","errorType":"not_found","error":"on-call checks are not configured: add an oncall section to the configuration"}`, body)
}
