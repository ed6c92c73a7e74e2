package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

// depsRules are two alerts that never fire; the services file ties them.
const depsRules = "groups:\n  - name: deps\n    rules:\n" +
	"      - alert: DBDown\n        expr: vector(1) < 0\n" +
	"      - alert: WebErrors\n        expr: vector(1) < 0\n"

// depsServices: web, with WebErrors, depends on db, with DBDown.
const depsServices = "services:\n  - name: web\n    depends_on: [db]\n    alerts: [WebErrors]\n" +
	"  - name: db\n    alerts: [DBDown]\n"

// depsGraph lists what /api/v1/deps serves: the nodes as "kind:name", the
// edges as "from -kind-> to".
func (s *testServer) depsGraph() (nodes, edges []string) {
	s.t.Helper()
	code, body := s.do("GET", "/api/v1/deps", "")
	require.Equal(s.t, 200, code, body)
	var resp struct {
		Data struct {
			Nodes []struct{ Name, Kind string }
			Edges []struct{ From, To, Kind string }
		}
	}
	require.NoError(s.t, json.Unmarshal([]byte(body), &resp))
	for _, n := range resp.Data.Nodes {
		nodes = append(nodes, n.Kind+":"+n.Name)
	}
	for _, e := range resp.Data.Edges {
		edges = append(edges, fmt.Sprintf("%s -%s-> %s", e.From, e.Kind, e.To))
	}
	return nodes, edges
}

// startWithDeps starts a server with the rule files dir/rules/*.yml and
// the services files dir/deps/*.yml.
func startWithDeps(t *testing.T, dir string) (*testServer, *fakeStore) {
	cfg := DefaultConfig()
	cfg.Dependencies.Files = []string{filepath.Join(dir, "deps", "*.yml")}
	return startWithRules(t, cfg, filepath.Join(dir, "rules"))
}

// writeDepsDir writes rules/rules.yml and deps/services.yml under a new
// directory and returns it.
func writeDepsDir(t *testing.T, rules, services string) string {
	dir := t.TempDir()
	for _, sub := range []string{"rules", "deps"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, sub), 0o755))
	}
	writeFile(t, filepath.Join(dir, "rules", "rules.yml"), rules)
	writeFile(t, filepath.Join(dir, "deps", "services.yml"), services)
	return dir
}

func TestServeReloadServices(t *testing.T) {
	dir := writeDepsDir(t, depsRules, "services:\n  - name: web\n    alerts: [WebErrors]\n")
	svc := filepath.Join(dir, "deps", "services.yml")
	s, db := startWithDeps(t, dir)
	nodes, edges := s.depsGraph()
	require.Equal(t, []string{"alert:DBDown", "alert:WebErrors", "service:web"}, nodes)
	require.Equal(t, []string{"WebErrors -member-> web"}, edges)

	// A good services file: the new graph is served.
	writeFile(t, svc, depsServices)
	code, body := s.do("POST", "/-/reload", "")
	require.Equal(t, [2]any{200, "Reloaded: 1 group, 2 rules; dependency graph: 2 alerts, 2 services, 3 edges.\n"}, [2]any{code, body})
	wantNodes := []string{"alert:DBDown", "alert:WebErrors", "service:db", "service:web"}
	wantEdges := []string{"DBDown -member-> db", "WebErrors -member-> web", "web -service-> db"}
	nodes, edges = s.depsGraph()
	require.Equal(t, wantNodes, nodes)
	require.Equal(t, wantEdges, edges)

	// Bad services files: 500 with the problem; the graph and the rules stay.
	for _, bad := range []struct{ services, problem, names string }{
		{"services:\n  - name: web\n    depends_on: [dbb]\n", svc + `:3: service "web" depends on unknown service "dbb"`, ""},
		{"services:\n  - name: web\n    alerts: [WebErrors]\n    depends_on: [db]\n  - name: db\n    depends_on: [web]\n",
			"dependency cycle: ", "web -> db"},
		{"services:\n  - nme: web\n", svc + ":2: ", ""},
	} {
		writeFile(t, svc, bad.services)
		code, body = s.do("POST", "/-/reload", "")
		require.Equal(t, 500, code)
		require.True(t, strings.HasPrefix(body, "reload rejected; the running rules stay:\n"+bad.problem), body)
		require.Contains(t, body, bad.names)
		nodes, edges = s.depsGraph()
		require.Equal(t, wantNodes, nodes)
		require.Equal(t, wantEdges, edges)
		require.Equal(t, []string{"deps/DBDown", "deps/WebErrors"}, s.ruleNames())
		require.Equal(t, "vigil_config_last_reload_successful 0", s.metric("vigil_config_last_reload_successful"))
	}

	// A rule file that drops an alert the services file names is a problem
	// of the reload too: rules and services load together.
	writeFile(t, svc, depsServices)
	writeFile(t, filepath.Join(dir, "rules", "rules.yml"), "groups:\n  - name: deps\n    rules:\n      - alert: WebErrors\n        expr: vector(1) < 0\n")
	code, body = s.do("POST", "/-/reload", "")
	require.Equal(t, 500, code)
	require.Equal(t, "reload rejected; the running rules stay:\n"+svc+`:6: service "db" lists unknown alert "DBDown"`+"\n", body)
	require.Equal(t, []string{"deps/DBDown", "deps/WebErrors"}, s.ruleNames())

	// SIGHUP reloads the services files too.
	writeFile(t, filepath.Join(dir, "rules", "rules.yml"), depsRules)
	writeFile(t, svc, "services:\n  - name: web\n    alerts: [WebErrors, DBDown]\n")
	s.hup <- syscall.SIGHUP
	eventually(t, "SIGHUP reload of the services file", func() bool {
		_, edges := s.depsGraph()
		return slices.Equal(edges, []string{"DBDown -member-> web", "WebErrors -member-> web"})
	})
	require.Equal(t, "vigil_config_last_reload_successful 1", s.metric("vigil_config_last_reload_successful"))

	s.cancel()
	require.NoError(t, s.wait())
	require.True(t, db.closed)
}

