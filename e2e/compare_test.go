package e2e

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/prompb"
)

// compare_test.go pushes one seeded data set to Vigil and to a real
// Prometheus over remote write and requires both to give the same answers
// to a broad table of PromQL queries and to the metadata endpoints.

// prometheusBinary finds the Prometheus binary: $VIGIL_PROMETHEUS (relative
// paths are tried against this directory and the module root), else
// prometheus on PATH. Without one the test is skipped, or fails when $CI is
// set.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIGIL_PROMETHEUS"); p != "" {
		for _, c := range candidatePaths(p) {
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				return c
			}
		}
		t.Logf("VIGIL_PROMETHEUS=%s: no such file", p)
	}
	if p, err := exec.LookPath("prometheus"); err == nil {
		return p
	}
	msg := "no Prometheus binary: set VIGIL_PROMETHEUS or put prometheus on PATH " +
		"(GOBIN=$PWD/bin go install github.com/prometheus/prometheus/cmd/prometheus@v0.316.0)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func candidatePaths(p string) []string {
	if filepath.IsAbs(p) {
		return []string{p}
	}
	out := []string{p}
	if root, err := moduleRoot(); err == nil {
		out = append(out, filepath.Join(root, p))
	}
	return out
}

// moduleRoot walks up from the working directory to the go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// freePort returns a loopback port that was free a moment ago. Prometheus
// cannot report the port it bound, so a start can race; startPrometheus
// retries on a conflict.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startPrometheus runs Prometheus with the remote-write receiver on a free
// loopback port and an empty TSDB, and waits until it is ready.
func startPrometheus(t *testing.T, bin string) *promAPI {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prometheus output:\n%s", logs.String())
		}
	})
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		var api *promAPI
		if api, err = tryStartPrometheus(t, bin, logs); err == nil {
			return api
		}
		t.Logf("start prometheus, attempt %d: %v", attempt, err)
	}
	t.Fatalf("start prometheus: %v", err)
	return nil
}

func tryStartPrometheus(t *testing.T, bin string, logs *logBuffer) (*promAPI, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"--config.file=testdata/prometheus.yml", "--web.listen-address=" + addr,
		"--storage.tsdb.path=" + t.TempDir(), "--web.enable-remote-write-receiver", "--log.level=warn"}
	p, err := startProcess(bin, args, logs)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("stop prometheus: %v", err)
		}
	})
	api := newPromAPI("http://" + addr)
	return api, poll(readyTimeout, "prometheus /-/ready", func() (bool, error) {
		if done, err := p.hasExited(); done {
			return false, fmt.Errorf("prometheus exited: %v", err)
		}
		return httpReady(api.client, api.base+"/-/ready"), nil
	})
}

// The compared data: 30 minutes on a 10 s grid ending at end.
const (
	cmpSteps     = 180
	cmpChunk     = 60 // steps per remote-write request, sent in time order
	cmpGapFrom   = 60 // cmp_gap_gauge has no samples for steps [cmpGapFrom, cmpGapTo)
	cmpGapTo     = 102
	cmpStopAt    = 90 // cmp_stopping_total ends with a stale marker at this step
	cmpDownAfter = 100
)

var cmpBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, math.Inf(1)}

type cmpTarget struct{ job, instance, version string }

var cmpTargets = []cmpTarget{
	{"api", "a1:80", "1.2.3"}, {"api", "a2:80", "1.2.3"}, {"api", "b1:80", "1.2.4"},
	{"worker", "a3:80", "2.0.0"}, {"worker", "b2:80", "2.0.0"},
}

// cmpData builds the series of the compared data set, each with a sample
// (or none) per step; nil values mean no sample.
type cmpData struct {
	end    int64 // ms of the last step
	rng    *rand.Rand
	series []prompb.TimeSeries
}

func (d *cmpData) ts(i int) int64 { return d.end - int64(cmpSteps-i)*10_000 }

// add appends a series whose value at step i is f(i); f returns false to
// leave the step out.
func (d *cmpData) add(ls []prompb.Label, f func(i int) (float64, bool)) {
	s := prompb.TimeSeries{Labels: ls}
	for i := 0; i <= cmpSteps; i++ {
		if v, ok := f(i); ok {
			s.Samples = append(s.Samples, prompb.Sample{Timestamp: d.ts(i), Value: v})
		}
	}
	d.series = append(d.series, s)
}

