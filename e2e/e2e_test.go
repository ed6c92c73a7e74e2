package e2e

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
)

// The data of TestPushAndQuery, on a 10 s grid from t0 for 10 minutes
// (i = 0..60), chosen so every answer is known by hand:
//
//	e2e_requests_total{job="api",instance="a1"}  10*i  → rate 1/s
//	e2e_requests_total{job="api",instance="a2"}  20*i  → rate 2/s
//	e2e_requests_total{job="db", instance="b1"}  40*i  → rate 4/s
//	e2e_temperature{job="api",instance="a1"}     i
//	e2e_temperature{job="api",instance="a2"}     19.25
//	e2e_temperature{job="db", instance="b1"}     -3.5
//
// pushed with remote write, plus a few samples in the text format.
const (
	gridStep  = 10_000 // ms
	gridSteps = 60
)

// testStart returns a base timestamp on a whole minute, 30 minutes ago: well
// inside any retention and head window.
func testStart() int64 {
	return time.Now().Truncate(time.Minute).Add(-30 * time.Minute).UnixMilli()
}

// sortedLabels builds prompb labels from a metric name and name/value pairs,
// sorted by name as remote write requires.
func sortedLabels(name string, pairs ...string) []prompb.Label {
	ls := []prompb.Label{{Name: "__name__", Value: name}}
	for i := 0; i+1 < len(pairs); i += 2 {
		ls = append(ls, prompb.Label{Name: pairs[i], Value: pairs[i+1]})
	}
	slices.SortFunc(ls, func(a, b prompb.Label) int { return strings.Compare(a.Name, b.Name) })
	return ls
}

// gridSeries is one series with value f(i) at t0 + i*gridStep, i = 0..gridSteps.
func gridSeries(t0 int64, ls []prompb.Label, f func(i int) float64) prompb.TimeSeries {
	ts := prompb.TimeSeries{Labels: ls}
	for i := 0; i <= gridSteps; i++ {
		ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: t0 + int64(i)*gridStep, Value: f(i)})
	}
	return ts
}

func e2eWriteRequest(t0 int64) *prompb.WriteRequest {
	scaled := func(k float64) func(int) float64 { return func(i int) float64 { return k * float64(i) } }
	constant := func(v float64) func(int) float64 { return func(int) float64 { return v } }
	return &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		gridSeries(t0, sortedLabels("e2e_requests_total", "job", "api", "instance", "a1"), scaled(10)),
		gridSeries(t0, sortedLabels("e2e_requests_total", "job", "api", "instance", "a2"), scaled(20)),
		gridSeries(t0, sortedLabels("e2e_requests_total", "job", "db", "instance", "b1"), scaled(40)),
		gridSeries(t0, sortedLabels("e2e_temperature", "job", "api", "instance", "a1"), scaled(1)),
		gridSeries(t0, sortedLabels("e2e_temperature", "job", "api", "instance", "a2"), constant(19.25)),
		gridSeries(t0, sortedLabels("e2e_temperature", "job", "db", "instance", "b1"), constant(-3.5)),
	}}
}

const e2eRemoteWriteSamples = 6 * (gridSteps + 1)

// e2eText is the text-format push with timestamps (t0-relative, filled in
// by fmt), in arbitrary label order and with comments.
const e2eText = `# HELP e2e_text_gauge A gauge pushed as text.
# TYPE e2e_text_gauge gauge
e2e_text_gauge{job="text",instance="t1"} 42 %d
e2e_text_gauge{instance="t2",job="text"} 1.5e3 %d
`

// queryCheck is one query with its exact expected answer in the format of
// queryResult.format, timestamps in seconds after t0.
type queryCheck struct {
	expr       string
	at         int64 // instant query time, seconds after t0
	start, end int64 // range query bounds, seconds after t0
	step       time.Duration
	want       string
}

