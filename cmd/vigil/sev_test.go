package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// apiRequest is what a canned API server received.
type apiRequest struct {
	method, path string
	form         url.Values
}

// cannedAPI answers every request with status and body and records it.
func cannedAPI(t *testing.T, status int, body string, got *apiRequest) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		*got = apiRequest{method: r.Method, path: r.URL.Path, form: r.Form}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The canned SEVs: SEV-2 with every field, SEV-1 resolved.
const (
	cannedSEV2 = `{"id":"SEV-2","type":"availability","level":1,"state":"open","title":"Availability of /login at 85.0% (below 90% for 30s)",` +
		`"routes":["/login","/upload"],"impact":[{"scope":"route","route":"/login","value":0.85,"threshold":0.9,"for":30000000000,"level":1}],` +
		`"roles":{"imoc":"ana","tloc":"dan","bmoc":"cat"},"links":{"pagerduty":{"tloc":"SEV-2-tloc","imoc":"SEV-2-imoc"},"channel":"#sev-2","postmortem":"data/sev/postmortems/SEV-2.md"},` +
		`"impact_started_at":"2026-11-25T20:00:00Z","detected_at":"2026-11-25T20:00:40Z","filed_at":"2026-11-25T20:00:40Z",` +
		`"mitigated_at":null,"resolved_at":null,"timeline":[` +
		`{"time":"2026-11-25T20:00:00Z","kind":"impact_started","actor":"vigil","detail":"/login below 90%"},` +
		`{"time":"2026-11-25T20:00:40Z","kind":"filed","actor":"vigil","detail":""},` +
		`{"time":"2026-11-25T20:02:00Z","kind":"acknowledged","actor":"ana","detail":""}]}`
	cannedSEV1 = `{"id":"SEV-1","type":"security","level":3,"state":"resolved","title":"Leaked key","routes":[],"impact":[],` +
		`"roles":{"imoc":"ben","tloc":"eve","bmoc":""},"links":{"pagerduty":null,"channel":"","postmortem":""},` +
		`"impact_started_at":"2026-11-20T09:00:00Z","detected_at":"2026-11-20T09:00:00Z","filed_at":"2026-11-20T09:00:00Z",` +
		`"mitigated_at":"2026-11-20T10:00:00Z","resolved_at":"2026-11-20T11:00:00Z","timeline":[]}`
)

// shownSEV2 is "vigil sev show SEV-2".
const shownSEV2 = `SEV-2            availability, level 1, open
Title:           Availability of /login at 85.0% (below 90% for 30s)
Routes:          /login, /upload
IMOC:            ana
TLOC:            dan
BMOC:            cat
Impact started:  2026-11-25T20:00:00Z
Detected:        2026-11-25T20:00:40Z
Filed:           2026-11-25T20:00:40Z
Mitigated:       -
Resolved:        -
Channel:         #sev-2
Postmortem:      data/sev/postmortems/SEV-2.md
PagerDuty:       imoc SEV-2-imoc, tloc SEV-2-tloc

Impact:
  SCOPE  ROUTE   VALUE  BELOW  FOR  LEVEL
  route  /login  0.85   0.9    30s  1

Timeline:
  TIME                  KIND            ACTOR  DETAIL
  2026-11-25T20:00:00Z  impact_started  vigil  /login below 90%
  2026-11-25T20:00:40Z  filed           vigil  
  2026-11-25T20:02:00Z  acknowledged    ana    
`

