package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

// The JSON of testSource's rules and alerts, as Vigil writes it. Prometheus
// writes the same bytes (checked against its structs and codec), except for
// Vigil's extra fields, `>` in label and annotation values (\u003e here) and
// an evaluation time of 3e-7 (3e-07); see the package doc. Strings outside
// labels, such as the query, are HTML-escaped by Prometheus too.
const (
	alertA = `{"labels":{"alertname":"HighErrorRate","instance":"a","severity":"page","team":"web"},` +
		`"annotations":{"summary":"Errors on a \u003e 50%"},"state":"pending",` +
		`"activeAt":"2026-03-01T12:00:50Z","value":"7.5e-01","suppressed":false}`
	alertB = `{"labels":{"alertname":"HighErrorRate","instance":"b","severity":"page","team":"web"},` +
		`"annotations":{"summary":"Errors on b \u003e 50%"},"state":"firing",` +
		`"activeAt":"2026-03-01T11:59:30Z","keepFiringSince":"2026-03-01T12:00:40Z","value":"1e+00","suppressed":false}`
	alertC = `{"labels":{"alertname":"HighErrorRate","instance":"c","severity":"page","team":"web"},` +
		`"annotations":{"summary":"Errors on c \u003e 50%"},"state":"unknown",` +
		`"activeAt":"2026-03-01T11:50:00Z","value":"2.5e+00","unknownSince":"2026-03-01T12:00:20.123456789Z","suppressed":false}`

	recordingRule = `{"name":"job:http_errors:rate5m","query":"sum by (job) (rate(http_errors_total[5m]))",` +
		`"labels":{"team":"web"},"health":"ok","evaluationTime":3e-7,` +
		`"lastEvaluation":"2026-03-01T12:01:00Z","type":"recording"}`
	dbDownRule = `{"state":"inactive","name":"DBDown","query":"up{job=\"db\"} == 0","duration":300,` +
		`"keepFiringFor":0,"labels":{"severity":"ticket"},"annotations":{},"alerts":[],"health":"err",` +
		`"lastError":"query timed out in expression evaluation","evaluationTime":10,` +
		`"lastEvaluation":"2026-03-01T12:00:30.5Z","type":"alerting"}`
	dbDownRuleNoAlerts = `{"state":"inactive","name":"DBDown","query":"up{job=\"db\"} == 0","duration":300,` +
		`"keepFiringFor":0,"labels":{"severity":"ticket"},"annotations":{},"alerts":null,"health":"err",` +
		`"lastError":"query timed out in expression evaluation","evaluationTime":10,` +
		`"lastEvaluation":"2026-03-01T12:00:30.5Z","type":"alerting"}`
	dbUpSumRule = `{"name":"db:up:sum","query":"sum(up{job=\"db\"})","labels":{},"health":"unknown",` +
		`"evaluationTime":0,"lastEvaluation":"0001-01-01T00:00:00Z","type":"recording"}`

	webToken = "8fb0ddbf8fa0021525e754adf393de1fdcb0826782c39575eb1ff2c44a4a040f" // sha256("/etc/vigil/rules/web.yml;web")
)

// highErrorRateRule is the JSON of HighErrorRate with the given alerts
// (a JSON list, or null).
func highErrorRateRule(alerts string) string {
	return `{"state":"firing","name":"HighErrorRate",` +
		`"query":"sum by (instance) (rate(http_errors_total[5m])) \u003e 0.5","duration":20,"keepFiringFor":60,` +
		`"labels":{"severity":"page","team":"web"},"annotations":{"summary":"Errors on {{ $labels.instance }} \u003e 50%"},` +
		`"alerts":` + alerts + `,"health":"ok","evaluationTime":0.0015,"lastEvaluation":"2026-03-01T12:01:00Z",` +
		`"type":"alerting","unknownAlerts":1}`
}

// highErrorRate is HighErrorRate with its three active alerts.
var highErrorRate = highErrorRateRule("[" + alertA + "," + alertB + "," + alertC + "]")

