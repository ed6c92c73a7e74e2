package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/sevbridge"
)

// TestExamplePolicy keeps examples/sev/policy.yml loadable, with the
// interval it sets.
func TestExamplePolicy(t *testing.T) {
	p, err := loadPolicy("../../examples/sev/policy.yml", time.Minute)
	require.NoError(t, err)
	require.Equal(t, 10*time.Second, p.Interval)
	require.Equal(t, 15*time.Minute, p.CorrelationWindow)
	require.Equal(t, "EXAMPLE-IMOC-ROUTING-KEY", p.Roles.IMOC.RoutingKey)
	require.Equal(t, []string{"/login", "/upload"}, p.Routes.Buckets["critical"].Routes)
}

// TestPolicyIntervalFollowsSampling: a policy without interval is
// evaluated every sampling_interval.
func TestPolicyIntervalFollowsSampling(t *testing.T) {
	file := filepath.Join(t.TempDir(), "policy.yml")
	writeFile(t, file, testPolicy)
	p, err := loadPolicy(file, 15*time.Second)
	require.NoError(t, err)
	require.Equal(t, 15*time.Second, p.Interval)
}

// testPolicy has roles and no SLI: SEVs come from people and alerts.
const testPolicy = `roles:
  imoc: {rotation: [ana], routing_key: imoc-key}
  tloc: {rotation: [eve], routing_key: tloc-key}
  bmoc: {rotation: [cat], routing_key: bmoc-key}
`

// startWithPolicy starts a server with the SEV policy file and the rule
// files of dir, PagerDuty events going to pdURL, and waits until it is
// ready.
func startWithPolicy(t *testing.T, dir, policy, pdURL string) *testServer {
	cfg := DefaultConfig()
	cfg.SamplingInterval = 50 * time.Millisecond
	cfg.Rules.EvaluationInterval = 50 * time.Millisecond
	cfg.SEV.PolicyFile = policy
	cfg.Notify = parseNotify(t, "notify:\n  pagerduty:\n    routing_key: alerts-key\n    events_url: "+pdURL+"\n")
	s, _ := startWithRules(t, cfg, dir)
	return s
}

// sevs lists the SEVs /api/v1/sevs answers.
func (s *testServer) sevs() []*sevbridge.SEV {
	s.t.Helper()
	code, body := s.do("GET", "/api/v1/sevs", "")
	require.Equal(s.t, 200, code, body)
	var resp struct{ Data []*sevbridge.SEV }
	require.NoError(s.t, json.Unmarshal([]byte(body), &resp))
	return resp.Data
}

// dedupKeys are the dedup keys of the events at the stand-in, by action.
func dedupKeys(pd *pagerDutyStandIn, action string) []string {
	var keys []string
	for _, ev := range pd.received() {
		if ev["event_action"] == action {
			keys = append(keys, ev["dedup_key"].(string))
		}
	}
	slices.Sort(keys)
	return keys
}