// e2eChecks are the answers TestPushAndQuery expects, before and after a
// restart.
var e2eChecks = []queryCheck{
	{expr: `e2e_requests_total`, at: 300, want: `vector
{__name__="e2e_requests_total", instance="a1", job="api"} 300@300
{__name__="e2e_requests_total", instance="a2", job="api"} 600@300
{__name__="e2e_requests_total", instance="b1", job="db"} 1200@300`},
	{expr: `rate(e2e_requests_total[1m])`, at: 300, want: `vector
{instance="a1", job="api"} 1@300
{instance="a2", job="api"} 2@300
{instance="b1", job="db"} 4@300`},
	{expr: `sum by (job) (rate(e2e_requests_total[1m]))`, at: 300, want: `vector
{job="api"} 3@300
{job="db"} 4@300`},
	{expr: `increase(e2e_requests_total{job="db"}[5m])`, at: 600, want: `vector
{instance="b1", job="db"} 1200@600`},
	{expr: `e2e_temperature{instance=~"a.*"}`, at: 300, want: `vector
{__name__="e2e_temperature", instance="a1", job="api"} 30@300
{__name__="e2e_temperature", instance="a2", job="api"} 19.25@300`},
	{expr: `{instance=~"a.*"}`, at: 305, want: `vector
{__name__="e2e_requests_total", instance="a1", job="api"} 300@305
{__name__="e2e_requests_total", instance="a2", job="api"} 600@305
{__name__="e2e_temperature", instance="a1", job="api"} 30@305
{__name__="e2e_temperature", instance="a2", job="api"} 19.25@305`},
	{expr: `e2e_temperature{job!="api"}`, at: 300, want: `vector
{__name__="e2e_temperature", instance="b1", job="db"} -3.5@300`},
	{expr: `sum(e2e_temperature)`, at: 300, want: `vector
{} 45.75@300`},
	{expr: `scalar(sum(e2e_requests_total))`, at: 300, want: `scalar
{} 2100@300`},
	{expr: `e2e_requests_total{instance="b1"}[30s]`, at: 300, want: `matrix
{__name__="e2e_requests_total", instance="b1", job="db"} 1120@280 1160@290 1200@300`},
	{expr: `e2e_text_gauge[1h]`, at: 300, want: `matrix
{__name__="e2e_text_gauge", instance="t1", job="text"} 42@30
{__name__="e2e_text_gauge", instance="t2", job="text"} 1500@40`},
	{expr: `rate(e2e_requests_total{instance="a1"}[1m])`, start: 60, end: 300, step: time.Minute, want: `matrix
{instance="a1", job="api"} 1@60 1@120 1@180 1@240 1@300`},
	{expr: `e2e_temperature{instance="a1"}`, start: 15, end: 55, step: 20 * time.Second, want: `matrix
{__name__="e2e_temperature", instance="a1", job="api"} 1@15 3@35 5@55`},
	{expr: `sum by (job) (e2e_requests_total)`, start: 0, end: 20, step: 10 * time.Second, want: `matrix
{job="api"} 0@0 30@10 60@20
{job="db"} 0@0 40@10 80@20`},
	{expr: `e2e_text_gauge`, start: 20, end: 50, step: 10 * time.Second, want: `matrix
{__name__="e2e_text_gauge", instance="t1", job="text"} 42@30 42@40 42@50
{__name__="e2e_text_gauge", instance="t2", job="text"} 1500@40 1500@50`},
}

// runChecks runs each check against api and compares the answers exactly.
func runChecks(t *testing.T, api *promAPI, t0 int64, checks []queryCheck) {
	t.Helper()
	for _, c := range checks {
		var res *queryResult
		var err error
		if c.step == 0 {
			res, err = api.query(c.expr, t0+c.at*1000)
		} else {
			res, err = api.queryRange(c.expr, t0+c.start*1000, t0+c.end*1000, c.step)
		}
		if err != nil {
			t.Errorf("query %q: %v", c.expr, err)
			continue
		}
		if got := res.format(t0, false); got != c.want {
			t.Errorf("query %q (at %d, range %d..%d step %v):\n got: %s\nwant: %s", c.expr, c.at, c.start, c.end, c.step, got, c.want)
		}
	}
}

func mustPush(t *testing.T, what string, r pushResult, err error, want int) pushResult {
	t.Helper()
	if err != nil {
		t.Fatalf("push %s: %v", what, err)
	}
	if r.Status != want {
		t.Fatalf("push %s: got %s, want status %d", what, r, want)
	}
	return r
}

// TestPushAndQuery pushes with both formats, checks exact answers of every
// read endpoint, restarts gracefully and checks them again.
func TestPushAndQuery(t *testing.T) {
	t0 := testStart()
	v := startVigil(t, vigilOptions{})

	r, err := v.api.pushRemoteWrite(e2eWriteRequest(t0))
	r = mustPush(t, "remote write", r, err, http.StatusNoContent)
	if got := r.Header.Get("X-Prometheus-Remote-Write-Samples-Written"); got != strconv.Itoa(e2eRemoteWriteSamples) {
		t.Errorf("X-Prometheus-Remote-Write-Samples-Written = %q, want %d", got, e2eRemoteWriteSamples)
	}
	r, err = v.api.pushText(fmt.Sprintf(e2eText, t0+30_000, t0+40_000))
	mustPush(t, "text with timestamps", r, err, http.StatusNoContent)
	now := pushTextNow(t, v.api)

	runChecks(t, v.api, t0, e2eChecks)
	checkMetadata(t, v.api, t0)
	checkArrivalTime(t, v.api, now)
	checkIngestMetrics(t, v.api, e2eRemoteWriteSamples+3)

	v.stop()
	v.start()
	runChecks(t, v.api, t0, e2eChecks)
	checkMetadata(t, v.api, t0)
	checkArrivalTime(t, v.api, now)
}

