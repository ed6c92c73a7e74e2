package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser/posrange"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/query"
)

// testData is loaded into the test store: samples every minute from 0 to
// 10m. Counters grow by 60/min (1/s) for a, 6/min for b, 120/min for c.
const testData = `
load 1m
	http_requests_total{job="api", instance="a", code="200"} 0+60x10
	http_requests_total{job="api", instance="b", code="500"} 0+6x10
	http_requests_total{job="web", instance="c", code="200"} 0+120x10
	up{job="api", instance="a"} 1x10
	up{job="web", instance="c"} 0x10
	odd{case="nan"} NaN
	odd{case="inf"} Inf
	odd{case="-inf"} -Inf
	odd{case="tiny"} 0.0000001
	odd{case="huge"} 1e21
	odd{case="<b>&"} 0.25
`

// testBuildInfo is served by the test API.
var testBuildInfo = BuildInfo{
	Version:   "0.1.0",
	Revision:  "abc123",
	Branch:    "main",
	BuildUser: "ci@vigil",
	BuildDate: "20260101-00:00:00",
	GoVersion: "go1.26.8",
}

// newServer serves the API over q (the test data when nil) on 127.0.0.1;
// "now" is 10 minutes after the epoch.
func newServer(t *testing.T, q storage.Queryable, opts query.Options) *httptest.Server {
	t.Helper()
	if q == nil {
		q = promqltest.LoadedStorage(t, testData)
	}
	a := New(query.New(q, opts), Options{
		BuildInfo: testBuildInfo,
		Now:       func() time.Time { return time.Unix(600, 0) },
	})
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// apiCase is one request and the exact answer expected.
type apiCase struct {
	name    string
	path    string
	params  string // URL-encoded: the query string of a GET, the body of a POST
	getOnly bool   // the endpoint answers GET only
	status  int
	body    string
}

// do sends the case as method and returns the status and body.
func (c apiCase) do(t *testing.T, srv *httptest.Server, method string) (int, string) {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequestWithContext(t.Context(), method, srv.URL+c.path+"?"+c.params, nil)
	} else {
		req, err = http.NewRequestWithContext(t.Context(), method, srv.URL+c.path, strings.NewReader(c.params))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	return resp.StatusCode, string(body)
}

// run checks every case with GET and, unless getOnly, with POST.
func run(t *testing.T, srv *httptest.Server, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		methods := []string{http.MethodGet, http.MethodPost}
		if c.getOnly {
			methods = methods[:1]
		}
		for _, m := range methods {
			t.Run(c.name+"/"+m, func(t *testing.T) {
				status, body := c.do(t, srv, m)
				require.Equal(t, c.body, body)
				require.Equal(t, c.status, status)
			})
		}
	}
}

