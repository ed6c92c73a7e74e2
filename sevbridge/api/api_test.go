package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/sevbridge"
)

// at is 2026-11-25T20:00:00Z plus seconds.
func at(seconds int) time.Time {
	return time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC).Add(time.Duration(seconds) * time.Second)
}

// fakeSource holds SEVs by id and records the calls that change them.
type fakeSource struct {
	sevs    map[string]*sevbridge.SEV
	calls   []string
	months  []time.Time
	failAct error
}

func (f *fakeSource) List() ([]*sevbridge.SEV, error) {
	var out []*sevbridge.SEV
	for _, s := range f.sevs { // map order: the API sorts
		out = append(out, s)
	}
	return out, nil
}

func (f *fakeSource) Get(id string) (*sevbridge.SEV, error) {
	if s, ok := f.sevs[id]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("%w: %s", sevbridge.ErrSEVNotFound, id)
}

func (f *fakeSource) Declare(_ context.Context, actor string, t sevbridge.Type, level sevbridge.Level, title string, routes []string) (*sevbridge.SEV, error) {
	f.calls = append(f.calls, fmt.Sprintf("declare %s %s %d %q %q", actor, t, level, title, routes))
	s := &sevbridge.SEV{ID: "SEV-3", Type: t, Level: level, State: sevbridge.StateOpen, Title: title, Routes: routes,
		ImpactStartedAt: at(60), DetectedAt: at(60), FiledAt: at(60),
		Timeline: []sevbridge.Entry{{Time: at(60), Kind: sevbridge.KindFiled, Actor: actor, Detail: "declared"}}}
	return s, nil
}

func (f *fakeSource) Act(_ context.Context, actor, id, action string, level sevbridge.Level) (*sevbridge.SEV, error) {
	f.calls = append(f.calls, fmt.Sprintf("%s %s %s %d", action, id, actor, level))
	if f.failAct != nil {
		return nil, f.failAct
	}
	s := f.sevs[id].Clone()
	s.Timeline = append(s.Timeline, sevbridge.Entry{Time: at(90), Kind: sevbridge.KindAcknowledged, Actor: actor})
	return s, nil
}

func (f *fakeSource) Ledger(month time.Time) (sevbridge.LedgerReport, error) {
	f.months = append(f.months, month)
	return sevbridge.LedgerReport{Month: month.Format("2006-01"), Minutes: 43200, DownMinutes: 3,
		Budget: sevbridge.LedgerFigures{Target: 43.2, Internal: 21.6}, Left: sevbridge.LedgerFigures{Target: 40.2, Internal: 18.6},
		SEVs: []sevbridge.LedgerSEV{{ID: "SEV-1", DownMinutes: 3}}}, nil
}

// newFake holds SEV-1 (resolved) and SEV-2 (open).
func newFake() *fakeSource {
	mitigated, resolved := at(-300), at(-200)
	return &fakeSource{sevs: map[string]*sevbridge.SEV{
		"SEV-1": {ID: "SEV-1", Type: sevbridge.TypeAvailability, Level: 1, State: sevbridge.StateResolved, Title: "Global availability at 40.0%",
			Roles: sevbridge.Roles{IMOC: "ana", TLOC: "eve", BMOC: "cat"}, ImpactStartedAt: at(-900), DetectedAt: at(-890), FiledAt: at(-890),
			MitigatedAt: &mitigated, ResolvedAt: &resolved},
		"SEV-2": {ID: "SEV-2", Type: sevbridge.TypeSecurity, Level: 2, State: sevbridge.StateOpen, Title: "Leaked key", Routes: []string{"/login"},
			Impact:          []sevbridge.Impact{{Scope: sevbridge.ScopeManual, Level: 2}},
			Links:           sevbridge.Links{PagerDuty: map[string]string{"imoc": "SEV-2-imoc"}, Channel: "#sev-2"},
			ImpactStartedAt: at(0), DetectedAt: at(0), FiledAt: at(0),
			Timeline: []sevbridge.Entry{{Time: at(0), Kind: sevbridge.KindFiled, Actor: "ana", Detail: "declared"}}},
	}}
}

const (
	sev1JSON = `{"id":"SEV-1","type":"availability","level":1,"state":"resolved","title":"Global availability at 40.0%","routes":[],"impact":[],` +
		`"roles":{"imoc":"ana","tloc":"eve","bmoc":"cat"},"links":{"pagerduty":null,"channel":"","postmortem":""},` +
		`"impact_started_at":"2026-11-25T19:45:00Z","detected_at":"2026-11-25T19:45:10Z","filed_at":"2026-11-25T19:45:10Z",` +
		`"mitigated_at":"2026-11-25T19:55:00Z","resolved_at":"2026-11-25T19:56:40Z","timeline":[]}`
	sev2Head = `{"id":"SEV-2","type":"security","level":2,"state":"open","title":"Leaked key","routes":["/login"],` +
		`"impact":[{"scope":"manual","route":"","value":0,"threshold":0,"for":0,"level":2}],` +
		`"roles":{"imoc":"","tloc":"","bmoc":""},"links":{"pagerduty":{"imoc":"SEV-2-imoc"},"channel":"#sev-2","postmortem":""},` +
		`"impact_started_at":"2026-11-25T20:00:00Z","detected_at":"2026-11-25T20:00:00Z","filed_at":"2026-11-25T20:00:00Z",` +
		`"mitigated_at":null,"resolved_at":null,"timeline":[{"time":"2026-11-25T20:00:00Z","kind":"filed","actor":"ana","detail":"declared"}`
	sev2JSON = sev2Head + `]}`
)

