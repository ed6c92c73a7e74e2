package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// now is the clock of the query tests: 2023-11-14T22:13:20Z.
var now = time.Unix(1700000000, 0).UTC()

// cannedServer answers every request with status and body and records the
// request's path and parameters.
func cannedServer(t *testing.T, status int, body string, path *string, params *url.Values) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*path, *params = r.URL.Path, r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const vectorAnswer = `{"status":"success","data":{"resultType":"vector","result":[
 {"metric":{"__name__":"up","instance":"a:9100","job":"node"},"value":[1700000000,"1"]},
 {"metric":{"__name__":"up","instance":"bbbbbb:9100","job":"node"},"value":[1700000000.25,"0"]},
 {"metric":{},"value":[1700000000,"NaN"]}]}}`

const matrixAnswer = `{"status":"success","data":{"resultType":"matrix","result":[
 {"metric":{"job":"api"},"values":[[1699999940,"0.5"],[1700000000,"1e-05"]]},
 {"metric":{"job":"web"},"values":[[1700000000,"+Inf"]]}]}}`

func TestQueryTable(t *testing.T) {
	tests := []struct {
		name       string
		flags      queryFlags
		answer     string
		wantPath   string
		wantParams url.Values
		wantStdout string
		wantStderr string
	}{
		{"instant now", queryFlags{output: "table"}, vectorAnswer, "/api/v1/query", url.Values{"query": {"up"}},
			`SERIES                                  TIME                      VALUE
up{instance="a:9100", job="node"}       2023-11-14T22:13:20.000Z  1
up{instance="bbbbbb:9100", job="node"}  2023-11-14T22:13:20.250Z  0
{}                                      2023-11-14T22:13:20.000Z  NaN
`, ""},
		{"instant at a time", queryFlags{output: "table", time: "now-1h"}, `{"status":"success","data":{"resultType":"scalar","result":[1699996400,"2"]},"warnings":["careful"],"infos":["fyi"]}`,
			"/api/v1/query", url.Values{"query": {"up"}, "time": {"1699996400"}},
			"SERIES  TIME                      VALUE\nscalar  2023-11-14T21:13:20.000Z  2\n", "warning: careful\ninfo: fyi\n"},
		{"string", queryFlags{output: "table", time: "2023-11-14T22:13:20.5Z"}, `{"status":"success","data":{"resultType":"string","result":[1700000000.5,"hello"]}}`,
			"/api/v1/query", url.Values{"query": {"up"}, "time": {"1700000000.5"}},
			"SERIES  TIME                      VALUE\nstring  2023-11-14T22:13:20.500Z  hello\n", ""},
		{"range", queryFlags{output: "table", start: "now-1m", step: "1m"}, matrixAnswer, "/api/v1/query_range",
			url.Values{"query": {"up"}, "start": {"1699999940"}, "end": {"1700000000"}, "step": {"60"}},
			`SERIES       TIME                      VALUE
{job="api"}  2023-11-14T22:12:20.000Z  0.5
{job="api"}  2023-11-14T22:13:20.000Z  0.00001
{job="web"}  2023-11-14T22:13:20.000Z  +Inf
`, ""},
		{"empty", queryFlags{output: "table"}, `{"status":"success","data":{"resultType":"vector","result":[]}}`, "/api/v1/query",
			url.Values{"query": {"up"}}, "", "empty result\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			var params url.Values
			srv := cannedServer(t, 200, tt.answer, &path, &params)
			f := tt.flags
			f.url, f.timeout = srv.URL, time.Minute
			var stdout, stderr bytes.Buffer
			require.NoError(t, runQuery(context.Background(), &f, "up", now, &stdout, &stderr))
			require.Equal(t, tt.wantPath, path)
			require.Equal(t, tt.wantParams, params)
			require.Equal(t, tt.wantStdout, stdout.String())
			require.Equal(t, tt.wantStderr, stderr.String())
		})
	}
}