// counter returns a counter rising by inc() per step, reset to 0 at resetAt
// (never when resetAt < 0).
func counter(inc func() float64, resetAt int) func(int) (float64, bool) {
	v := 0.0
	return func(i int) (float64, bool) {
		if i == resetAt {
			v = 0
		}
		v += inc()
		return v, true
	}
}

func newCmpData(seed uint64, end int64) *cmpData {
	d := &cmpData{end: end, rng: rand.New(rand.NewPCG(seed, 0))}
	d.addRequests()
	d.addGauges()
	d.addHistograms()
	d.addOddities()
	return d
}

func (d *cmpData) addRequests() {
	for _, tg := range cmpTargets {
		for _, method := range []string{"GET", "POST"} {
			for _, code := range []string{"200", "500"} {
				ls := sortedLabels("cmp_http_requests_total", "job", tg.job, "instance", tg.instance, "method", method, "code", code)
				inc, reset := func() float64 { return float64(d.rng.IntN(20)) }, -1
				switch {
				case code == "500":
					inc = func() float64 { return float64(d.rng.IntN(3)) }
				case method == "POST":
					inc = func() float64 { return d.rng.Float64() * 5 }
				}
				if tg.instance == "a2:80" && method == "GET" && code == "200" {
					reset = 90
				}
				d.add(ls, counter(inc, reset))
			}
		}
	}
}

func (d *cmpData) addGauges() {
	for _, tg := range cmpTargets {
		temp := 40 + d.rng.Float64()*20
		d.add(sortedLabels("cmp_cpu_temp_celsius", "job", tg.job, "instance", tg.instance), func(int) (float64, bool) {
			temp += (d.rng.Float64() - 0.5) * 2
			return temp, true
		})
		d.add(sortedLabels("cmp_queue_depth", "job", tg.job, "instance", tg.instance), func(int) (float64, bool) {
			return float64(d.rng.IntN(10)), true
		})
		down := tg.instance == "b2:80"
		d.add(sortedLabels("cmp_up", "job", tg.job, "instance", tg.instance), func(i int) (float64, bool) {
			if down && i >= cmpDownAfter {
				return 0, true
			}
			return 1, true
		})
		d.add(sortedLabels("cmp_build_info", "job", tg.job, "instance", tg.instance, "version", tg.version),
			func(int) (float64, bool) { return 1, true })
	}
}

// addHistograms adds a classic histogram per api target: cumulative
// _bucket{le}, _sum and _count fed by exponential observations.
func (d *cmpData) addHistograms() {
	for _, tg := range cmpTargets[:3] {
		counts := make([][]float64, cmpSteps+1) // per step, cumulative per bucket
		sums := make([]float64, cmpSteps+1)
		cum, sum := make([]float64, len(cmpBuckets)), 0.0
		for i := range counts {
			for range d.rng.IntN(50) {
				o := d.rng.ExpFloat64() * 0.3
				sum += o
				for b, le := range cmpBuckets {
					if o <= le {
						cum[b]++
					}
				}
			}
			counts[i], sums[i] = slices.Clone(cum), sum
		}
		for b, le := range cmpBuckets {
			d.add(sortedLabels("cmp_request_duration_seconds_bucket", "job", tg.job, "instance", tg.instance,
				"le", strconv.FormatFloat(le, 'g', -1, 64)), func(i int) (float64, bool) { return counts[i][b], true })
		}
		d.add(sortedLabels("cmp_request_duration_seconds_sum", "job", tg.job, "instance", tg.instance),
			func(i int) (float64, bool) { return sums[i], true })
		d.add(sortedLabels("cmp_request_duration_seconds_count", "job", tg.job, "instance", tg.instance),
			func(i int) (float64, bool) { return counts[i][len(cmpBuckets)-1], true })
	}
}

// addOddities adds a series that ends with a stale marker and one with a
// gap longer than the lookback delta.
func (d *cmpData) addOddities() {
	stop := counter(func() float64 { return float64(d.rng.IntN(7)) }, -1)
	d.add(sortedLabels("cmp_stopping_total", "job", "batch", "instance", "c1:80"), func(i int) (float64, bool) {
		switch {
		case i < cmpStopAt:
			return stop(i)
		case i == cmpStopAt:
			return math.Float64frombits(value.StaleNaN), true
		}
		return 0, false
	})
	d.add(sortedLabels("cmp_gap_gauge", "job", "batch", "instance", "c1:80"), func(i int) (float64, bool) {
		return float64(i % 17), i < cmpGapFrom || i >= cmpGapTo
	})
}