// webGroup is the JSON of the web group holding rules.
func webGroup(rules ...string) string {
	return `{"name":"web","file":"/etc/vigil/rules/web.yml","rules":[` + strings.Join(rules, ",") +
		`],"interval":10,"limit":0,"evaluationTime":0.002,"lastEvaluation":"2026-03-01T12:01:00Z"}`
}

// dbGroup is the JSON of the db group holding rules.
func dbGroup(rules ...string) string {
	return `{"name":"db","file":"/etc/vigil/rules/db.yml","rules":[` + strings.Join(rules, ",") +
		`],"interval":30,"limit":5,"evaluationTime":10,"lastEvaluation":"2026-03-01T12:00:30.5Z"}`
}

// rulesBody is the envelope of /api/v1/rules listing groups.
func rulesBody(groups ...string) string {
	return `{"status":"success","data":{"groups":[` + strings.Join(groups, ",") + `]}}`
}

// badData is the envelope of a bad_data error with msg.
func badDataBody(msg string) string {
	b, _ := json.Marshal(msg)
	return `{"status":"error","errorType":"bad_data","error":` + string(b) + `}`
}

// newServer serves the API over src on 127.0.0.1.
func newServer(t *testing.T, src Source) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	New(src, Options{}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path and returns the status and body, checking the content
// type.
func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(body)
}

// compact removes the indentation of a readable expected body.
func compact(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, []byte(s)))
	return buf.String()
}

func TestEmpty(t *testing.T) {
	for _, src := range []fakeSource{
		{},
		{groups: []alerting.GroupStatus{{Name: "empty", File: "a.yml"}}}, // a group with no rules is not listed
	} {
		srv := newServer(t, src)
		status, body := get(t, srv, "/api/v1/rules")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, `{"status":"success","data":{"groups":[]}}`, body)
		status, body = get(t, srv, "/api/v1/alerts")
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, `{"status":"success","data":{"alerts":[]}}`, body)
	}
}

// TestRules shows a whole answer: groups sorted by file then name, the
// empty group left out, an alerting rule with pending, firing (kept firing)
// and unknown alerts (the resolved one left out), a failing rule, a rule not
// evaluated yet.
func TestRules(t *testing.T) {
	want := compact(t, `{"status":"success","data":{"groups":[
	{"name":"db","file":"/etc/vigil/rules/db.yml","rules":[
		{"state":"inactive","name":"DBDown","query":"up{job=\"db\"} == 0","duration":300,"keepFiringFor":0,
		 "labels":{"severity":"ticket"},"annotations":{},"alerts":[],"health":"err",
		 "lastError":"query timed out in expression evaluation","evaluationTime":10,
		 "lastEvaluation":"2026-03-01T12:00:30.5Z","type":"alerting"},
		{"name":"db:up:sum","query":"sum(up{job=\"db\"})","labels":{},"health":"unknown",
		 "evaluationTime":0,"lastEvaluation":"0001-01-01T00:00:00Z","type":"recording"}],
	 "interval":30,"limit":5,"evaluationTime":10,"lastEvaluation":"2026-03-01T12:00:30.5Z"},
	{"name":"web","file":"/etc/vigil/rules/web.yml","rules":[
		{"state":"firing","name":"HighErrorRate",
		 "query":"sum by (instance) (rate(http_errors_total[5m])) \u003e 0.5","duration":20,"keepFiringFor":60,
		 "labels":{"severity":"page","team":"web"},
		 "annotations":{"summary":"Errors on {{ $labels.instance }} \u003e 50%"},
		 "alerts":[
			{"labels":{"alertname":"HighErrorRate","instance":"a","severity":"page","team":"web"},
			 "annotations":{"summary":"Errors on a \u003e 50%"},"state":"pending",
			 "activeAt":"2026-03-01T12:00:50Z","value":"7.5e-01","suppressed":false},
			{"labels":{"alertname":"HighErrorRate","instance":"b","severity":"page","team":"web"},
			 "annotations":{"summary":"Errors on b \u003e 50%"},"state":"firing",
			 "activeAt":"2026-03-01T11:59:30Z","keepFiringSince":"2026-03-01T12:00:40Z","value":"1e+00",
			 "suppressed":false},
			{"labels":{"alertname":"HighErrorRate","instance":"c","severity":"page","team":"web"},
			 "annotations":{"summary":"Errors on c \u003e 50%"},"state":"unknown",
			 "activeAt":"2026-03-01T11:50:00Z","value":"2.5e+00",
			 "unknownSince":"2026-03-01T12:00:20.123456789Z","suppressed":false}],
		 "health":"ok","evaluationTime":0.0015,"lastEvaluation":"2026-03-01T12:01:00Z",
		 "type":"alerting","unknownAlerts":1},
		{"name":"job:http_errors:rate5m","query":"sum by (job) (rate(http_errors_total[5m]))",
		 "labels":{"team":"web"},"health":"ok","evaluationTime":3e-7,
		 "lastEvaluation":"2026-03-01T12:01:00Z","type":"recording"}],
	 "interval":10,"limit":0,"evaluationTime":0.002,"lastEvaluation":"2026-03-01T12:01:00Z"}]}}`)
	// The fragments the filter tests build from say the same.
	require.Equal(t, want, rulesBody(dbGroup(dbDownRule, dbUpSumRule), webGroup(highErrorRate, recordingRule)))

	status, body := get(t, newServer(t, testSource()), "/api/v1/rules")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, want, body)
}