func TestSevCommands(t *testing.T) {
	t.Setenv("USER", "tester")
	one := `{"status":"success","data":` + cannedSEV2 + `}`
	tests := []struct {
		name   string
		args   []string
		answer string
		want   apiRequest
		stdout string
	}{
		{"list", []string{"list"}, `{"status":"success","data":[` + cannedSEV2 + `,` + cannedSEV1 + `]}`,
			apiRequest{"GET", "/api/v1/sevs", url.Values{}},
			"ID     TYPE          LEVEL  STATE     FILED                 ROUTES          TITLE\n" +
				"SEV-2  availability  1      open      2026-11-25T20:00:40Z  /login,/upload  Availability of /login at 85.0% (below 90% for 30s)\n" +
				"SEV-1  security      3      resolved  2026-11-20T09:00:00Z  -               Leaked key\n"},
		{"show", []string{"show", "SEV-2"}, one, apiRequest{"GET", "/api/v1/sevs/SEV-2", url.Values{}}, shownSEV2},
		{"declare", []string{"declare", "--type", "availability", "--level", "1", "--title", "Login down", "--route", "/login", "--route", "/upload", "--actor", "ana"},
			one, apiRequest{"POST", "/api/v1/sevs", url.Values{"type": {"availability"}, "level": {"1"}, "title": {"Login down"},
				"routes": {"/login", "/upload"}, "actor": {"ana"}}}, shownSEV2},
		{"ack as $USER", []string{"ack", "SEV-2"}, one, apiRequest{"POST", "/api/v1/sevs/SEV-2/ack", url.Values{"actor": {"tester"}}}, shownSEV2},
		{"diagnose", []string{"diagnose", "SEV-2", "--actor", "dan"}, one, apiRequest{"POST", "/api/v1/sevs/SEV-2/diagnose", url.Values{"actor": {"dan"}}}, shownSEV2},
		{"mitigate", []string{"mitigate", "SEV-2"}, one, apiRequest{"POST", "/api/v1/sevs/SEV-2/mitigate", url.Values{"actor": {"tester"}}}, shownSEV2},
		{"resolve", []string{"resolve", "SEV-2"}, one, apiRequest{"POST", "/api/v1/sevs/SEV-2/resolve", url.Values{"actor": {"tester"}}}, shownSEV2},
		{"set-level", []string{"set-level", "SEV-2", "0"}, one,
			apiRequest{"POST", "/api/v1/sevs/SEV-2/set-level", url.Values{"actor": {"tester"}, "level": {"0"}}}, shownSEV2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got apiRequest
			srv := cannedAPI(t, 200, tt.answer, &got)
			code, stdout, stderr := runVigil(append([]string{"sev", "--url", srv.URL}, tt.args...)...)
			require.Equal(t, [3]any{0, tt.stdout, ""}, [3]any{code, stdout, stderr})
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSevListEmpty(t *testing.T) {
	var got apiRequest
	srv := cannedAPI(t, 200, `{"status":"success","data":[]}`, &got)
	code, stdout, stderr := runVigil("sev", "list", "--url", srv.URL)
	require.Equal(t, [3]any{0, "", "no SEVs\n"}, [3]any{code, stdout, stderr})
}

func TestSevErrors(t *testing.T) {
	t.Setenv("USER", "tester")
	tests := []struct {
		name   string
		args   []string
		status int
		answer string
		code   int
		stderr string
	}{
		{"not found", []string{"show", "SEV-9"}, 404, `{"status":"error","errorType":"not_found","error":"sev not found: SEV-9"}`, 1,
			"vigil: server answered 404 Not Found: not_found: sev not found: SEV-9\n"},
		{"refused", []string{"set-level", "SEV-1", "7"}, 400, `{"status":"error","errorType":"bad_data","error":"invalid parameter \"level\": want an integer from 0 to 3, got \"7\""}`, 1,
			"vigil: server answered 400 Bad Request: bad_data: invalid parameter \"level\": want an integer from 0 to 3, got \"7\"\n"},
		{"not the API", []string{"list"}, 503, "starting: replaying WAL\n", 1, "vigil: server answered 503 Service Unavailable: starting: replaying WAL\n"},
		{"declare without type", []string{"declare", "--level", "1", "--title", "x"}, 200, "", 2,
			"vigil: --type is required (see \"vigil sev declare --help\")\n"},
		{"level not a number", []string{"set-level", "SEV-1", "high"}, 200, "", 2,
			"vigil: LEVEL \"high\": want an integer from 0 to 3 (see \"vigil sev set-level --help\")\n"},
		{"no id", []string{"ack"}, 200, "", 2, "vigil: accepts 1 arg(s), received 0 (see \"vigil sev ack --help\")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got apiRequest
			srv := cannedAPI(t, tt.status, tt.answer, &got)
			code, stdout, stderr := runVigil(append([]string{"sev", "--url", srv.URL}, tt.args...)...)
			require.Equal(t, [3]any{tt.code, "", tt.stderr}, [3]any{code, stdout, stderr})
		})
	}
}

func TestSevActorRequired(t *testing.T) {
	t.Setenv("USER", "")
	code, stdout, stderr := runVigil("sev", "ack", "SEV-1", "--url", "http://127.0.0.1:1")
	require.Equal(t, [3]any{2, "", "vigil: --actor is required: $USER is not set (see \"vigil sev ack --help\")\n"}, [3]any{code, stdout, stderr})
}