// requests splits the data into remote-write requests of cmpChunk steps
// each, in time order, as Prometheus requires.
func (d *cmpData) requests() []*prompb.WriteRequest {
	var reqs []*prompb.WriteRequest
	for from := 0; from <= cmpSteps; from += cmpChunk {
		lo, hi := d.ts(from), d.ts(from+cmpChunk)
		req := &prompb.WriteRequest{}
		for _, s := range d.series {
			part := prompb.TimeSeries{Labels: s.Labels}
			for _, smp := range s.Samples {
				if smp.Timestamp >= lo && smp.Timestamp < hi {
					part.Samples = append(part.Samples, smp)
				}
			}
			if len(part.Samples) > 0 {
				req.Timeseries = append(req.Timeseries, part)
			}
		}
		reqs = append(reqs, req)
	}
	return reqs
}

// cmpQueries is the query table; at is a Unix time in seconds for @.
func cmpQueries(at int64) []string {
	return []string{
		// selectors, matchers and raw samples
		`cmp_http_requests_total`,
		`cmp_http_requests_total{instance=~"a.*"}`,
		`cmp_http_requests_total{method!="GET", code!~"2.."}`,
		`{__name__=~"cmp_.*_total", job!="api"}`,
		`{__name__=~"cmp_(cpu|queue).*", instance!~"b.*|a3:80"}`,
		`cmp_up{job=~"api|worker", instance=~".*:80"}`,
		`cmp_stopping_total`,
		`cmp_gap_gauge`,
		`cmp_up[2m]`,
		`cmp_stopping_total[3m]`,
		`cmp_request_duration_seconds_bucket{instance="a1:80", le=~"0.1|\\+Inf"}[1m]`,
		// counters
		`rate(cmp_http_requests_total[1m])`,
		`rate(cmp_http_requests_total[5m])`,
		`irate(cmp_http_requests_total[1m])`,
		`increase(cmp_http_requests_total[2m])`,
		`resets(cmp_http_requests_total[10m])`,
		`rate(cmp_stopping_total[5m])`,
		// gauges
		`delta(cmp_cpu_temp_celsius[2m])`,
		`idelta(cmp_queue_depth[1m])`,
		`deriv(cmp_cpu_temp_celsius[5m])`,
		`predict_linear(cmp_queue_depth[10m], 600)`,
		`changes(cmp_queue_depth[5m])`,
		// *_over_time
		`avg_over_time(cmp_cpu_temp_celsius[5m])`,
		`min_over_time(cmp_cpu_temp_celsius[5m])`,
		`max_over_time(cmp_cpu_temp_celsius[5m])`,
		`sum_over_time(cmp_queue_depth[3m])`,
		`count_over_time(cmp_gap_gauge[5m])`,
		`quantile_over_time(0.9, cmp_cpu_temp_celsius[10m])`,
		`stddev_over_time(cmp_cpu_temp_celsius[5m])`,
		`stdvar_over_time(cmp_queue_depth[5m])`,
		`last_over_time(cmp_gap_gauge[10m])`,
		`present_over_time(cmp_stopping_total[10m])`,
		`absent_over_time(cmp_nonexistent[5m])`,
		// classic histograms
		`histogram_quantile(0.9, rate(cmp_request_duration_seconds_bucket[5m]))`,
		`histogram_quantile(0.5, sum by (le) (rate(cmp_request_duration_seconds_bucket[5m])))`,
		`histogram_quantile(0.99, sum by (job, le) (increase(cmp_request_duration_seconds_bucket[10m])))`,
		`rate(cmp_request_duration_seconds_sum[5m]) / rate(cmp_request_duration_seconds_count[5m])`,
		`sum by (le) (cmp_request_duration_seconds_bucket)`,
		// aggregations
		`sum by (job) (rate(cmp_http_requests_total[5m]))`,
		`sum without (method, code) (increase(cmp_http_requests_total[10m]))`,
		`avg without (instance) (cmp_cpu_temp_celsius)`,
		`min by (job) (cmp_cpu_temp_celsius)`,
		`max by (job) (cmp_cpu_temp_celsius)`,
		`count by (code) (cmp_http_requests_total)`,
		`count(cmp_http_requests_total)`,
		`topk(3, cmp_cpu_temp_celsius)`,
		`topk by (job) (1, cmp_cpu_temp_celsius)`,
		`bottomk(2, rate(cmp_http_requests_total{method="POST", code="200"}[5m]))`,
		`quantile(0.75, cmp_cpu_temp_celsius)`,
		`quantile by (job) (0.5, cmp_queue_depth)`,
		`count_values("depth", cmp_queue_depth)`,
		`stddev by (job) (cmp_cpu_temp_celsius)`,
		`stdvar(cmp_queue_depth)`,
		`group by (job) (cmp_up)`,
		// binary operators and vector matching
		`sum by (job) (rate(cmp_http_requests_total{code="500"}[5m])) / sum by (job) (rate(cmp_http_requests_total[5m]))`,
		`rate(cmp_http_requests_total{code="500"}[5m]) / ignoring(code) rate(cmp_http_requests_total{code="200"}[5m])`,
		`cmp_cpu_temp_celsius * on(job, instance) group_left(version) cmp_build_info`,
		`sum by (job, instance) (rate(cmp_http_requests_total[5m])) * on(job, instance) group_left() cmp_up`,
		`cmp_build_info * on(instance) group_right(job) cmp_queue_depth`,
		`cmp_cpu_temp_celsius > 50`,
		`cmp_cpu_temp_celsius > bool 50`,
		`cmp_queue_depth == bool 3`,
		`cmp_queue_depth > 5 and on(job, instance) cmp_up == 1`,
		`cmp_queue_depth{job="api"} or cmp_up`,
		`cmp_queue_depth unless on(instance) cmp_up == 0`,
		`-cmp_queue_depth % 3 + 2 ^ 2 * cmp_queue_depth`,
		`cmp_queue_depth / 0`,
		`cmp_cpu_temp_celsius atan2 cmp_queue_depth`,
		// offset, @ and subqueries
		`cmp_cpu_temp_celsius offset 5m`,
		`rate(cmp_http_requests_total[1m] offset 10m)`,
		`cmp_cpu_temp_celsius - cmp_cpu_temp_celsius offset -2m`,
		fmt.Sprintf(`cmp_cpu_temp_celsius @ %d`, at),
		fmt.Sprintf(`rate(cmp_http_requests_total[5m] @ %d.5)`, at),
		`rate(cmp_http_requests_total[5m] @ end())`,
		`cmp_queue_depth @ start()`,
		`max_over_time(rate(cmp_http_requests_total[1m])[10m:1m])`,
		`avg_over_time(cmp_cpu_temp_celsius[5m:30s])`,
		`deriv(sum(cmp_queue_depth)[10m:])`,
		`min_over_time(cmp_gap_gauge[15m:1m] offset 1m)`,
		// label functions
		`label_replace(cmp_up, "host", "$1", "instance", "(.*):.*")`,
		`label_replace(cmp_up, "job", "", "job", "api")`,
		`label_join(cmp_up, "id", "/", "job", "instance")`,
		// absent, sort, math
		`absent(cmp_nonexistent{job="x"})`,
		`absent(cmp_up)`,
		`sort(cmp_cpu_temp_celsius)`,
		`sort_desc(rate(cmp_http_requests_total[5m]))`,
		`clamp(cmp_cpu_temp_celsius, 45, 55)`,
		`clamp_min(cmp_queue_depth, 4)`,
		`clamp_max(cmp_queue_depth, 4)`,
		`round(cmp_cpu_temp_celsius, 0.5)`,
		`round(cmp_cpu_temp_celsius)`,
		`abs(-cmp_cpu_temp_celsius)`,
		`ceil(cmp_cpu_temp_celsius)`,
		`floor(cmp_cpu_temp_celsius)`,
		`sqrt(cmp_queue_depth)`,
		`ln(cmp_queue_depth + 1)`,
		`log2(cmp_queue_depth)`,
		`exp(cmp_up)`,
		`sgn(cmp_cpu_temp_celsius - 50)`,
		// time functions
		`time()`,
		`timestamp(cmp_up)`,
		`time() - timestamp(cmp_gap_gauge)`,
		`hour()`,
		`minute(timestamp(cmp_queue_depth))`,
		`day_of_week()`,
		`day_of_month(vector(0))`,
		`days_in_month()`,
		`month()`,
		`year()`,
		// vector() and scalar()
		`vector(1)`,
		`vector(time())`,
		`scalar(sum(cmp_up))`,
		`scalar(cmp_queue_depth)`,
		`cmp_queue_depth * scalar(cmp_up{instance="a1:80"})`,
		`sum(cmp_queue_depth) + 1`,
		`1 + 2 * 3`,
		// errors: both must refuse alike
		`rate(cmp_up)`,
		`sum(`,
	}
}