func TestRulesFilters(t *testing.T) {
	srv := newServer(t, testSource())
	for _, tc := range []struct {
		name, query, want string
	}{
		{"type alert", "type=alert", rulesBody(dbGroup(dbDownRule), webGroup(highErrorRate))},
		{"type is case-insensitive", "type=ALERT", rulesBody(dbGroup(dbDownRule), webGroup(highErrorRate))},
		{"type record", "type=record", rulesBody(dbGroup(dbUpSumRule), webGroup(recordingRule))},
		{"rule name", "rule_name[]=HighErrorRate", rulesBody(webGroup(highErrorRate))},
		{"rule names", "rule_name[]=HighErrorRate&rule_name[]=db:up:sum", rulesBody(dbGroup(dbUpSumRule), webGroup(highErrorRate))},
		{"rule group", "rule_group[]=web", rulesBody(webGroup(highErrorRate, recordingRule))},
		{"no such group", "rule_group[]=nope", rulesBody()},
		{"file", "file[]=/etc/vigil/rules/db.yml", rulesBody(dbGroup(dbDownRule, dbUpSumRule))},
		{"exclude alerts", "exclude_alerts=true", rulesBody(dbGroup(dbDownRuleNoAlerts, dbUpSumRule), webGroup(highErrorRateRule("null"), recordingRule))},
		{"exclude alerts false", "exclude_alerts=False", rulesBody(dbGroup(dbDownRule, dbUpSumRule), webGroup(highErrorRate, recordingRule))},
		{"match", `match[]={team="web"}`, rulesBody(webGroup(highErrorRate, recordingRule))},
		{"match regexp", `match[]={severity=~"page|ticket"}`, rulesBody(dbGroup(dbDownRule), webGroup(highErrorRate))},
		{"match sets are ORed", `match[]={severity="ticket"}&match[]={team="web",severity!="page"}`, rulesBody(dbGroup(dbDownRule), webGroup(recordingRule))},
		{"filters are ANDed", "type=record&rule_group[]=web", rulesBody(webGroup(recordingRule))},
		{"first page", "group_limit=1", `{"status":"success","data":{"groups":[` + dbGroup(dbDownRule, dbUpSumRule) + `],"groupNextToken":"` + webToken + `"}}`},
		{"next page", "group_limit=1&group_next_token=" + webToken, rulesBody(webGroup(highErrorRate, recordingRule))},
		{"one page", "group_limit=2", rulesBody(dbGroup(dbDownRule, dbUpSumRule), webGroup(highErrorRate, recordingRule))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv, "/api/v1/rules?"+escapeBrackets(tc.query))
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, tc.want, body)
		})
	}
}