// arrival records a text push without timestamps: the sample must carry a
// server arrival time within [before, after].
type arrival struct{ before, after int64 }

func pushTextNow(t *testing.T, api *promAPI) arrival {
	t.Helper()
	a := arrival{before: time.Now().UnixMilli()}
	r, err := api.pushText("# TYPE e2e_text_now gauge\ne2e_text_now{job=\"text\"} 7\n")
	mustPush(t, "text without timestamps", r, err, http.StatusNoContent)
	a.after = time.Now().UnixMilli()
	return a
}

func checkArrivalTime(t *testing.T, api *promAPI, a arrival) {
	t.Helper()
	res, err := api.query(`e2e_text_now[10m]`, a.after)
	if err != nil {
		t.Fatalf("query e2e_text_now: %v", err)
	}
	if len(res.Series) != 1 || len(res.Series[0].Points) != 1 {
		t.Fatalf("e2e_text_now[10m]: got %s, want one sample", res.format(0, false))
	}
	p := res.Series[0].Points[0]
	if p.V != "7" || p.T < a.before || p.T > a.after {
		t.Errorf("e2e_text_now: got %s@%d, want 7 at a time in [%d, %d]", p.V, p.T, a.before, a.after)
	}
}

// checkMetadata checks the series, labels and label values endpoints.
func checkMetadata(t *testing.T, api *promAPI, t0 int64) {
	t.Helper()
	series, err := api.series([]string{"e2e_requests_total", `{instance=~"t.*"}`}, t0, t0+600_000)
	if err != nil {
		t.Fatalf("series: %v", err)
	}
	var got []string
	for _, s := range series {
		got = append(got, metricString(s))
	}
	slices.Sort(got)
	wantSeries := []string{
		`{__name__="e2e_requests_total", instance="a1", job="api"}`,
		`{__name__="e2e_requests_total", instance="a2", job="api"}`,
		`{__name__="e2e_requests_total", instance="b1", job="db"}`,
		`{__name__="e2e_text_gauge", instance="t1", job="text"}`,
		`{__name__="e2e_text_gauge", instance="t2", job="text"}`,
	}
	if !slices.Equal(got, wantSeries) {
		t.Errorf("series:\n got %q\nwant %q", got, wantSeries)
	}
	checkList(t, "labels", func() ([]string, error) { return api.labelNames() },
		[]string{"__name__", "instance", "job"})
	checkList(t, "label job values", func() ([]string, error) { return api.labelValues("job") },
		[]string{"api", "db", "text"})
	checkList(t, "label __name__ values", func() ([]string, error) { return api.labelValues("__name__") },
		[]string{"e2e_requests_total", "e2e_temperature", "e2e_text_gauge", "e2e_text_now"})
}

