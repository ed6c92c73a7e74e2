package query

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

// testData is loaded into a test store: samples every minute from 0 to 10m.
// Counters grow by 60/min (1/s) for a, 6/min for b and 120/min for c.
const testData = `
load 1m
	http_requests_total{job="api", instance="a", code="200"} 0+60x10
	http_requests_total{job="api", instance="b", code="500"} 0+6x10
	http_requests_total{job="web", instance="c", code="200"} 0+120x10
	up{job="api", instance="a"} 1x10
	up{job="web", instance="c"} 0x10
`

// at returns the time m minutes after the epoch, where the test data lives.
func at(m float64) time.Time {
	return time.Unix(0, 0).Add(time.Duration(m * float64(time.Minute))).UTC()
}

// newTestEngine returns an Engine with opts over a store holding testData.
func newTestEngine(t *testing.T, opts Options) *Engine {
	t.Helper()
	return New(promqltest.LoadedStorage(t, testData), opts)
}

func TestInstant(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, tc := range []struct {
		name, expr string
		want       string
	}{
		{"vector", `sort_desc(up)`, "{__name__=\"up\", instance=\"a\", job=\"api\"} => 1 @[600000]\n" +
			"{__name__=\"up\", instance=\"c\", job=\"web\"} => 0 @[600000]"},
		{"regex matcher", `up{job=~"w.+"}`, `{__name__="up", instance="c", job="web"} => 0 @[600000]`},
		{"sum by rate", `sort(sum by (job) (rate(http_requests_total[5m])))`, "{job=\"api\"} => 1.1 @[600000]\n" +
			"{job=\"web\"} => 2 @[600000]"},
		{"scalar", `1 + 2`, `scalar: 3 @[600000]`},
		{"string", `"hello"`, `hello`},
		{"matrix", `http_requests_total{instance="b"}[2m]`, "{__name__=\"http_requests_total\", code=\"500\", instance=\"b\", job=\"api\"} =>\n" +
			"54 @[540000]\n60 @[600000]"},
		{"empty", `nothing_here`, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.Instant(t.Context(), tc.expr, at(10))
			require.NoError(t, err)
			defer res.Close()
			require.Equal(t, tc.want, res.Value.String())
			require.Empty(t, res.Warnings)
		})
	}
}

func TestInstantWarnings(t *testing.T) {
	e := newTestEngine(t, Options{})
	res, err := e.Instant(t.Context(), `rate(up[5m])`, at(10))
	require.NoError(t, err)
	defer res.Close()
	warnings, infos := res.Warnings.AsStrings(`rate(up[5m])`, 0, 0)
	require.Empty(t, warnings)
	require.Equal(t, []string{`PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up" (1:6)`}, infos)
}

func TestRange(t *testing.T) {
	e := newTestEngine(t, Options{})
	res, err := e.Range(t.Context(), `sum by (job) (rate(http_requests_total{job="api"}[5m]))`, at(8), at(10), time.Minute)
	require.NoError(t, err)
	defer res.Close()
	require.Equal(t, "{job=\"api\"} =>\n1.1 @[480000]\n1.1 @[540000]\n1.1 @[600000]", res.Value.String())
}

func TestResultCloseTwice(t *testing.T) {
	e := newTestEngine(t, Options{})
	res, err := e.Range(t.Context(), `up`, at(0), at(1), time.Minute)
	require.NoError(t, err)
	res.Close()
	res.Close()
}

func TestErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancelExpired := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancelExpired()
	for _, tc := range []struct {
		name      string
		opts      Options
		queryable storage.Queryable // nil: the test data
		ctx       context.Context   // nil: the test's
		run       func(context.Context, *Engine) error
		wantKind  error
		wantMsg   string
	}{
		{name: "parse error", run: instant(`up{`), wantKind: ErrBadQuery,
			wantMsg: "1:4: parse error: unexpected end of input inside braces"},
		{name: "empty expression", run: instant(``), wantKind: ErrBadQuery,
			wantMsg: "unknown position: parse error: no expression found in input"},
		{name: "range vector in range query", run: rangeQuery(`up[5m]`, at(0), at(1), time.Minute), wantKind: ErrBadQuery,
			wantMsg: `invalid expression type "range vector" for range query, must be Scalar or instant Vector`},
		{name: "end before start", run: rangeQuery(`up`, at(1), at(0), time.Minute), wantKind: ErrBadQuery,
			wantMsg: "end timestamp must not be before start time"},
		{name: "zero step", run: rangeQuery(`up`, at(0), at(1), 0), wantKind: ErrBadQuery,
			wantMsg: "zero or negative query resolution step widths are not accepted. Try a positive integer"},
		{name: "execution", run: instant(`up + on(job) http_requests_total`), wantKind: ErrExecution,
			wantMsg: `found duplicate series for the match group {job="api"} on the right hand-side of the operation: [{__name__="http_requests_total", code="200", instance="a", job="api"}, {__name__="http_requests_total", code="500", instance="b", job="api"}];many-to-many matching not allowed: matching labels must be unique on one side`},
		{name: "too many samples", opts: Options{MaxSamples: 2}, run: instant(`http_requests_total`), wantKind: ErrTooManySamples,
			wantMsg: "query processing would load too many samples into memory in query execution"},
		{name: "deadline passed", ctx: expired, run: instant(`up`), wantKind: ErrTimeout,
			wantMsg: "query timed out in query execution"},
		{name: "timeout option", opts: Options{Timeout: time.Millisecond}, queryable: blockingStore{}, run: instant(`up`), wantKind: ErrTimeout,
			wantMsg: "expanding series: context deadline exceeded"},
		{name: "range timeout", opts: Options{Timeout: time.Millisecond}, queryable: blockingStore{}, run: rangeQuery(`up`, at(0), at(10), time.Minute), wantKind: ErrTimeout,
			wantMsg: "expanding series: context deadline exceeded"},
		{name: "series timeout", opts: Options{Timeout: time.Millisecond}, queryable: blockingStore{}, run: series(`up`), wantKind: ErrTimeout,
			wantMsg: "context deadline exceeded"},
		{name: "canceled", ctx: canceled, run: instant(`up`), wantKind: ErrCanceled,
			wantMsg: "query was canceled in query execution"},
		{name: "storage on select", queryable: failingStore{}, run: instant(`up`), wantKind: ErrStorage,
			wantMsg: "expanding series: disk on fire"},
		{name: "storage on querier", queryable: failingQueryable{}, run: instant(`up`), wantKind: ErrStorage,
			wantMsg: "no querier today"},
		{name: "series storage", queryable: failingStore{}, run: series(`up`), wantKind: ErrStorage,
			wantMsg: "disk on fire"},
		{name: "label names storage", queryable: failingStore{}, run: labelNames(), wantKind: ErrStorage,
			wantMsg: "disk on fire"},
		{name: "series canceled", ctx: canceled, queryable: failingStore{}, run: series(`up`), wantKind: ErrCanceled,
			wantMsg: "context canceled"},
		{name: "series without matchers", run: func(ctx context.Context, e *Engine) error {
			_, _, err := e.Series(ctx, nil, at(0), at(10), 0)
			return err
		}, wantKind: ErrBadQuery, wantMsg: "series needs at least one set of matchers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.queryable
			if q == nil {
				q = promqltest.LoadedStorage(t, testData)
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			err := tc.run(ctx, New(q, tc.opts))
			require.ErrorIs(t, err, tc.wantKind)
			require.EqualError(t, err, tc.wantMsg)
			var qe *Error
			require.ErrorAs(t, err, &qe)
		})
	}
}

// instant returns a test step running expr as an instant query at 10m.
func instant(expr string) func(context.Context, *Engine) error {
	return func(ctx context.Context, e *Engine) error {
		res, err := e.Instant(ctx, expr, at(10))
		if err == nil {
			res.Close()
		}
		return err
	}
}

// rangeQuery returns a test step running expr as a range query.
func rangeQuery(expr string, start, end time.Time, step time.Duration) func(context.Context, *Engine) error {
	return func(ctx context.Context, e *Engine) error {
		res, err := e.Range(ctx, expr, start, end, step)
		if err == nil {
			res.Close()
		}
		return err
	}
}

// series returns a test step looking up the series of selector.
func series(selector string) func(context.Context, *Engine) error {
	return func(ctx context.Context, e *Engine) error {
		sets, err := e.ParseMatchers([]string{selector})
		if err != nil {
			return err
		}
		_, _, err = e.Series(ctx, sets, at(0), at(10), 0)
		return err
	}
}

// labelNames returns a test step looking up every label name.
func labelNames() func(context.Context, *Engine) error {
	return func(ctx context.Context, e *Engine) error {
		_, _, err := e.LabelNames(ctx, nil, at(0), at(10), 0)
		return err
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newTestEngine(t, Options{Registerer: reg})
	res, err := e.Instant(t.Context(), `up`, at(10))
	require.NoError(t, err)
	res.Close()
	_, err = e.Instant(t.Context(), `up{`, at(10))
	require.Error(t, err)
	_, _, err = e.LabelNames(t.Context(), nil, at(0), at(10), 0)
	require.NoError(t, err)

	counts := map[string]uint64{}
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != "vigil_query_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			counts[m.GetLabel()[0].GetValue()] = m.GetHistogram().GetSampleCount()
		}
	}
	require.Equal(t, map[string]uint64{"instant": 2, "range": 0, "series": 0, "label_names": 1, "label_values": 0}, counts)
}

func TestOptionsValidate(t *testing.T) {
	require.NoError(t, Options{}.Validate())
	err := Options{Timeout: -1, MaxSamples: -2, LookbackDelta: -3, SubqueryStep: -4}.Validate()
	require.EqualError(t, err, "query timeout -1ns is negative\n"+
		"query max samples -2 is negative\n"+
		"query lookback delta -3ns is negative\n"+
		"query subquery step -4ns is negative")
}

func TestSubqueryDefaultStep(t *testing.T) {
	e := newTestEngine(t, Options{SubqueryStep: 2 * time.Minute})
	res, err := e.Instant(t.Context(), `count_over_time(up{job="api"}[10m:])`, at(10))
	require.NoError(t, err)
	defer res.Close()
	// Steps at 2, 4, 6, 8 and 10 minutes: the window is left-open.
	require.Equal(t, `{instance="a", job="api"} => 5 @[600000]`, res.Value.String())
}