func TestServeSEVDeclareAndAct(t *testing.T) {
	pd := &pagerDutyStandIn{}
	srv := httptest.NewServer(pd)
	t.Cleanup(srv.Close) // after the server stops: it may still page while it drains
	dir, policy := t.TempDir(), filepath.Join(t.TempDir(), "policy.yml")
	writeFile(t, policy, testPolicy)
	s := startWithPolicy(t, dir, policy, srv.URL)
	require.Empty(t, s.sevs())

	form := url.Values{"type": {"durability"}, "level": {"1"}, "title": {"Lost uploads"}, "routes": {"/upload"}, "actor": {"dan"}}
	code, body := s.doForm("/api/v1/sevs", form)
	require.Equal(t, 200, code, body)
	sevs := s.sevs()
	require.Len(t, sevs, 1)
	got := sevs[0]
	require.Equal(t, [5]any{"SEV-1", sevbridge.TypeDurability, sevbridge.Level(1), sevbridge.StateOpen, "Lost uploads"},
		[5]any{got.ID, got.Type, got.Level, got.State, got.Title})
	require.Equal(t, []string{"/upload"}, got.Routes)
	require.Equal(t, "ana", got.Roles.IMOC)
	eventually(t, "triggers for the roles", func() bool { return len(dedupKeys(pd, "trigger")) >= 2 })
	require.Subset(t, dedupKeys(pd, "trigger"), []string{"SEV-1-imoc", "SEV-1-tloc"})

	code, body = s.doForm("/api/v1/sevs/SEV-1/ack", url.Values{"actor": {"ben"}})
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"kind":"acknowledged","actor":"ben"`)
	code, body = s.doForm("/api/v1/sevs/SEV-9/ack", url.Values{"actor": {"ben"}})
	require.Equal(t, 404, code, body)

	code, body = s.do("GET", "/api/v1/sla?month=2026-02", "")
	require.Equal(t, 200, code, body)
	require.True(t, strings.HasPrefix(body, `{"status":"success","data":{"month":"2026-02","minutes":40320,"down_minutes":0,`), body)

	s.cancel()
	require.NoError(t, s.wait())
	_, err := os.Stat(filepath.Join(s.dataDir, "sev", "sevs.db"))
	require.NoError(t, err)
}

// doForm posts a form and returns the status and body.
func (s *testServer) doForm(path string, form url.Values) (int, string) {
	s.t.Helper()
	return s.doWith("POST", path, "application/x-www-form-urlencoded", form.Encode())
}

func TestServeSEVFromAlert(t *testing.T) {
	pd := &pagerDutyStandIn{}
	srv := httptest.NewServer(pd)
	t.Cleanup(srv.Close) // after the server stops: it may still page while it drains
	dir, policy := t.TempDir(), filepath.Join(t.TempDir(), "policy.yml")
	writeFile(t, policy, testPolicy)
	writeFile(t, filepath.Join(dir, "rules.yml"), "groups:\n  - name: security\n    rules:\n"+
		"      - alert: KeyLeaked\n        expr: vector(1) > 0\n        labels: {sev_type: security, sev_level: \"2\"}\n")
	s := startWithPolicy(t, dir, policy, srv.URL)

	var sevs []*sevbridge.SEV
	eventually(t, "a SEV filed from the alert", func() bool { sevs = s.sevs(); return len(sevs) > 0 })
	require.Len(t, sevs, 1)
	require.Equal(t, [3]any{"SEV-1", sevbridge.TypeSecurity, sevbridge.Level(2)}, [3]any{sevs[0].ID, sevs[0].Type, sevs[0].Level})
	// The alert is paged to the notify receiver as well.
	eventually(t, "the alert's own page", func() bool {
		return slices.ContainsFunc(pd.received(), func(ev map[string]any) bool { return ev["routing_key"] == "alerts-key" })
	})
}

func TestServeSEVPolicyReload(t *testing.T) {
	pd := &pagerDutyStandIn{}
	srv := httptest.NewServer(pd)
	t.Cleanup(srv.Close) // after the server stops: it may still page while it drains
	dir, policy := t.TempDir(), filepath.Join(t.TempDir(), "policy.yml")
	writeFile(t, policy, testPolicy)
	s := startWithPolicy(t, dir, policy, srv.URL)

	writeFile(t, policy, testPolicy+"correlation_window: soon\n")
	code, body := s.do("POST", "/-/reload", "")
	require.Equal(t, 500, code)
	require.True(t, strings.HasPrefix(body, "reload rejected; the running rules stay:\n"+policy+":5: correlation_window: "), body)
	require.Equal(t, "vigil_config_last_reload_successful 0", s.metric("vigil_config_last_reload_successful"))

	writeFile(t, policy, strings.Replace(testPolicy, "[ana]", "[zoe]", 1))
	code, body = s.do("POST", "/-/reload", "")
	require.Equal(t, [2]any{200, "Reloaded: 0 groups, 0 rules; SEV policy " + policy + ".\n"}, [2]any{code, body})
	code, body = s.doForm("/api/v1/sevs", url.Values{"type": {"security"}, "level": {"3"}, "title": {"t"}, "actor": {"dan"}})
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"roles":{"imoc":"zoe",`, "the new policy's rotation")
}

func TestServeBadPolicyAtStart(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yml")
	writeFile(t, policy, "interval: 10s\nroles: [ana]\n")
	cfg := DefaultConfig()
	cfg.SEV.PolicyFile = policy
	s := startTestServer(t, cfg)
	<-s.gotOpts
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	err := s.wait()
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "invalid SEV policy; the server did not start:\n"+policy+":2: roles: "), err.Error())
	require.True(t, db.closed)
}

// doWith sends a request with a Content-Type and returns the status and
// body.
func (s *testServer) doWith(method, path, contentType, body string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, string(b)
}