// params encodes key-value pairs as a form.
func params(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func TestQuery(t *testing.T) {
	run(t, newServer(t, nil, query.Options{}), []apiCase{
		{name: "instant vector at now", path: "/api/v1/query", params: params("query", "sort_desc(up)"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a","job":"api"},"value":[600,"1"]},{"metric":{"__name__":"up","instance":"c","job":"web"},"value":[600,"0"]}]}}`},
		{name: "rfc3339 time", path: "/api/v1/query", params: params("query", `up{job="api"}`, "time", "1970-01-01T00:09:30.5Z"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a","job":"api"},"value":[570.500,"1"]}]}}`},
		{name: "regex matcher", path: "/api/v1/query", params: params("query", `up{job=~"w.+"}`, "time", "600"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"c","job":"web"},"value":[600,"0"]}]}}`},
		{name: "rate", path: "/api/v1/query", params: params("query", `rate(http_requests_total{instance="b"}[5m])`, "time", "600"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"code":"500","instance":"b","job":"api"},"value":[600,"0.1"]}]}}`},
		{name: "sum by", path: "/api/v1/query", params: params("query", `sort(sum by (job) (rate(http_requests_total[5m])))`, "time", "600"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[600,"1.1"]},{"metric":{"job":"web"},"value":[600,"2"]}]}}`},
		{name: "scalar", path: "/api/v1/query", params: params("query", "time()", "time", "1435781451.781"), status: 200,
			body: `{"status":"success","data":{"resultType":"scalar","result":[1435781451.781,"1435781451.781"]}}`},
		{name: "scalar keeps float timestamps", path: "/api/v1/query", params: params("query", "2 * 0.25", "time", "1.5"), status: 200,
			body: `{"status":"success","data":{"resultType":"scalar","result":[1.5,"0.5"]}}`},
		{name: "vector keeps three decimals", path: "/api/v1/query", params: params("query", "vector(1)", "time", "1.5"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.500,"1"]}]}}`},
		{name: "string", path: "/api/v1/query", params: params("query", `"hello <world>"`, "time", "600"), status: 200,
			body: `{"status":"success","data":{"resultType":"string","result":[600,"hello \u003cworld\u003e"]}}`},
		{name: "range selector", path: "/api/v1/query", params: params("query", `http_requests_total{instance="b"}[2m]`, "time", "600"), status: 200,
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http_requests_total","code":"500","instance":"b","job":"api"},"values":[[540,"54"],[600,"60"]]}]}}`},
		{name: "odd values", path: "/api/v1/query", params: params("query", `sort(odd)`, "time", "60"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[` +
				`{"metric":{"__name__":"odd","case":"-inf"},"value":[60,"-Inf"]},` +
				`{"metric":{"__name__":"odd","case":"tiny"},"value":[60,"1e-07"]},` +
				`{"metric":{"__name__":"odd","case":"<b>&"},"value":[60,"0.25"]},` +
				`{"metric":{"__name__":"odd","case":"huge"},"value":[60,"1e+21"]},` +
				`{"metric":{"__name__":"odd","case":"inf"},"value":[60,"+Inf"]},` +
				`{"metric":{"__name__":"odd","case":"nan"},"value":[60,"NaN"]}]}}`},
		{name: "empty result", path: "/api/v1/query", params: params("query", `nothing`), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[]}}`},
		{name: "limit", path: "/api/v1/query", params: params("query", "sort_desc(up)", "limit", "1"), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a","job":"api"},"value":[600,"1"]}]},"warnings":["results truncated due to limit"]}`},
		{name: "info annotation", path: "/api/v1/query", params: params("query", `rate(up{job="api"}[5m])`), status: 200,
			body: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"a","job":"api"},"value":[600,"0"]}]},"infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:6)"]}`},
	})
}

func TestQueryRange(t *testing.T) {
	run(t, newServer(t, nil, query.Options{}), []apiCase{
		{name: "rate matrix", path: "/api/v1/query_range",
			params: params("query", `sum by (job) (rate(http_requests_total{job="api"}[5m]))`, "start", "480", "end", "600", "step", "60"), status: 200,
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"api"},"values":[[480,"1.1"],[540,"1.1"],[600,"1.1"]]}]}}`},
		{name: "step as duration and rfc3339", path: "/api/v1/query_range",
			params: params("query", `up`, "start", "1970-01-01T00:09:00Z", "end", "1970-01-01T00:10:00Z", "step", "1m"), status: 200,
			body: `{"status":"success","data":{"resultType":"matrix","result":[` +
				`{"metric":{"__name__":"up","instance":"a","job":"api"},"values":[[540,"1"],[600,"1"]]},` +
				`{"metric":{"__name__":"up","instance":"c","job":"web"},"values":[[540,"0"],[600,"0"]]}]}}`},
		{name: "fractional step", path: "/api/v1/query_range",
			params: params("query", `vector(1)`, "start", "0", "end", "1", "step", "0.5"), status: 200,
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0,"1"],[0.500,"1"],[1,"1"]]}]}}`},
		{name: "scalar", path: "/api/v1/query_range",
			params: params("query", `1`, "start", "0", "end", "60", "step", "60"), status: 200,
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0,"1"],[60,"1"]]}]}}`},
		{name: "limit", path: "/api/v1/query_range",
			params: params("query", `up`, "start", "600", "end", "600", "step", "60", "limit", "1"), status: 200,
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"a","job":"api"},"values":[[600,"1"]]}]},"warnings":["results truncated due to limit"]}`},
	})
}

func TestQueryRangeMaxPoints(t *testing.T) {
	srv := newServer(t, nil, query.Options{})
	c := apiCase{path: "/api/v1/query_range", params: params("query", `1`, "start", "0", "end", "11000", "step", "1")}
	status, body := c.do(t, srv, http.MethodGet)
	require.Equal(t, http.StatusOK, status)
	var resp struct {
		Data struct {
			Result []struct {
				Values [][2]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &resp))
	require.Len(t, resp.Data.Result, 1)
	require.Len(t, resp.Data.Result[0].Values, 11001)
	require.Equal(t, [2]any{11000.0, "1"}, resp.Data.Result[0].Values[11000])
}

func TestMetadataEndpoints(t *testing.T) {
	run(t, newServer(t, nil, query.Options{}), []apiCase{
		{name: "series", path: "/api/v1/series", params: params("match[]", "up"), status: 200,
			body: `{"status":"success","data":[{"__name__":"up","instance":"a","job":"api"},{"__name__":"up","instance":"c","job":"web"}]}`},
		{name: "series union in range", path: "/api/v1/series",
			params: params("match[]", `up{job="web"}`, "match[]", `{code="500"}`, "start", "0", "end", "600"), status: 200,
			body: `{"status":"success","data":[{"__name__":"http_requests_total","code":"500","instance":"b","job":"api"},{"__name__":"up","instance":"c","job":"web"}]}`},
		{name: "series out of range", path: "/api/v1/series", params: params("match[]", "up", "start", "3600"), status: 200,
			body: `{"status":"success","data":[]}`},
		{name: "series keeps html", path: "/api/v1/series", params: params("match[]", `odd{case=~"<.*"}`), status: 200,
			body: `{"status":"success","data":[{"__name__":"odd","case":"<b>&"}]}`},
		{name: "series limit", path: "/api/v1/series", params: params("match[]", "up", "limit", "1"), status: 200,
			body: `{"status":"success","data":[{"__name__":"up","instance":"a","job":"api"}],"warnings":["results truncated due to limit"]}`},
		{name: "labels", path: "/api/v1/labels", status: 200,
			body: `{"status":"success","data":["__name__","case","code","instance","job"]}`},
		{name: "labels matched", path: "/api/v1/labels", params: params("match[]", "up"), status: 200,
			body: `{"status":"success","data":["__name__","instance","job"]}`},
		{name: "labels limit", path: "/api/v1/labels", params: params("limit", "2"), status: 200,
			body: `{"status":"success","data":["__name__","case"],"warnings":["results truncated due to limit"]}`},
		{name: "label values", path: "/api/v1/label/job/values", getOnly: true, status: 200,
			body: `{"status":"success","data":["api","web"]}`},
		{name: "label values matched", path: "/api/v1/label/instance/values", params: params("match[]", "up"), getOnly: true, status: 200,
			body: `{"status":"success","data":["a","c"]}`},
		{name: "label values escape html", path: "/api/v1/label/case/values", params: params("match[]", `odd{case=~"<.*|nan"}`), getOnly: true, status: 200,
			body: `{"status":"success","data":["\u003cb\u003e\u0026","nan"]}`},
		{name: "label values escaped name", path: "/api/v1/label/U__job/values", getOnly: true, status: 200,
			body: `{"status":"success","data":["api","web"]}`},
		{name: "label values unknown", path: "/api/v1/label/zone/values", getOnly: true, status: 200,
			body: `{"status":"success","data":[]}`},
		{name: "buildinfo", path: "/api/v1/status/buildinfo", getOnly: true, status: 200,
			body: `{"status":"success","data":{"version":"0.1.0","revision":"abc123","branch":"main","buildUser":"ci@vigil","buildDate":"20260101-00:00:00","goVersion":"go1.26.8"}}`},
		{name: "metadata", path: "/api/v1/metadata", getOnly: true, status: 200,
			body: `{"status":"success","data":{}}`},
		{name: "exemplars", path: "/api/v1/query_exemplars", params: params("query", "up", "start", "0", "end", "600"), status: 200,
			body: `{"status":"success","data":[]}`},
	})
}

func TestErrors(t *testing.T) {
	run(t, newServer(t, nil, query.Options{}), []apiCase{
		{name: "bad expression", path: "/api/v1/query", params: params("query", "up{"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error: unexpected end of input inside braces"}`},
		{name: "missing expression", path: "/api/v1/query", status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": unknown position: parse error: no expression found in input"}`},
		{name: "bad form", path: "/api/v1/query", params: "query=%zz", status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"error parsing form values: invalid URL escape \"%zz\""}`},
		{name: "bad time", path: "/api/v1/query", params: params("query", "up", "time", "yesterday"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp"}`},
		{name: "bad limit", path: "/api/v1/query", params: params("query", "up", "limit", "-1"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": limit must be non-negative"}`},
		{name: "bad timeout", path: "/api/v1/query", params: params("query", "up", "timeout", "-1"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": timeout must be positive, got -1s"}`},
		{name: "unparsable timeout", path: "/api/v1/query", params: params("query", "up", "timeout", "soon"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration"}`},
		{name: "execution", path: "/api/v1/query", params: params("query", "up + on(job) http_requests_total"), status: 422,
			body: `{"status":"error","errorType":"execution","error":"found duplicate series for the match group {job=\"api\"} on the right hand-side of the operation: [{__name__=\"http_requests_total\", code=\"200\", instance=\"a\", job=\"api\"}, {__name__=\"http_requests_total\", code=\"500\", instance=\"b\", job=\"api\"}];many-to-many matching not allowed: matching labels must be unique on one side"}`},
		{name: "range missing start", path: "/api/v1/query_range", params: params("query", "up", "end", "600", "step", "60"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"\" to a valid timestamp"}`},
		{name: "range bad end", path: "/api/v1/query_range", params: params("query", "up", "start", "0", "end", "later", "step", "60"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": cannot parse \"later\" to a valid timestamp"}`},
		{name: "end before start", path: "/api/v1/query_range", params: params("query", "up", "start", "600", "end", "0", "step", "60"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"}`},
		{name: "bad step", path: "/api/v1/query_range", params: params("query", "up", "start", "0", "end", "600", "step", "often"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": cannot parse \"often\" to a valid duration"}`},
		{name: "zero step", path: "/api/v1/query_range", params: params("query", "up", "start", "0", "end", "600", "step", "0"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"}`},
		{name: "step too small", path: "/api/v1/query_range", params: params("query", "up", "start", "0", "end", "11001", "step", "1"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}`},
		{name: "range vector in range query", path: "/api/v1/query_range", params: params("query", "up[5m]", "start", "0", "end", "600", "step", "60"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}`},
		{name: "series without match", path: "/api/v1/series", params: params("start", "0"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"no match[] parameter provided"}`},
		{name: "series bad match", path: "/api/v1/series", params: params("match[]", "up{"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": 1:4: parse error: unexpected end of input inside braces"}`},
		{name: "series empty matcher", path: "/api/v1/series", params: params("match[]", `{job=~".*"}`), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"match[]\": match[] must contain at least one non-empty matcher"}`},
		{name: "series bad start", path: "/api/v1/series", params: params("match[]", "up", "start", "x"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a valid timestamp"}`},
		{name: "labels bad match", path: "/api/v1/labels", params: params("match[]", "up{"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input inside braces"}`},
		{name: "labels bad end", path: "/api/v1/labels", params: params("end", "x"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": invalid time value for 'end': cannot parse \"x\" to a valid timestamp"}`},
		{name: "labels bad limit", path: "/api/v1/labels", params: params("limit", "many"), status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": strconv.Atoi: parsing \"many\": invalid syntax"}`},
		{name: "invalid label name", path: "/api/v1/label/%FF/values", getOnly: true, status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"invalid label name: \"\\xff\""}`},
		{name: "label values empty matcher", path: "/api/v1/label/job/values", params: params("match[]", `{job=""}`), getOnly: true, status: 400,
			body: `{"status":"error","errorType":"bad_data","error":"match[] must contain at least one non-empty matcher"}`},
	})
}

func TestEngineErrors(t *testing.T) {
	t.Run("too many samples", func(t *testing.T) {
		run(t, newServer(t, nil, query.Options{MaxSamples: 2}), []apiCase{
			{name: "query", path: "/api/v1/query", params: params("query", "http_requests_total"), status: 422,
				body: `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}`},
		})
	})
	t.Run("timeout", func(t *testing.T) {
		run(t, newServer(t, blockingStore{}, query.Options{}), []apiCase{
			{name: "query parameter", path: "/api/v1/query", params: params("query", "up", "timeout", "0.001"), status: 503,
				body: `{"status":"error","errorType":"timeout","error":"expanding series: context deadline exceeded"}`},
			{name: "range parameter", path: "/api/v1/query_range", params: params("query", "up", "start", "0", "end", "60", "step", "15s", "timeout", "1ms"), status: 503,
				body: `{"status":"error","errorType":"timeout","error":"expanding series: context deadline exceeded"}`},
		})
		run(t, newServer(t, blockingStore{}, query.Options{Timeout: time.Millisecond}), []apiCase{
			{name: "engine timeout", path: "/api/v1/query", params: params("query", "up"), status: 503,
				body: `{"status":"error","errorType":"timeout","error":"expanding series: context deadline exceeded"}`},
			{name: "series", path: "/api/v1/series", params: params("match[]", "up"), status: 503,
				body: `{"status":"error","errorType":"timeout","error":"context deadline exceeded"}`},
		})
	})
	t.Run("storage failure", func(t *testing.T) {
		run(t, newServer(t, failingStore{}, query.Options{}), []apiCase{
			{name: "query", path: "/api/v1/query", params: params("query", "up"), status: 500,
				body: `{"status":"error","errorType":"internal","error":"expanding series: disk on fire"}`},
			{name: "series", path: "/api/v1/series", params: params("match[]", "up"), status: 500,
				body: `{"status":"error","errorType":"internal","error":"disk on fire"}`},
			{name: "label values", path: "/api/v1/label/job/values", getOnly: true, status: 500,
				body: `{"status":"error","errorType":"internal","error":"disk on fire"}`},
		})
	})
}

func TestMethodNotAllowed(t *testing.T) {
	srv := newServer(t, nil, query.Options{})
	resp, err := srv.Client().Post(srv.URL+"/api/v1/label/job/values", "application/x-www-form-urlencoded", nil)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
}

func TestRespondError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"api error", &Error{Type: ErrorNotFound, Err: errors.New("no such rule")}, 404,
			`{"status":"error","errorType":"not_found","error":"no such rule"}`},
		{"wrapped api error", errors.Join(&Error{Type: ErrorUnavailable, Err: errors.New("not ready")}), 500,
			`{"status":"error","errorType":"unavailable","error":"not ready"}`},
		{"canceled", &query.Error{Kind: query.ErrCanceled, Err: context.Canceled}, 499,
			`{"status":"error","errorType":"canceled","error":"context canceled"}`},
		{"timeout", &query.Error{Kind: query.ErrTimeout, Err: context.DeadlineExceeded}, 503,
			`{"status":"error","errorType":"timeout","error":"context deadline exceeded"}`},
		{"too many samples", &query.Error{Kind: query.ErrTooManySamples, Err: errors.New("too many")}, 422,
			`{"status":"error","errorType":"execution","error":"too many"}`},
		{"bad query", &query.Error{Kind: query.ErrBadQuery, Err: errors.New("bad")}, 400,
			`{"status":"error","errorType":"bad_data","error":"bad"}`},
		{"other", errors.New("<oops>"), 500,
			`{"status":"error","errorType":"internal","error":"\u003coops\u003e"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			require.NoError(t, RespondError(w, tc.err))
			require.Equal(t, tc.status, w.Code)
			require.Equal(t, "application/json", w.Header().Get("Content-Type"))
			require.Equal(t, tc.body, w.Body.String())
		})
	}
}

func TestRespond(t *testing.T) {
	w := httptest.NewRecorder()
	data := map[string]any{"groups": []string{"a<b"}}
	require.NoError(t, Respond(w, data, []string{"w1"}, []string{"i1", "i2"}))
	require.Equal(t, 200, w.Code)
	require.Equal(t, `{"status":"success","data":{"groups":["a\u003cb"]},"warnings":["w1"],"infos":["i1","i2"]}`, w.Body.String())

	w = httptest.NewRecorder()
	require.NoError(t, Respond(w, nil, nil, nil))
	require.Equal(t, `{"status":"success"}`, w.Body.String())

	w = httptest.NewRecorder()
	require.Error(t, Respond(w, func() {}, nil, nil))
	require.Equal(t, 500, w.Code)
}

func TestNotesSortedAndCapped(t *testing.T) {
	var ws annotations.Annotations
	for _, s := range []string{"l", "k", "j", "i", "h", "g", "f", "e", "d", "c", "b", "a"} {
		ws.Add(errors.New(s))
	}
	ws.Add(annotations.NewPossibleNonCounterInfo("up", posrange.PositionRange{}))
	warnings, infos := notes(ws, "")
	require.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "2 more warning annotations omitted"}, warnings)
	require.Equal(t, []string{`PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up"`}, infos)
}

// failingStore is a store whose every read fails with "disk on fire".
type failingStore struct{}

func (failingStore) Querier(int64, int64) (storage.Querier, error) { return failingQuerier{}, nil }

// failingQuerier answers every read with "disk on fire".
type failingQuerier struct{}

func (failingQuerier) Select(context.Context, bool, *storage.SelectHints, ...*labels.Matcher) storage.SeriesSet {
	return storage.ErrSeriesSet(errors.New("disk on fire"))
}

func (failingQuerier) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, errors.New("disk on fire")
}

func (failingQuerier) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, errors.New("disk on fire")
}

func (failingQuerier) Close() error { return nil }

// blockingStore is a store whose selects wait for their context to end.
type blockingStore struct{}

func (blockingStore) Querier(int64, int64) (storage.Querier, error) { return blockingQuerier{}, nil }

// blockingQuerier selects series sets that block until the context ends.
type blockingQuerier struct{ failingQuerier }

func (blockingQuerier) Select(ctx context.Context, _ bool, _ *storage.SelectHints, _ ...*labels.Matcher) storage.SeriesSet {
	return blockingSet{ctx: ctx}
}

// blockingSet is empty, but only says so once its context has ended.
type blockingSet struct{ ctx context.Context }

func (s blockingSet) Next() bool                      { <-s.ctx.Done(); return false }
func (blockingSet) At() storage.Series                { return nil }
func (s blockingSet) Err() error                      { return s.ctx.Err() }
func (blockingSet) Warnings() annotations.Annotations { return nil }
