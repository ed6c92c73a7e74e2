package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/notify"
)

// alertRule is a rule file with one group "example" and one alert that
// always fires.
func alertRule(name string) string {
	return "groups:\n  - name: example\n    rules:\n      - alert: " + name + "\n        expr: vector(1) > 0\n"
}

// brokenRule has an expression that does not parse, on line 5.
const brokenRule = "groups:\n  - name: example\n    rules:\n      - alert: Broken\n        expr: sum(\n"

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// eventually polls cond until it holds, for at most 10 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ruleNames lists the rules /api/v1/rules shows, as "group/rule".
func (s *testServer) ruleNames() []string {
	s.t.Helper()
	code, body := s.do("GET", "/api/v1/rules", "")
	require.Equal(s.t, 200, code, body)
	var resp struct {
		Data struct {
			Groups []struct {
				Name  string
				Rules []struct{ Name string }
			}
		}
	}
	require.NoError(s.t, json.Unmarshal([]byte(body), &resp))
	names := []string{}
	for _, g := range resp.Data.Groups {
		for _, r := range g.Rules {
			names = append(names, g.Name+"/"+r.Name)
		}
	}
	return names
}

// metric returns the line of /metrics that starts with name and a space.
func (s *testServer) metric(name string) string {
	s.t.Helper()
	_, body := s.do("GET", "/metrics", "")
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimSuffix(line, "\n")
		}
	}
	return ""
}

// startWithRules starts a server whose rules.files is dir/*.yml, opens its
// store and waits until it is ready.
func startWithRules(t *testing.T, cfg Config, dir string) (*testServer, *fakeStore) {
	cfg.Rules.Files = []string{filepath.Join(dir, "*.yml")}
	s := startTestServer(t, cfg)
	<-s.gotOpts
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	s.waitReady()
	return s, db
}

func TestServeReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.yml")
	writeFile(t, file, alertRule("First"))
	s, db := startWithRules(t, DefaultConfig(), dir)
	// Ready means loaded: the rules are listed from the first 200 on.
	require.Equal(t, []string{"example/First"}, s.ruleNames())
	require.Equal(t, "vigil_config_last_reload_successful 1", s.metric("vigil_config_last_reload_successful"))

	writeFile(t, file, alertRule("Second"))
	writeFile(t, filepath.Join(dir, "more.yml"), "groups:\n  - name: more\n    rules:\n      - record: r\n        expr: vector(2)\n")
	code, body := s.do("POST", "/-/reload", "")
	require.Equal(t, [2]any{200, "Reloaded: 2 groups, 2 rules.\n"}, [2]any{code, body})
	require.ElementsMatch(t, []string{"example/Second", "more/r"}, s.ruleNames())

	// A broken file: 500 with the problem, and every old rule stays.
	writeFile(t, file, brokenRule)
	code, body = s.do("POST", "/-/reload", "")
	require.Equal(t, 500, code)
	require.True(t, strings.HasPrefix(body, "reload rejected; the running rules stay:\n"+file+":5: "), body)
	require.ElementsMatch(t, []string{"example/Second", "more/r"}, s.ruleNames())
	require.Equal(t, "vigil_config_last_reload_successful 0", s.metric("vigil_config_last_reload_successful"))

	// SIGHUP does the same.
	writeFile(t, file, alertRule("Third"))
	s.hup <- syscall.SIGHUP
	eventually(t, "SIGHUP reload", func() bool { return slices.Contains(s.ruleNames(), "example/Third") })
	require.ElementsMatch(t, []string{"example/Third", "more/r"}, s.ruleNames())
	require.Equal(t, "vigil_config_last_reload_successful 1", s.metric("vigil_config_last_reload_successful"))
	writeFile(t, file, brokenRule)
	s.hup <- syscall.SIGHUP
	eventually(t, "SIGHUP reload rejected", func() bool {
		return strings.Contains(s.logs.String(), `msg="reload rejected; the running rules stay" component=reload err="`+file+":5: ")
	})
	require.ElementsMatch(t, []string{"example/Third", "more/r"}, s.ruleNames())

	s.cancel()
	require.NoError(t, s.wait())
	require.True(t, db.closed)
}

func TestServeBadRulesAtStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	writeFile(t, bad, brokenRule)
	tests := []struct {
		name    string
		files   []string
		wantErr string // prefix
	}{
		{"broken file", []string{filepath.Join(dir, "*.yml")}, bad + ":5: "},
		{"missing file", []string{filepath.Join(dir, "missing.yml")}, "rule file: stat " + filepath.Join(dir, "missing.yml") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Rules.Files = tt.files
			s := startTestServer(t, cfg)
			<-s.gotOpts
			code, body := s.do("GET", "/-/ready", "")
			require.Equal(t, [2]any{503, "starting: replaying WAL\n"}, [2]any{code, body})
			db := &fakeStore{}
			s.opened <- openResult{db: db}
			err := s.wait()
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "invalid rule files; the server did not start:\n"+tt.wantErr), err.Error())
			require.True(t, db.closed, "the store is closed after a start error")
		})
	}
}

func TestRunBadRulesExitCode(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "vigil.yml"), "rules:\n  files: [rules/*.yml]\n")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "rules"), 0o755))
	writeFile(t, filepath.Join(dir, "rules", "bad.yml"), brokenRule)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--config", filepath.Join(dir, "vigil.yml"),
		"--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, nil, &stdout, &stderr)
	require.Equal(t, 1, code, stderr.String())
	want := "vigil: invalid rule files; the server did not start:\n" + filepath.Join(dir, "rules", "bad.yml") + ":5: "
	require.Contains(t, stderr.String(), want)
}

// pagerDutyStandIn records the events posted to it and answers 202.
type pagerDutyStandIn struct {
	mu     sync.Mutex
	events []map[string]any
}

func (p *pagerDutyStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev map[string]any
	if r.URL.Path != "/v2/enqueue" || json.Unmarshal(body, &ev) != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.events = append(p.events, ev)
	p.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"x"}`)
}

func (p *pagerDutyStandIn) received() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.events...)
}

func TestServePagesPagerDuty(t *testing.T) {
	pd := &pagerDutyStandIn{}
	srv := httptest.NewServer(pd)
	t.Cleanup(srv.Close) // after the server stops: it may still page while it drains
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "rules.yml"), "groups:\n  - name: example\n    rules:\n"+
		"      - alert: Always\n        expr: vector(1) > 0\n        labels: {severity: warning}\n"+
		"        annotations: {summary: \"always on\"}\n")
	cfg := DefaultConfig()
	cfg.Rules.EvaluationInterval = 50 * time.Millisecond
	cfg.Notify = parseNotify(t, "notify:\n  pagerduty:\n    routing_key: test-key\n    events_url: "+srv.URL+"\n")
	s, db := startWithRules(t, cfg, dir)

	eventually(t, "a trigger at the PagerDuty stand-in", func() bool { return len(pd.received()) > 0 })
	ev := pd.received()[0]
	require.Equal(t, "trigger", ev["event_action"])
	require.Equal(t, "test-key", ev["routing_key"])
	require.True(t, strings.HasPrefix(ev["dedup_key"].(string), "vigil-"), ev["dedup_key"])
	payload := ev["payload"].(map[string]any)
	require.Equal(t, "always on", payload["summary"])
	require.Equal(t, "warning", payload["severity"])
	code, body := s.do("GET", "/api/v1/alerts", "")
	require.Equal(t, 200, code)
	require.Contains(t, body, `"alertname":"Always"`)
	eventually(t, "ALERTS written to the store", func() bool {
		for _, b := range db.appended() {
			for _, bs := range b.Series {
				if bs.Labels.Get("__name__") == "ALERTS" && bs.Labels.Get("alertstate") == "firing" {
					return true
				}
			}
		}
		return false
	})

	s.cancel()
	require.NoError(t, s.wait())
	require.True(t, db.closed)
	_, err := os.Stat(filepath.Join(s.dataDir, "notify", "log.json"))
	require.NoError(t, err, "the notification log is flushed on stop")
}

// parseNotify parses a configuration holding a notify section.
func parseNotify(t *testing.T, yml string) notify.Config {
	t.Helper()
	cfg, err := Parse("vigil.yml", []byte(yml))
	require.NoError(t, err)
	return cfg.Notify
}

func TestExternalURL(t *testing.T) {
	host, err := os.Hostname()
	require.NoError(t, err)
	tests := []struct {
		configured, addr, want string
	}{
		{"https://vigil.example.com/", "127.0.0.1:9096", "https://vigil.example.com/"},
		{"", "127.0.0.1:9096", "http://127.0.0.1:9096"},
		{"", "[::1]:9096", "http://[::1]:9096"},
		{"", "[::]:9096", "http://" + host + ":9096"},
		{"", "0.0.0.0:9096", "http://" + host + ":9096"},
	}
	for _, tt := range tests {
		s := &server{cfg: DefaultConfig(), addr: tt.addr}
		s.cfg.Rules.ExternalURL = tt.configured
		require.Equal(t, tt.want, s.externalURL(), "%q %q", tt.configured, tt.addr)
	}
}
