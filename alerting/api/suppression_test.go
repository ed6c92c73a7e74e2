package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

// The JSON of the scenario's alerts (deps_fixture_test.go).
const (
	dbEastJSON = `{"labels":{"alertname":"MetadataDBDown","region":"us-east","service":"metadata-db"},"annotations":{},"state":"firing",` +
		`"activeAt":"2026-03-01T12:00:00Z","value":"1e+00","suppressed":false}`
	dbEUJSON = `{"labels":{"alertname":"MetadataDBDown","region":"eu","service":"metadata-db"},"annotations":{},"state":"pending",` +
		`"activeAt":"2026-03-01T12:00:50Z","value":"1e+00","suppressed":false}`
	webEastJSON = `{"labels":{"alertname":"WebErrors","region":"us-east"},"annotations":{},"state":"firing",` +
		`"activeAt":"2026-03-01T12:00:10Z","value":"1e+00","suppressed":true,"suppressedBy":[` +
		`{"alertname":"MetadataDBDown","labels":{"alertname":"MetadataDBDown","region":"us-east","service":"metadata-db"},` +
		`"path":["WebErrors","web","metadata-db","MetadataDBDown"],"root":true}]}`
	webWestJSON = `{"labels":{"alertname":"WebErrors","region":"us-west"},"annotations":{},"state":"firing",` +
		`"activeAt":"2026-03-01T12:00:20Z","value":"1e+00","suppressed":false}`
	webEUJSON = `{"labels":{"alertname":"WebErrors","region":"eu"},"annotations":{},"state":"firing",` +
		`"activeAt":"2026-03-01T12:00:40Z","value":"1e+00","suppressed":false,"held":true}`
	latencyJSON = `{"labels":{"alertname":"WebLatency","region":"us-east"},"annotations":{},"state":"unknown",` +
		`"activeAt":"2026-03-01T12:00:30Z","value":"1e+00","unknownSince":"2026-03-01T12:01:00Z",` +
		`"suppressed":true,"suppressedBy":[` +
		`{"alertname":"MetadataDBDown","labels":{"alertname":"MetadataDBDown","region":"us-east","service":"metadata-db"},` +
		`"path":["WebLatency","WebErrors","web","metadata-db","MetadataDBDown"],"root":true},` +
		`{"alertname":"WebErrors","labels":{"alertname":"WebErrors","region":"us-east"},` +
		`"path":["WebLatency","WebErrors"],"root":false}]}`
)

// TestAlertsSuppressed: suppressed alerts list their causes, root first,
// with the path; a held alert says so; the others say suppressed false.
func TestAlertsSuppressed(t *testing.T) {
	srv := newServer(t, fakeSource{alerts: depsAlerts()})
	status, body := get(t, srv, "/api/v1/alerts")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, `{"status":"success","data":{"alerts":[`+
		dbEastJSON+","+dbEUJSON+","+webEastJSON+","+webWestJSON+","+webEUJSON+","+latencyJSON+`]}}`, body)
}

// TestRulesSuppressed: the alerts inside /api/v1/rules carry the same
// fields.
func TestRulesSuppressed(t *testing.T) {
	srv := newServer(t, fakeSource{groups: []alerting.GroupStatus{depsGroupStatus()}})
	status, body := get(t, srv, "/api/v1/rules")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, rulesBody(`{"name":"web","file":"web.yml","rules":[`+
		depsRuleJSON("WebErrors", webEastJSON+","+webWestJSON+","+webEUJSON)+","+
		depsRuleJSON("WebLatency", latencyJSON)+
		`],"interval":10,"limit":0,"evaluationTime":0.001,"lastEvaluation":"2026-03-01T12:01:00Z"}`), body)
}

// depsRuleJSON is the JSON of a scenario rule firing alerts.
func depsRuleJSON(name, alerts string) string {
	return `{"state":"firing","name":"` + name + `","query":"` + name + `_condition \u003e 0","duration":0,` +
		`"keepFiringFor":0,"labels":{},"annotations":{},"alerts":[` + alerts + `],"health":"ok",` +
		`"evaluationTime":0.001,"lastEvaluation":"2026-03-01T12:01:00Z","type":"alerting"}`
}