func TestQueryErrors(t *testing.T) {
	tests := []struct {
		name       string
		flags      queryFlags
		status     int
		answer     string
		wantErr    string
		wantStdout string
	}{
		{"error envelope", queryFlags{output: "table"}, 400,
			`{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unexpected end of input"}`,
			`server answered 400 Bad Request: bad_data: invalid parameter "query": 1:4: parse error: unexpected end of input`, ""},
		{"timeout envelope", queryFlags{output: "table"}, 503, `{"status":"error","errorType":"timeout","error":"query timed out in query execution"}`,
			`server answered 503 Service Unavailable: timeout: query timed out in query execution`, ""},
		{"plain text error", queryFlags{output: "table"}, 503, "starting: replaying WAL\n",
			`server answered 503 Service Unavailable: starting: replaying WAL`, ""},
		{"json prints the error envelope as it came", queryFlags{output: "json"}, 422, `{"status":"error","errorType":"execution","error":"boom"}`,
			`server answered 422 Unprocessable Entity`, `{"status":"error","errorType":"execution","error":"boom"}`},
		{"not an API answer", queryFlags{output: "table"}, 200, "<html>hello</html>",
			`answer is not a Prometheus API response: <html>hello</html>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			var params url.Values
			srv := cannedServer(t, tt.status, tt.answer, &path, &params)
			f := tt.flags
			f.url, f.timeout = srv.URL, time.Minute
			var stdout, stderr bytes.Buffer
			err := runQuery(context.Background(), &f, "up", now, &stdout, &stderr)
			require.EqualError(t, err, tt.wantErr)
			require.Equal(t, tt.wantStdout, stdout.String())
		})
	}
}

func TestQueryJSON(t *testing.T) {
	var path string
	var params url.Values
	srv := cannedServer(t, 200, vectorAnswer, &path, &params)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"query", "--url", srv.URL, "-o", "json", "up"}, nil, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Equal(t, vectorAnswer, stdout.String())
	require.Equal(t, "/api/v1/query", path)
}

func TestQueryFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--time", "yesterday"}, `--time: invalid time "yesterday": want RFC 3339 (2025-01-02T15:04:05Z), Unix seconds (1735830245) or now-DURATION (now-1h)`},
		{[]string{"--start", "now-1h", "--end", "now-2h"}, "--start is after --end"},
		{[]string{"--step", "0"}, `--step: invalid step "0": want a positive duration (15s, 1m) or seconds (15)`},
		{[]string{"--time", "now", "--step", "1m"}, "--time is for instant queries; a range query takes --start, --end and --step"},
		{[]string{"-o", "yaml"}, `--output "yaml": want table or json`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		args := append([]string{"query", "--url", "http://127.0.0.1:1"}, tt.args...)
		code := run(context.Background(), append(args, "up"), nil, &stdout, &stderr)
		require.Equal(t, 2, code, "%v", tt.args)
		require.Equal(t, "vigil: "+tt.want+" (see \"vigil query --help\")\n", stderr.String(), "%v", tt.args)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"now", now},
		{"now-1h", now.Add(-time.Hour)},
		{"now+90s", now.Add(90 * time.Second)},
		{"now-1d", now.Add(-24 * time.Hour)},
		{"2025-01-02T15:04:05Z", time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"2025-01-02T16:04:05.123+01:00", time.Date(2025, 1, 2, 15, 4, 5, 123e6, time.UTC)},
		{"1735830245", time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"1735830245.5", time.Date(2025, 1, 2, 15, 4, 5, 500e6, time.UTC)},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in, now)
		require.NoError(t, err, tt.in)
		require.True(t, tt.want.Equal(got), "%s: got %v, want %v", tt.in, got, tt.want)
	}
	for _, bad := range []string{"", "now-", "now-1x", "tomorrow", "NaN", "+Inf", "2025-13-01T00:00:00Z"} {
		_, err := parseTime(bad, now)
		require.Error(t, err, bad)
	}
}

func TestParseRangeDefaults(t *testing.T) {
	r, err := parseRange("", "", "", now)
	require.NoError(t, err)
	require.Equal(t, queryRange{start: now.Add(-time.Hour), end: now, step: 14 * time.Second}, r)
	r, err = parseRange("now-1m", "", "", now)
	require.NoError(t, err)
	require.Equal(t, time.Second, r.step, "at least one second")
	r, err = parseRange("", "now-1h", "0.5", now)
	require.NoError(t, err)
	require.Equal(t, queryRange{start: now.Add(-2 * time.Hour), end: now.Add(-time.Hour), step: 500 * time.Millisecond}, r)
}