// checkList requires get to return exactly want, in order (the API sorts).
func checkList(t *testing.T, what string, get func() ([]string, error), want []string) {
	t.Helper()
	got, err := get()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// ingestedSamplesMetric is the counter of samples Vigil stored, across both
// push formats.
const ingestedSamplesMetric = "vigil_ingest_samples_total"

// checkIngestMetrics requires /metrics to report want ingested samples.
func checkIngestMetrics(t *testing.T, api *promAPI, want int) {
	t.Helper()
	resp, err := api.client.Get(api.base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	var sum float64
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, ingestedSamplesMetric+" ") || strings.HasPrefix(line, ingestedSamplesMetric+"{") {
			lines = append(lines, line)
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	if sum != float64(want) {
		t.Errorf("/metrics %s: got %v (lines %q), want %d", ingestedSamplesMetric, sum, lines, want)
	}
}

// badInput is a request that must be refused with 400, storing nothing.
type badInput struct {
	name    string
	rw      *prompb.WriteRequest // remote write; else body
	raw     []byte               // remote write body sent as is
	text    string               // text format
	mention string               // what the error message must name
}

func badInputs(t0 int64) []badInput {
	good := func(n string) prompb.TimeSeries {
		return prompb.TimeSeries{Labels: sortedLabels("e2e_bad_good", "case", n),
			Samples: []prompb.Sample{{Timestamp: t0, Value: 1}}}
	}
	bad := func(ls ...prompb.Label) prompb.TimeSeries {
		return prompb.TimeSeries{Labels: ls, Samples: []prompb.Sample{{Timestamp: t0, Value: 1}}}
	}
	rw := func(n string, s prompb.TimeSeries) *prompb.WriteRequest {
		return &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{good(n), s}}
	}
	return []badInput{
		{name: "rw not snappy", raw: []byte("this is not snappy")},
		{name: "rw not protobuf", raw: snappy.Encode(nil, []byte{0xff, 0xff, 0xff, 0xff, 0x0f})},
		{name: "rw duplicate label", mention: "e2e_bad_dup", rw: rw("dup", bad(
			prompb.Label{Name: "__name__", Value: "e2e_bad_dup"},
			prompb.Label{Name: "job", Value: "a"}, prompb.Label{Name: "job", Value: "b"}))},
		{name: "rw empty label name", mention: "e2e_bad_emptyname", rw: rw("empty", bad(
			prompb.Label{Name: "", Value: "x"},
			prompb.Label{Name: "__name__", Value: "e2e_bad_emptyname"}))},
		{name: "rw invalid utf-8 value", mention: "e2e_bad_utf8value", rw: rw("utf8", bad(
			prompb.Label{Name: "__name__", Value: "e2e_bad_utf8value"},
			prompb.Label{Name: "job", Value: "\xff\xfe"}))},
		{name: "text syntax", mention: "line 2",
			text: fmt.Sprintf("e2e_bad_text_ok 1 %d\ne2e_bad_text_syntax{job=\"a\" 2\n", t0)},
		{name: "text value", mention: "line 1", text: "e2e_bad_text_value{job=\"a\"} one\n"},
		{name: "text timestamp", mention: "line 3",
			text: fmt.Sprintf("e2e_bad_text_ok 1 %d\n\ne2e_bad_text_ts 1 12x\n", t0)},
		{name: "text duplicate label", mention: "line 2",
			text: fmt.Sprintf("e2e_bad_text_ok 1 %d\ne2e_bad_text_dup{job=\"a\",job=\"b\"} 1\n", t0)},
		{name: "text invalid utf-8", mention: "line 1", text: "e2e_bad_text_utf8{job=\"\xff\"} 1\n"},
	}
}

func (b badInput) push(api *promAPI) (pushResult, error) {
	switch {
	case b.rw != nil:
		return api.pushRemoteWrite(b.rw)
	case b.raw != nil:
		return api.pushRemoteWriteBody(b.raw)
	}
	return api.pushText(b.text)
}

// TestBadInput sends invalid requests: each gets 400 with a message naming
// the problem, and nothing of any of them is stored.
func TestBadInput(t *testing.T) {
	t0 := testStart()
	v := startVigil(t, vigilOptions{})
	for _, b := range badInputs(t0) {
		r, err := b.push(v.api)
		t.Logf("%s: %s", b.name, r)
		switch {
		case err != nil:
			t.Errorf("%s: %v", b.name, err)
		case r.Status != http.StatusBadRequest:
			t.Errorf("%s: got %s, want 400", b.name, r)
		case r.Body == "":
			t.Errorf("%s: 400 without a message", b.name)
		case !strings.Contains(strings.ToLower(r.Body), b.mention):
			t.Errorf("%s: message %q does not name %q", b.name, r.Body, b.mention)
		}
	}
	series, err := v.api.series([]string{`{__name__=~"e2e_bad.*"}`}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 0 {
		t.Errorf("bad requests stored series: %v", series)
	}
	checkList(t, "labels", func() ([]string, error) { return v.api.labelNames() }, []string{})
}

// TestBodyLimit requires 413 past ingest.max_body_bytes for both formats,
// with nothing stored, and normal service below the limit.
func TestBodyLimit(t *testing.T) {
	const limit = 2048
	t0 := testStart()
	v := startVigil(t, vigilOptions{Config: fmt.Sprintf("storage:\n  wal_sync: always\ningest:\n  max_body_bytes: %d\nlog:\n  level: warn\n", limit)})

	var text strings.Builder
	for i := 0; text.Len() <= limit; i++ {
		fmt.Fprintf(&text, "e2e_big_text{i=\"%d\"} %d %d\n", i, i, t0)
	}
	r, err := v.api.pushText(text.String())
	mustPush(t, "big text", r, err, http.StatusRequestEntityTooLarge)

	rng := rand.New(rand.NewPCG(1, 2))
	ts := prompb.TimeSeries{Labels: sortedLabels("e2e_big_rw")}
	for i := range 300 {
		ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: t0 + int64(i), Value: rng.Float64()})
	}
	raw, err := (&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{ts}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	body := snappy.Encode(nil, raw)
	if len(body) <= limit {
		t.Fatalf("test bug: remote-write body of %d bytes is not over the limit", len(body))
	}
	r, err = v.api.pushRemoteWriteBody(body)
	mustPush(t, "big remote write", r, err, http.StatusRequestEntityTooLarge)

	r, err = v.api.pushText(fmt.Sprintf("e2e_small 1 %d\n", t0))
	mustPush(t, "small text", r, err, http.StatusNoContent)
	runChecks(t, v.api, t0, []queryCheck{{expr: `{__name__=~"e2e_.*"}[1h]`, at: 60, want: `matrix
{__name__="e2e_small"} 1@0`}})
}

func rwSeries(t0 int64, job string, pts ...float64) prompb.TimeSeries {
	ts := prompb.TimeSeries{Labels: sortedLabels("e2e_ooo", "job", job)}
	for i := 0; i+1 < len(pts); i += 2 {
		ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: t0 + int64(pts[i])*1000, Value: pts[i+1]})
	}
	return ts
}