// cmpEval is one way of running a query.
type cmpEval struct {
	name       string
	at         int64 // instant query time (ms); 0 for a range query
	start, end int64
	step       time.Duration
}

func cmpEvals(end int64) []cmpEval {
	return []cmpEval{
		{name: "instant at end", at: end},
		{name: "instant at end-2m55s", at: end - 175_000},
		{name: "instant at end-14m", at: end - 14*60_000},
		{name: "instant at end-17m+1ms", at: end - 17*60_000 + 1},
		{name: "range 20m step 1m", start: end - 20*60_000, end: end, step: time.Minute},
		{name: "range 10m step 37s", start: end - 10*60_000 + 7_000, end: end, step: 37 * time.Second},
	}
}

func (e cmpEval) run(api *promAPI, q string) (*apiResponse, error) {
	if e.at != 0 {
		return api.get("/api/v1/query", api.instantParams(q, e.at))
	}
	return api.get("/api/v1/query_range", rangeParams(q, e.start, e.end, e.step))
}

// TestCompareWithPrometheus pushes the same data to Vigil and Prometheus and
// requires the same answers.
func TestCompareWithPrometheus(t *testing.T) {
	bin := prometheusBinary(t)
	const seed = 20240601
	end := time.Now().Truncate(10 * time.Second).Add(-10 * time.Second).UnixMilli()
	data := newCmpData(seed, end)
	prom := startPrometheus(t, bin)
	vig := startVigil(t, vigilOptions{}).api
	for i, req := range data.requests() {
		for name, api := range map[string]*promAPI{"vigil": vig, "prometheus": prom} {
			r, err := api.pushRemoteWrite(req)
			if err != nil || r.Status/100 != 2 {
				t.Fatalf("push request %d to %s: %v %v", i, name, r, err)
			}
		}
	}
	queries := cmpQueries(end/1000 - 600)
	if len(queries) < 60 {
		t.Fatalf("only %d queries", len(queries))
	}
	var compared, nonEmpty int
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			for _, e := range cmpEvals(end) {
				compared++
				if compareQuery(t, e, q, vig, prom) {
					nonEmpty++
				}
			}
		})
	}
	t.Logf("%d queries, %d comparisons, %d with a non-empty answer", len(queries), compared, nonEmpty)
	t.Run("metadata", func(t *testing.T) { compareMetadata(t, vig, prom, end) })
}

