package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall"
	"github.com/vigilsre/vigil/alerting/oncall/oncalltest"
)

// startOncallServer starts a server with the configuration file and waits
// until it is ready.
func startOncallServer(t *testing.T, file string) *testServer {
	t.Helper()
	cfg, err := ParseFile(file)
	require.NoError(t, err)
	s, _ := startWithRules(t, cfg, t.TempDir())
	return s
}

// oncallStatus is the data of GET /api/v1/oncall.
type oncallStatus struct {
	Checked     int                `json:"checked"`
	Violations  []oncall.Violation `json:"violations"`
	LastSuccess *time.Time         `json:"last_success"`
	LastAttempt *time.Time         `json:"last_attempt"`
	LastError   string             `json:"last_error"`
}

// oncallStatus answers GET /api/v1/oncall.
func (s *testServer) oncallStatus() oncallStatus {
	s.t.Helper()
	code, body := s.do("GET", "/api/v1/oncall", "")
	require.Equal(s.t, http.StatusOK, code, body)
	var resp struct {
		Status string
		Data   oncallStatus
	}
	require.NoError(s.t, json.Unmarshal([]byte(body), &resp))
	require.Equal(s.t, "success", resp.Status)
	return resp.Data
}

// metricLines are the /metrics lines of the metric name, labels included.
func (s *testServer) metricLines(name string) []string {
	s.t.Helper()
	_, body := s.do("GET", "/metrics", "")
	var lines []string
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	return lines
}

func TestServeOncall(t *testing.T) {
	srv, now := fixtureServer(t)
	s := startOncallServer(t, writeOncallConfig(t, srv.URL, criticalStandard))
	eventually(t, "a successful on-call check", func() bool { return s.oncallStatus().LastSuccess != nil })
	st := s.oncallStatus()
	require.Equal(t, 7, st.Checked)
	require.Equal(t, fixtureViolations(now), st.Violations)
	require.Equal(t, st.LastSuccess, st.LastAttempt)
	require.Empty(t, st.LastError)
	require.Equal(t, []string{
		`vigil_oncall_violations{check="chain_delay",policy="Payments",team="Payments"} 1`,
		`vigil_oncall_violations{check="coverage",policy="Data pipeline",team="Data"} 1`,
		`vigil_oncall_violations{check="layer_delay",policy="Payments",team="Payments"} 2`,
		`vigil_oncall_violations{check="layers",policy="Web frontend",team="Web"} 1`,
		`vigil_oncall_violations{check="notification",policy="Legacy batch",team=""} 1`,
		`vigil_oncall_violations{check="notification",policy="Search",team="Search"} 1`,
	}, s.metricLines("vigil_oncall_violations"))
	require.Equal(t, []string{"vigil_oncall_up 1"}, s.metricLines("vigil_oncall_up"))
	require.Equal(t, []string{"vigil_oncall_policies_checked 7"}, s.metricLines("vigil_oncall_policies_checked"))
	s.cancel()
	require.NoError(t, s.wait())
}

func TestServeOncallPagerDutyDown(t *testing.T) {
	refusePagerDuty(t)
	t.Setenv(oncallTokenEnv, oncalltest.DefaultToken)
	s := startOncallServer(t, writeOncallConfig(t, downURL, criticalStandard))
	eventually(t, "a failed on-call check", func() bool { return s.oncallStatus().LastAttempt != nil })
	require.Equal(t, []string{
		`vigil_oncall_check_failures_total{reason="other"} 0`,
		`vigil_oncall_check_failures_total{reason="token"} 0`,
		`vigil_oncall_check_failures_total{reason="unauthorized"} 0`,
		`vigil_oncall_check_failures_total{reason="unavailable"} 1`,
	}, s.metricLines("vigil_oncall_check_failures_total"))
	require.Equal(t, []string{"vigil_oncall_up 0"}, s.metricLines("vigil_oncall_up"))
	require.Equal(t, []string{"vigil_oncall_last_success_timestamp_seconds 0"}, s.metricLines("vigil_oncall_last_success_timestamp_seconds"))
	st := s.oncallStatus()
	require.Nil(t, st.LastSuccess)
	require.Equal(t, refusedError, st.LastError)
	code, _ := s.do("GET", "/-/healthy", "")
	require.Equal(t, http.StatusOK, code, "the server keeps serving")
	s.cancel()
	require.NoError(t, s.wait())
}