// serve answers one request through the API over src.
func serve(t *testing.T, src Source, method, target, contentType, body string) (int, string) {
	t.Helper()
	mux := http.NewServeMux()
	New(src, Options{Now: func() time.Time { return at(0) }}).Register(mux)
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	b, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	return rec.Code, string(b)
}

// badDataBody is the envelope of a bad_data error with msg (no " in it).
func badDataBody(msg string) string {
	return `{"status":"error","errorType":"bad_data","error":"` + msg + `"}`
}

func TestReads(t *testing.T) {
	tests := []struct {
		name, target string
		status       int
		body         string
	}{
		{"list newest first", "/api/v1/sevs", 200, `{"status":"success","data":[` + sev2JSON + `,` + sev1JSON + `]}`},
		{"one", "/api/v1/sevs/SEV-1", 200, `{"status":"success","data":` + sev1JSON + `}`},
		{"unknown", "/api/v1/sevs/SEV-9", 404, `{"status":"error","errorType":"not_found","error":"sev not found: SEV-9"}`},
		{"sla this month", "/api/v1/sla", 200, `{"status":"success","data":{"month":"2026-11","minutes":43200,"down_minutes":3,` +
			`"budget":{"target":43.2,"internal":21.6},"left":{"target":40.2,"internal":18.6},"sevs":[{"id":"SEV-1","down_minutes":3}]}}`},
		{"sla bad month", "/api/v1/sla?month=2026-13", 400, badDataBody(`invalid parameter \"month\": want YYYY-MM, such as 2026-11, got \"2026-13\"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := serve(t, newFake(), http.MethodGet, tt.target, "", "")
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.body, body)
		})
	}
}

func TestListEmpty(t *testing.T) {
	status, body := serve(t, &fakeSource{}, http.MethodGet, "/api/v1/sevs", "", "")
	require.Equal(t, 200, status)
	require.Equal(t, `{"status":"success","data":[]}`, body)
}

func TestSLAMonth(t *testing.T) {
	src := newFake()
	serve(t, src, http.MethodGet, "/api/v1/sla", "", "")
	serve(t, src, http.MethodGet, "/api/v1/sla?month=2026-02", "", "")
	require.Equal(t, []time.Time{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, src.months)
}

const declared = `{"status":"success","data":{"id":"SEV-3","type":"durability","level":1,"state":"open","title":"Lost writes","routes":["/upload","/share"],` +
	`"impact":[],"roles":{"imoc":"","tloc":"","bmoc":""},"links":{"pagerduty":null,"channel":"","postmortem":""},` +
	`"impact_started_at":"2026-11-25T20:01:00Z","detected_at":"2026-11-25T20:01:00Z","filed_at":"2026-11-25T20:01:00Z",` +
	`"mitigated_at":null,"resolved_at":null,"timeline":[{"time":"2026-11-25T20:01:00Z","kind":"filed","actor":"dan","detail":"declared"}]}}`

func TestDeclare(t *testing.T) {
	form := url.Values{"type": {"durability"}, "level": {"1"}, "title": {"Lost writes"}, "routes": {"/upload", "/share"}, "actor": {"dan"}}
	tests := []struct {
		name, contentType, body string
	}{
		{"form", "application/x-www-form-urlencoded", form.Encode()},
		{"json", "application/json", `{"type":"durability","level":1,"title":"Lost writes","routes":["/upload","/share"],"actor":"dan"}`},
		{"json level as a string", "application/json; charset=utf-8", `{"type":"durability","level":"1","title":"Lost writes","routes":["/upload","/share"],"actor":"dan"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFake()
			status, body := serve(t, src, http.MethodPost, "/api/v1/sevs", tt.contentType, tt.body)
			require.Equal(t, 200, status)
			require.Equal(t, declared, body)
			require.Equal(t, []string{`declare dan durability 1 "Lost writes" ["/upload" "/share"]`}, src.calls)
		})
	}
}

func TestDeclareBadInput(t *testing.T) {
	tests := []struct {
		name, contentType, body, msg string
	}{
		{"no type", "", "level=1&title=x&actor=a", `invalid parameter \"type\": want availability, durability, security or feature_degradation, got \"\"`},
		{"bad type", "", "type=outage&level=1&title=x&actor=a", `invalid parameter \"type\": want availability, durability, security or feature_degradation, got \"outage\"`},
		{"no level", "", "type=security&title=x&actor=a", `invalid parameter \"level\": required: an integer from 0 (most critical) to 3`},
		{"level too high", "", "type=security&level=4&title=x&actor=a", `invalid parameter \"level\": want an integer from 0 to 3, got \"4\"`},
		{"level not a number", "application/json", `{"type":"security","level":"one","title":"x","actor":"a"}`, `invalid parameter \"level\": want an integer from 0 to 3, got \"one\"`},
		{"no title", "", "type=security&level=1&title=+&actor=a", `invalid parameter \"title\": required: what is wrong, in a line`},
		{"empty route", "", "type=security&level=1&title=x&routes=&actor=a", `invalid parameter \"routes\": a route must not be empty`},
		{"no actor", "", "type=security&level=1&title=x", `invalid parameter \"actor\": required: who is acting, for the timeline`},
		{"unknown json field", "application/json", `{"kind":"security"}`, `invalid JSON body: json: unknown field \"kind\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			src := newFake()
			status, body := serve(t, src, http.MethodPost, "/api/v1/sevs", ct, tt.body)
			require.Equal(t, 400, status)
			require.Equal(t, badDataBody(tt.msg), body)
			require.Empty(t, src.calls)
		})
	}
}

func TestAct(t *testing.T) {
	acked := `{"status":"success","data":` + sev2Head + `,{"time":"2026-11-25T20:01:30Z","kind":"acknowledged","actor":"ben","detail":""}]}}`
	tests := []struct {
		name, target, body string
		status             int
		answer             string
		calls              []string
	}{
		{"ack", "/api/v1/sevs/SEV-2/ack", "actor=ben", 200, acked, []string{"ack SEV-2 ben 0"}},
		{"set-level", "/api/v1/sevs/SEV-2/set-level", "actor=ben&level=0", 200, acked, []string{"set-level SEV-2 ben 0"}},
		{"set-level in the query string", "/api/v1/sevs/SEV-2/set-level?actor=ben&level=3", "", 200, acked, []string{"set-level SEV-2 ben 3"}},
		{"set-level without level", "/api/v1/sevs/SEV-2/set-level", "actor=ben", 400,
			badDataBody(`invalid parameter \"level\": required: an integer from 0 (most critical) to 3`), nil},
		{"unknown action", "/api/v1/sevs/SEV-2/close", "actor=ben", 400,
			badDataBody(`invalid parameter \"action\": unknown action \"close\": want ack, diagnose, mitigate, resolve, set-level`), nil},
		{"no actor", "/api/v1/sevs/SEV-2/resolve", "", 400, badDataBody(`invalid parameter \"actor\": required: who is acting, for the timeline`), nil},
		{"unknown SEV", "/api/v1/sevs/SEV-7/mitigate", "actor=ben", 404, `{"status":"error","errorType":"not_found","error":"sev not found: SEV-7"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFake()
			status, body := serve(t, src, http.MethodPost, tt.target, "application/x-www-form-urlencoded", tt.body)
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.answer, body)
			require.Equal(t, tt.calls, src.calls)
		})
	}
}

func TestActRefused(t *testing.T) {
	src := newFake()
	src.failAct = fmt.Errorf("%w: ack SEV-2: already resolved", sevbridge.ErrInvalidAction)
	status, body := serve(t, src, http.MethodPost, "/api/v1/sevs/SEV-2/ack", "application/json", `{"actor":"ben"}`)
	require.Equal(t, 400, status)
	require.Equal(t, badDataBody("invalid sev action: ack SEV-2: already resolved"), body)
}

func TestActFailure(t *testing.T) {
	src := newFake()
	src.failAct = errors.New("write sev: disk full")
	status, body := serve(t, src, http.MethodPost, "/api/v1/sevs/SEV-2/diagnose", "application/json", `{"actor":"ben"}`)
	require.Equal(t, 500, status)
	require.Equal(t, `{"status":"error","errorType":"internal","error":"write sev: disk full"}`, body)
}

func TestDeclareBodyTooLarge(t *testing.T) {
	big := strings.Repeat("x", maxBody)
	tests := []struct{ name, contentType, body string }{
		{"form", "application/x-www-form-urlencoded", "type=security&level=1&actor=a&title=" + big},
		{"json", "application/json", `{"type":"security","level":1,"actor":"a","title":"` + big + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFake()
			status, body := serve(t, src, http.MethodPost, "/api/v1/sevs", tt.contentType, tt.body)
			require.Equal(t, 413, status)
			require.Equal(t, `{"status":"error","errorType":"bad_data","error":"request body too large: over the limit of 1048576 bytes"}`, body)
			require.Empty(t, src.calls)
		})
	}
	status, body := serve(t, newFake(), http.MethodPost, "/api/v1/sevs/SEV-2/ack", "application/json", `{"actor":"`+big+`"}`)
	require.Equal(t, [2]any{413, `{"status":"error","errorType":"bad_data","error":"request body too large: over the limit of 1048576 bytes"}`}, [2]any{status, body})
}