// compareQuery runs q both ways and reports any difference. It returns
// whether Prometheus' answer had data, so the test can tell a comparison of
// two empty answers from a real one.
func compareQuery(t *testing.T, e cmpEval, q string, vig, prom *promAPI) bool {
	t.Helper()
	vr, err := e.run(vig, q)
	if err != nil {
		t.Errorf("%s: vigil: %v", e.name, err)
		return false
	}
	pr, err := e.run(prom, q)
	if err != nil {
		t.Fatalf("%s: prometheus: %v", e.name, err)
	}
	ordered := e.at != 0 && strings.HasPrefix(q, "sort")
	if diff := diffResponses(vr, pr, ordered); diff != "" {
		t.Errorf("%s: %s\nvigil:      %s\nprometheus: %s", e.name, diff, describe(vr), describe(pr))
	}
	res, err := decodeQueryData(pr.Data)
	return pr.Status == "success" && err == nil && len(res.Series) > 0
}

// describe renders a response for a failure message.
func describe(r *apiResponse) string {
	if r.Status != "success" {
		return fmt.Sprintf("%d %s %s: %s", r.HTTPStatus, r.Status, r.ErrorType, r.Error)
	}
	res, err := decodeQueryData(r.Data)
	if err != nil {
		return fmt.Sprintf("undecodable data %.500s: %v", r.Data, err)
	}
	s := res.format(0, true)
	if len(s) > 3000 {
		s = s[:3000] + " ..."
	}
	return fmt.Sprintf("warnings %q infos %q %s", r.Warnings, r.Infos, s)
}