func TestServeBadServicesAtStart(t *testing.T) {
	dir := writeDepsDir(t, depsRules, "services:\n  - name: web\n    depends_on: [dbb]\n")
	cfg := DefaultConfig()
	cfg.Rules.Files = []string{filepath.Join(dir, "rules", "*.yml")}
	cfg.Dependencies.Files = []string{filepath.Join(dir, "deps", "*.yml")}
	s := startTestServer(t, cfg)
	<-s.gotOpts
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	err := s.wait()
	require.EqualError(t, err, "invalid rule or services files; the server did not start:\n"+
		filepath.Join(dir, "deps", "services.yml")+`:3: service "web" depends on unknown service "dbb"`)
	require.True(t, db.closed, "the store is closed after a start error")
}

func TestServeDepsEndpointsBehindGate(t *testing.T) {
	s := startTestServer(t, DefaultConfig())
	<-s.gotOpts
	for _, path := range []string{"/api/v1/deps", "/api/v1/deps/explain?alert=X"} {
		code, body := s.do("GET", path, "")
		require.Equal(t, [2]any{503, "starting: replaying WAL\n"}, [2]any{code, body}, path)
	}
	s.opened <- openResult{db: &fakeStore{}}
	s.waitReady()
	code, body := s.do("GET", "/api/v1/deps", "")
	require.Equal(t, [2]any{200, `{"status":"success","data":{"nodes":[],"edges":[]}}`}, [2]any{code, body})
	code, body = s.do("GET", "/api/v1/deps/explain?alert=X", "")
	require.Equal(t, 400, code, body)
	s.cancel()
	require.NoError(t, s.wait())
}

func TestAlertingOptionsWeights(t *testing.T) {
	s := &server{cfg: DefaultConfig(), addr: "127.0.0.1:9096", logger: newLogger(LogConfig{}, io.Discard)}
	require.Nil(t, s.alertingOptions(&fakeStore{}, nil, nil).Weights, "no weights section, no weights")

	cfg, err := ParseFile("testdata/deps.good.yml")
	require.NoError(t, err)
	s.cfg = cfg
	require.Equal(t, &alerting.WeightsOptions{
		Expr:              "sum by (from, to) (rate(rpc_requests_total[5m]))",
		CallerLabel:       "from",
		CalleeLabel:       "to",
		UserCallers:       []string{"", "user", "frontend-lb"},
		Interval:          30 * time.Second,
		CriticalThreshold: 0.25,
	}, s.alertingOptions(&fakeStore{}, nil, nil).Weights)
}

func TestServeWithWeights(t *testing.T) {
	cfg, err := Parse("vigil.yml", []byte("dependencies:\n  weights:\n    expr: sum by (caller, callee) (rate(rpc_requests_total[5m]))\n    interval: 10ms\n"))
	require.NoError(t, err)
	s := startTestServer(t, cfg)
	<-s.gotOpts
	s.opened <- openResult{db: &fakeStore{}}
	s.waitReady()
	code, body := s.do("GET", "/api/v1/deps", "")
	require.Equal(t, [2]any{200, `{"status":"success","data":{"nodes":[],"edges":[]}}`}, [2]any{code, body})
	s.cancel()
	require.NoError(t, s.wait())
}
