package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// newDepsServer serves the API with the dependency endpoints over deps,
// and the Source's alerts are deps.alerts.
func newDepsServer(t *testing.T, deps fakeDeps) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	New(fakeSource{alerts: deps.alerts}, Options{Deps: deps}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// scenarioDeps is the scenario's graph and alerts, with weights (nil: not
// configured) and a critical threshold of 0.5.
func scenarioDeps(t *testing.T, weights map[string]float64, alerts []alerting.Alert) fakeDeps {
	return fakeDeps{graph: depsGraph(t), weights: weights, critical: 0.5, alerts: alerts}
}

// The scenario's edges, in the graph's order: memberships, depends_on,
// service dependencies.
const depsEdges = `"edges":[
	{"from":"CheckoutFailing","to":"checkout","kind":"member","match":[],"file":"deps.yml","line":6},
	{"from":"WebErrors","to":"web","kind":"member","match":[],"file":"deps.yml","line":2},
	{"from":"CheckoutFailing","to":"ReplicaADown","kind":"depends_on","match":["region"],
	 "allOf":["ReplicaADown","ReplicaBDown"],"file":"checkout.yml","line":5},
	{"from":"CheckoutFailing","to":"ReplicaBDown","kind":"depends_on","match":["region"],
	 "allOf":["ReplicaADown","ReplicaBDown"],"file":"checkout.yml","line":5},
	{"from":"WebLatency","to":"WebErrors","kind":"depends_on","match":["region"],"file":"web.yml","line":8},
	{"from":"web","to":"metadata-db","kind":"service","match":["region"],"file":"deps.yml","line":3}]`

// TestDeps: every node with its counts (pending alerts not counted, the
// held one counted as firing; a service counts its static members and the
// alerts whose service label names it), services with their weights (a
// service without one weighs 0) and whether they reach the threshold.
func TestDeps(t *testing.T) {
	srv := newDepsServer(t, scenarioDeps(t, map[string]float64{"web": 0.5, "metadata-db": 0.45}, depsAlerts()))
	status, body := get(t, srv, "/api/v1/deps")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, compact(t, `{"status":"success","data":{"nodes":[
	{"name":"CheckoutFailing","kind":"alert","file":"checkout.yml","line":3,"firing":0,"suppressed":0},
	{"name":"DiskFull","kind":"alert","file":"node.yml","line":3,"firing":0,"suppressed":0},
	{"name":"MetadataDBDown","kind":"alert","file":"db.yml","line":3,"firing":1,"suppressed":0},
	{"name":"ReplicaADown","kind":"alert","file":"db.yml","line":6,"firing":0,"suppressed":0},
	{"name":"ReplicaBDown","kind":"alert","file":"db.yml","line":9,"firing":0,"suppressed":0},
	{"name":"WebErrors","kind":"alert","file":"web.yml","line":3,"firing":3,"suppressed":1},
	{"name":"WebLatency","kind":"alert","file":"web.yml","line":6,"firing":1,"suppressed":1},
	{"name":"checkout","kind":"service","file":"deps.yml","line":6,"firing":0,"suppressed":0,
	 "weight":0,"criticalPath":false},
	{"name":"metadata-db","kind":"service","file":"deps.yml","line":5,"firing":1,"suppressed":0,
	 "weight":0.45,"criticalPath":false},
	{"name":"web","kind":"service","file":"deps.yml","line":2,"firing":3,"suppressed":1,
	 "weight":0.5,"criticalPath":true}],
	`+depsEdges+`}}`), body)
}

// TestDepsNoWeights: without weights, services have no weight fields; a
// resolved alert is not counted.
func TestDepsNoWeights(t *testing.T) {
	resolved := depsAlert(webErrorsWest, alerting.StateInactive, at(-time.Hour))
	resolved.ResolvedAt = at(-time.Minute)
	alerts := []alerting.Alert{depsAlert(dbDownEast, alerting.StateUnknown, at(0)), resolved}
	srv := newDepsServer(t, scenarioDeps(t, nil, alerts))
	status, body := get(t, srv, "/api/v1/deps")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, compact(t, `{"status":"success","data":{"nodes":[
	{"name":"CheckoutFailing","kind":"alert","file":"checkout.yml","line":3,"firing":0,"suppressed":0},
	{"name":"DiskFull","kind":"alert","file":"node.yml","line":3,"firing":0,"suppressed":0},
	{"name":"MetadataDBDown","kind":"alert","file":"db.yml","line":3,"firing":1,"suppressed":0},
	{"name":"ReplicaADown","kind":"alert","file":"db.yml","line":6,"firing":0,"suppressed":0},
	{"name":"ReplicaBDown","kind":"alert","file":"db.yml","line":9,"firing":0,"suppressed":0},
	{"name":"WebErrors","kind":"alert","file":"web.yml","line":3,"firing":0,"suppressed":0},
	{"name":"WebLatency","kind":"alert","file":"web.yml","line":6,"firing":0,"suppressed":0},
	{"name":"checkout","kind":"service","file":"deps.yml","line":6,"firing":0,"suppressed":0},
	{"name":"metadata-db","kind":"service","file":"deps.yml","line":5,"firing":1,"suppressed":0},
	{"name":"web","kind":"service","file":"deps.yml","line":2,"firing":0,"suppressed":0}],
	`+depsEdges+`}}`), body)
}

// TestDepsEmpty: an empty graph, and no graph yet, are empty lists.
func TestDepsEmpty(t *testing.T) {
	empty, err := depgraph.Build(nil, nil)
	require.NoError(t, err)
	for _, g := range []*depgraph.Graph{empty, nil} {
		status, body := get(t, newDepsServer(t, fakeDeps{graph: g}), "/api/v1/deps")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, `{"status":"success","data":{"nodes":[],"edges":[]}}`, body)
	}
}

// TestDepsNotMounted: without Options.Deps there are no dependency
// endpoints.
func TestDepsNotMounted(t *testing.T) {
	srv := newServer(t, testSource())
	for _, path := range []string{"/api/v1/deps", "/api/v1/deps/explain?alert=WebErrors"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

// TestDepsMethodNotAllowed: the dependency endpoints are GET only.
func TestDepsMethodNotAllowed(t *testing.T) {
	srv := newDepsServer(t, scenarioDeps(t, nil, depsAlerts()))
	for _, path := range []string{"/api/v1/deps", "/api/v1/deps/explain"} {
		resp, err := http.Post(srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader("alert=WebErrors"))
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, path)
	}
}

// TestScenarioDecisions: the decisions depsAlerts carries are the graph's.
func TestScenarioDecisions(t *testing.T) {
	deps := scenarioDeps(t, nil, depsAlerts())
	for _, a := range depsAlerts() {
		if a.State == alerting.StatePending {
			continue
		}
		d := deps.Explain(a.Labels.Get(labels.AlertName), a.Labels)
		require.Equal(t, a.Suppressed, d.Suppressed, a.Labels.String())
		require.Equal(t, a.SuppressedBy, d.By, a.Labels.String())
	}
}

// The Manager is both the Source and the Deps.
var (
	_ Source = (*alerting.Manager)(nil)
	_ Deps   = (*alerting.Manager)(nil)
)