// TestOutOfOrder sends partially good requests: the good samples are
// stored, the request answers 400 counting the rejections, duplicates are
// accepted silently.
func TestOutOfOrder(t *testing.T) {
	t0 := testStart()
	v := startVigil(t, vigilOptions{})
	first := &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		rwSeries(t0, "a", 100, 1, 200, 2), rwSeries(t0, "c", 100, 1)}}
	r, err := v.api.pushRemoteWrite(first)
	checkWritten(t, "first", mustPush(t, "first", r, err, http.StatusNoContent), 3)

	r, err = v.api.pushRemoteWrite(&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		rwSeries(t0, "a", 50, 9, 300, 3), rwSeries(t0, "b", 300, 5)}})
	r = mustPush(t, "out of order", r, err, http.StatusBadRequest)
	checkWritten(t, "out of order", r, 2)
	checkMessage(t, "out of order", r.Body, "1 out of order", "0 conflict", `e2e_ooo", job="a"`)

	r, err = v.api.pushRemoteWrite(&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		rwSeries(t0, "c", 100, 2, 150, 4)}})
	r = mustPush(t, "conflict", r, err, http.StatusBadRequest)
	checkWritten(t, "conflict", r, 1)
	checkMessage(t, "conflict", r.Body, "0 out of order", "1 conflict", `e2e_ooo", job="c"`)

	// Resending the newest sample of a series is a duplicate, not an error.
	// (Resending an older one is out of order even if identical, as in
	// Prometheus.)
	r, err = v.api.pushRemoteWrite(&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		rwSeries(t0, "a", 300, 3), rwSeries(t0, "c", 150, 4)}})
	checkWritten(t, "duplicates", mustPush(t, "duplicates", r, err, http.StatusNoContent), 0)

	r, err = v.api.pushText(fmt.Sprintf("e2e_ooo{job=\"a\"} 7 %d\ne2e_ooo{job=\"d\"} 1 %d\n", t0+250_000, t0+300_000))
	r = mustPush(t, "text out of order", r, err, http.StatusBadRequest)
	checkMessage(t, "text out of order", r.Body, "1 out of order", "0 conflict", `e2e_ooo", job="a"`)

	runChecks(t, v.api, t0, []queryCheck{{expr: `e2e_ooo[1h]`, at: 400, want: `matrix
{__name__="e2e_ooo", job="a"} 1@100 2@200 3@300
{__name__="e2e_ooo", job="b"} 5@300
{__name__="e2e_ooo", job="c"} 1@100 4@150
{__name__="e2e_ooo", job="d"} 1@300`}})
}

func checkWritten(t *testing.T, what string, r pushResult, want int) {
	t.Helper()
	if got := r.Header.Get("X-Prometheus-Remote-Write-Samples-Written"); got != strconv.Itoa(want) {
		t.Errorf("%s: X-Prometheus-Remote-Write-Samples-Written = %q, want %d", what, got, want)
	}
}

// checkMessage requires msg to contain each word, ignoring case and
// treating "-" as a space ("out-of-order" names "out of order").
func checkMessage(t *testing.T, what, msg string, words ...string) {
	t.Helper()
	t.Logf("%s: %q", what, msg)
	norm := strings.ReplaceAll(strings.ToLower(msg), "-", " ")
	for _, w := range words {
		if !strings.Contains(norm, w) {
			t.Errorf("%s: message %q does not mention %q", what, msg, w)
		}
	}
}