// escapeBrackets escapes what a query needs escaped in these tests, leaving
// it readable in the table.
func escapeBrackets(q string) string {
	return strings.NewReplacer(`{`, "%7B", `}`, "%7D", `"`, "%22", `|`, "%7C", "[", "%5B", "]", "%5D").Replace(q)
}

func TestRulesBadParameters(t *testing.T) {
	srv := newServer(t, testSource())
	for _, tc := range []struct {
		name, query, msg string
	}{
		{"type", "type=foo", `invalid parameter "type": not supported value "foo"`},
		{"exclude alerts", "exclude_alerts=maybe", `invalid parameter "exclude_alerts": error converting exclude_alerts: strconv.ParseBool: parsing "maybe": invalid syntax`},
		{"match syntax", `match[]={team=`, `1:7: parse error: unexpected end of input inside braces`},
		{"match empty", `match[]=`, `unknown position: parse error: unexpected end of input`},
		{"match everything", `match[]={team=~".*"}`, `match[] must contain at least one non-empty matcher`},
		{"group limit not a number", "group_limit=x", `invalid parameter "group_limit": group_limit needs to be a valid number: strconv.ParseInt: parsing "x": invalid syntax`},
		{"group limit zero", "group_limit=0", `invalid parameter "group_limit": group_limit needs to be greater than 0`},
		{"token without limit", "group_next_token=" + webToken, `invalid parameter "group_next_token": group_limit needs to be present in order to paginate over the groups`},
		{"unknown token", "group_limit=1&group_next_token=abc", `invalid parameter "group_next_token": invalid group_next_token 'abc'. were rule groups changed?`},
		{"bad form", "rule_name[]=%zz", `error parsing form values: invalid URL escape "%zz"`},
		{"first bad parameter wins", "type=foo&exclude_alerts=maybe", `invalid parameter "type": not supported value "foo"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv, "/api/v1/rules?"+escapeBrackets(tc.query))
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, badDataBody(tc.msg), body)
		})
	}
}

// TestRulesUnknownType: a rule the Source cannot classify is a server error,
// not a silently missing rule.
func TestRulesUnknownType(t *testing.T) {
	src := fakeSource{groups: []alerting.GroupStatus{{Name: "g", File: "g.yml", Rules: []alerting.RuleStatus{{Type: "weird", Name: "X"}}}}}
	status, body := get(t, newServer(t, src), "/api/v1/rules")
	require.Equal(t, http.StatusInternalServerError, status)
	require.Equal(t, `{"status":"error","errorType":"internal","error":"rule \"X\" has type \"weird\", neither alerting nor recording"}`, body)
}

func TestAlerts(t *testing.T) {
	srv := newServer(t, testSource())
	status, body := get(t, srv, "/api/v1/alerts")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, `{"status":"success","data":{"alerts":[`+alertA+","+alertB+","+alertC+`]}}`, body)
}

func TestMethodNotAllowed(t *testing.T) {
	srv := newServer(t, testSource())
	for _, path := range []string{"/api/v1/rules", "/api/v1/alerts"} {
		resp, err := http.Post(srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader("type=alert"))
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, path)
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0e+00"},
		{1, "1e+00"},
		{0.75, "7.5e-01"},
		{-1234.5678, "-1.2345678e+03"},
		{1e21, "1e+21"},
		{0.30000000000000004, "3.0000000000000004e-01"},
		{posInf, "+Inf"},
		{-posInf, "-Inf"},
		{nan, "NaN"},
	} {
		require.Equal(t, tc.want, formatValue(tc.v), "%v", tc.v)
	}
}