// TestServeOncallUnauthorized: PagerDuty's 401 is counted as
// "unauthorized", and the server keeps serving.
func TestServeOncallUnauthorized(t *testing.T) {
	srv, _ := fixtureServer(t)
	t.Setenv(oncallTokenEnv, "not-the-token")
	s := startOncallServer(t, writeOncallConfig(t, srv.URL, criticalStandard))
	eventually(t, "a failed on-call check", func() bool { return s.oncallStatus().LastAttempt != nil })
	require.Equal(t, []string{
		`vigil_oncall_check_failures_total{reason="other"} 0`,
		`vigil_oncall_check_failures_total{reason="token"} 0`,
		`vigil_oncall_check_failures_total{reason="unauthorized"} 1`,
		`vigil_oncall_check_failures_total{reason="unavailable"} 0`,
	}, s.metricLines("vigil_oncall_check_failures_total"))
	require.Equal(t, []string{"vigil_oncall_up 0"}, s.metricLines("vigil_oncall_up"))
	st := s.oncallStatus()
	require.Nil(t, st.LastSuccess)
	require.Equal(t, "PagerDuty rejected the API token (401 Unauthorized): use a valid read-only REST API token", st.LastError)
	require.Equal(t, []string{"GET /escalation_policies?limit=100 401"}, srv.RequestLog())
	code, _ := s.do("GET", "/-/healthy", "")
	require.Equal(t, http.StatusOK, code, "the server keeps serving")
	s.cancel()
	require.NoError(t, s.wait())
}

// TestServeOncallRateLimitedThenServed: a 429 is waited out (ratelimit-reset
// 0 here) and the check succeeds: nothing is counted as a failure.
func TestServeOncallRateLimitedThenServed(t *testing.T) {
	srv, now := fixtureServer(t)
	srv.RetryAfter = 0
	srv.FailNext(1, http.StatusTooManyRequests)
	s := startOncallServer(t, writeOncallConfig(t, srv.URL, criticalStandard))
	eventually(t, "a successful on-call check", func() bool { return s.oncallStatus().LastSuccess != nil })
	require.Equal(t, []string{
		`vigil_oncall_check_failures_total{reason="other"} 0`,
		`vigil_oncall_check_failures_total{reason="token"} 0`,
		`vigil_oncall_check_failures_total{reason="unauthorized"} 0`,
		`vigil_oncall_check_failures_total{reason="unavailable"} 0`,
	}, s.metricLines("vigil_oncall_check_failures_total"))
	require.Equal(t, []string{"vigil_oncall_up 1"}, s.metricLines("vigil_oncall_up"))
	st := s.oncallStatus()
	require.Equal(t, fixtureViolations(now), st.Violations)
	require.Empty(t, st.LastError)
	require.Equal(t, []string{"GET /escalation_policies?limit=100 429", "GET /escalation_policies?limit=100 200"}, srv.RequestLog()[:2])
	s.cancel()
	require.NoError(t, s.wait())
}

func TestServeOncallTokenMissing(t *testing.T) {
	srv, _ := fixtureServer(t)
	t.Setenv(oncallTokenEnv, "")
	s := startOncallServer(t, writeOncallConfig(t, srv.URL, criticalStandard))
	eventually(t, "a failed on-call check", func() bool { return s.oncallStatus().LastAttempt != nil })
	require.Equal(t, []string{`vigil_oncall_check_failures_total{reason="token"} 1`},
		s.metricLines(`vigil_oncall_check_failures_total{reason="token"}`))
	require.Equal(t, []string{"vigil_oncall_up 0"}, s.metricLines("vigil_oncall_up"))
	require.Empty(t, srv.Requests())
	require.Contains(t, s.logs.String(), "on-call checks cannot read PagerDuty")
	s.cancel()
	require.NoError(t, s.wait())
}

func TestServeOncallNotConfigured(t *testing.T) {
	s, _ := startWithRules(t, DefaultConfig(), t.TempDir())
	code, body := s.do("GET", "/api/v1/oncall", "")
	require.Equal(t, http.StatusNotFound, code)
	require.Equal(t, `{"status":"error","errorType":"not_found","error":"on-call checks are not configured: add an oncall section to the configuration"}`, body)
	require.Empty(t, s.metricLines("vigil_oncall_up"))
}