// diffResponses says how two API answers differ, or "" when they agree.
func diffResponses(v, p *apiResponse, ordered bool) string {
	switch {
	case v.Status != p.Status || v.HTTPStatus != p.HTTPStatus:
		return fmt.Sprintf("status %d %s, want %d %s", v.HTTPStatus, v.Status, p.HTTPStatus, p.Status)
	case v.Status != "success":
		if v.ErrorType != p.ErrorType {
			return fmt.Sprintf("errorType %q, want %q", v.ErrorType, p.ErrorType)
		}
		return ""
	case !sameSet(v.Warnings, p.Warnings) || !sameSet(v.Infos, p.Infos):
		return "annotations differ"
	}
	vres, err1 := decodeQueryData(v.Data)
	pres, err2 := decodeQueryData(p.Data)
	if err := errors.Join(err1, err2); err != nil {
		return err.Error()
	}
	return diffResults(vres, pres, ordered)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func diffResults(v, p *queryResult, ordered bool) string {
	if v.Type != p.Type {
		return fmt.Sprintf("resultType %s, want %s", v.Type, p.Type)
	}
	if len(v.Series) != len(p.Series) {
		return fmt.Sprintf("%d series, want %d", len(v.Series), len(p.Series))
	}
	if ordered {
		if d := diffOrder(v.Series, p.Series); d != "" {
			return d
		}
	}
	vs, ps := slices.Clone(v.Series), slices.Clone(p.Series)
	bySeries := func(a, b resultSeries) int { return strings.Compare(metricString(a.Metric), metricString(b.Metric)) }
	slices.SortFunc(vs, bySeries)
	slices.SortFunc(ps, bySeries)
	for i := range vs {
		if d := diffSeries(vs[i], ps[i]); d != "" {
			return d
		}
	}
	return ""
}

// diffOrder compares the order of a sorted vector by its values. Series
// with equal values may come in any order: PromQL leaves ties to the order
// the store returns series in, which is not specified.
func diffOrder(v, p []resultSeries) string {
	for i := range v {
		if !sameValue(v[i].Points[0].V, p[i].Points[0].V) {
			return fmt.Sprintf("element %d has value %s, want %s", i, v[i].Points[0].V, p[i].Points[0].V)
		}
	}
	return ""
}

func diffSeries(v, p resultSeries) string {
	vm, pm := metricString(v.Metric), metricString(p.Metric)
	if vm != pm {
		return fmt.Sprintf("series %s, want %s", vm, pm)
	}
	if len(v.Points) != len(p.Points) {
		return fmt.Sprintf("%s: %d points, want %d", vm, len(v.Points), len(p.Points))
	}
	for i, vp := range v.Points {
		pp := p.Points[i]
		if vp.T != pp.T || !sameValue(vp.V, pp.V) {
			return fmt.Sprintf("%s point %d: %s@%d, want %s@%d", vm, i, vp.V, vp.T, pp.V, pp.T)
		}
	}
	return ""
}

// compareMetadata compares the series, labels and label values endpoints.
func compareMetadata(t *testing.T, vig, prom *promAPI, end int64) {
	for _, m := range [][]string{{`cmp_http_requests_total{code="500"}`}, {`{job="batch"}`, `cmp_up`}, {`{__name__=~"cmp_request.*", le="+Inf"}`}} {
		for _, window := range [][2]int64{{0, 0}, {end - 60_000, end}, {end - 10*60_000, end - 8*60_000}} {
			vs, err1 := vig.series(m, window[0], window[1])
			ps, err2 := prom.series(m, window[0], window[1])
			if err := errors.Join(err1, err2); err != nil {
				t.Errorf("series %q: %v", m, err)
				continue
			}
			if got, want := seriesStrings(vs), seriesStrings(ps); !slices.Equal(got, want) {
				t.Errorf("series %q %v:\nvigil:      %q\nprometheus: %q", m, window, got, want)
			}
		}
	}
	compareLists(t, "labels", vig.labelNames, prom.labelNames)
	for _, name := range []string{"__name__", "job", "instance", "le", "version", "nonexistent"} {
		compareLists(t, "label "+name+" values", func() ([]string, error) { return vig.labelValues(name) },
			func() ([]string, error) { return prom.labelValues(name) })
	}
}

func seriesStrings(ms []map[string]string) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, metricString(m))
	}
	slices.Sort(out)
	return out
}

func compareLists(t *testing.T, what string, vig, prom func() ([]string, error)) {
	t.Helper()
	v, err1 := vig()
	p, err2 := prom()
	if err := errors.Join(err1, err2); err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if !slices.Equal(v, p) {
		t.Errorf("%s:\nvigil:      %q\nprometheus: %q", what, v, p)
	}
}
