package loadgen

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/bench/fleet"
)

// quiet are options that skip the latency measurement.
func quiet(url string) Options {
	return Options{URL: url, LatencySamples: -1, Seed: 7}
}

// TestBackfillSamples checks that a backfill pushes every sample of the
// fleet exactly once, in time order per series, with the fleet's values.
func TestBackfillSamples(t *testing.T) {
	tests := []struct {
		name                       string
		series, concurrency, batch int
		duration                   time.Duration
	}{
		{"one step per request", 250, 3, 100, 10 * time.Minute},
		{"several steps per request", 50, 2, 100, 10 * time.Minute},
		{"steps not a multiple of a request", 7, 1, 20, 290 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw, url := newFakeWriter(t)
			o := quiet(url)
			o.Series, o.Concurrency, o.BatchSize, o.Duration = tt.series, tt.concurrency, tt.batch, tt.duration
			res, err := Run(context.Background(), o)
			require.NoError(t, err)
			steps := int(tt.duration / (10 * time.Second))
			want := int64(tt.series * steps)
			require.Equal(t, steps, res.Steps)
			require.Equal(t, Counts{SamplesSent: want, SamplesAccepted: want, Requests: int64(len(fw.sizes))}, res.Ingest.Counts)
			require.Equal(t, int(want), fw.total())
			for _, n := range fw.sizes {
				require.LessOrEqual(t, n, tt.batch)
			}
			requireFleet(t, fw.snapshot(), tt.series, 7, steps)
		})
	}
}

// requireFleet checks that got holds the fleet of the seed, step by step,
// starting at the first timestamp received.
func requireFleet(t *testing.T, got map[string][]prompb.Sample, series int, seed int64, steps int) {
	t.Helper()
	require.Len(t, got, series)
	first := got[keys(got)[0]][0].Timestamp
	f, err := fleet.New(fleet.Options{TargetSeries: series, Seed: seed, Start: time.UnixMilli(first)})
	require.NoError(t, err)
	c := f.NewCursor()
	vals := make([]float64, f.Len())
	for k := range steps {
		ts, err := c.Next(vals)
		require.NoError(t, err)
		for i, ls := range f.Series() {
			s := got[ls.String()][k]
			require.Equal(t, ts, s.Timestamp, "%s step %d", ls, k)
			require.Equal(t, math.Float64bits(vals[i]), math.Float64bits(s.Value), "%s step %d", ls, k)
		}
	}
}

func TestBackfillDeterministic(t *testing.T) {
	push := func() map[string][]prompb.Sample {
		fw, url := newFakeWriter(t)
		o := quiet(url)
		o.Hosts, o.Duration, o.Start, o.Concurrency = 2, 3*time.Minute, time.Hour, 4
		res, err := Run(context.Background(), o)
		require.NoError(t, err)
		require.Equal(t, 2, res.Hosts)
		require.Equal(t, int64(2*fleet.SeriesPerHost()*18), res.Ingest.SamplesAccepted)
		return fw.snapshot()
	}
	a, b := push(), push()
	require.Equal(t, keys(a), keys(b))
	for k, s := range a {
		for j := range s {
			require.Equal(t, math.Float64bits(s[j].Value), math.Float64bits(b[k][j].Value), k)
		}
	}
}

// TestBackfillStart checks the span of the data: Duration, from Start ago.
func TestBackfillStart(t *testing.T) {
	fw, url := newFakeWriter(t)
	o := quiet(url)
	o.Series, o.Duration, o.Start = 1, time.Minute, 2*time.Hour
	before := time.Now()
	_, err := Run(context.Background(), o)
	require.NoError(t, err)
	s := fw.snapshot()[keys(fw.snapshot())[0]]
	require.Len(t, s, 6)
	start := before.Add(-2 * time.Hour).Truncate(10 * time.Second).UnixMilli()
	require.Equal(t, start, s[0].Timestamp)
	require.Equal(t, start+50_000, s[5].Timestamp)
}

func TestLiveSamples(t *testing.T) {
	fw, url := newFakeWriter(t)
	o := quiet(url)
	o.Mode, o.Series, o.Interval, o.Duration = Live, 120, 20*time.Millisecond, 100*time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, int64(600), res.Ingest.SamplesAccepted)
	require.Equal(t, 600, fw.total())
	got := fw.snapshot()
	requireFleetLive(t, got, start)
}

// requireFleetLive checks live timestamps: the 20 ms grid from the first
// whole step after start, one step per request and series.
func requireFleetLive(t *testing.T, got map[string][]prompb.Sample, start time.Time) {
	t.Helper()
	first := start.Truncate(20 * time.Millisecond).Add(20 * time.Millisecond).UnixMilli()
	for k, s := range got {
		ts := make([]int64, len(s))
		for i := range s {
			ts[i] = s[i].Timestamp
		}
		require.Equal(t, []int64{first, first + 20, first + 40, first + 60, first + 80}, ts, k)
	}
}

// TestRetries checks the retry policy: 429 and 5xx are retried after
// Retry-After (capped) or the backoff; other 4xx are not.
func TestRetries(t *testing.T) {
	tests := []struct {
		name    string
		answers map[int][2]string // request number → code, Retry-After
		retries int
		waits   []time.Duration
		want    Counts
	}{
		{"429 with Retry-After seconds", map[int][2]string{0: {"429", "3"}, 1: {"429", "2"}}, 10,
			[]time.Duration{3 * time.Second, 2 * time.Second},
			Counts{SamplesSent: 10, SamplesAccepted: 10, Requests: 3, Throttled: 2, Retries: 2}},
		{"Retry-After capped", map[int][2]string{0: {"429", "3600"}}, 10,
			[]time.Duration{time.Minute},
			Counts{SamplesSent: 10, SamplesAccepted: 10, Requests: 2, Throttled: 1, Retries: 1}},
		{"5xx backs off exponentially", map[int][2]string{0: {"503", ""}, 1: {"500", ""}, 2: {"502", ""}}, 10,
			[]time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond},
			Counts{SamplesSent: 10, SamplesAccepted: 10, Requests: 4, ServerErrors: 3, Retries: 3}},
		{"400 is not retried", map[int][2]string{0: {"400", ""}}, 10, nil,
			Counts{SamplesSent: 10, SamplesAccepted: 0, SamplesFailed: 10, Requests: 1, Errors: 1,
				FirstError: "remote write: server answered 400 Bad Request: go away"}},
		{"retries run out", map[int][2]string{0: {"429", "1"}, 1: {"429", "1"}, 2: {"429", "1"}}, 1,
			[]time.Duration{time.Second},
			Counts{SamplesSent: 10, SamplesFailed: 10, Requests: 2, Throttled: 2, Retries: 1, Errors: 1,
				FirstError: "remote write: server answered 429 Too Many Requests: go away (after 1 retries)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw, url := newFakeWriter(t)
			fw.answer = func(n int) (int, string) {
				a, ok := tt.answers[n]
				if !ok {
					return 0, ""
				}
				return atoi(t, a[0]), a[1]
			}
			var mu sync.Mutex
			var waits []time.Duration
			o := quiet(url)
			o.Series, o.Duration, o.Concurrency, o.MaxRetries = 10, 10*time.Second, 1, tt.retries
			o.sleep = func(_ context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				waits = append(waits, d)
				return nil
			}
			res, err := Run(context.Background(), o)
			if tt.want.SamplesAccepted == 0 {
				require.ErrorIs(t, err, errNoAccepted)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, res.Ingest.Counts)
			require.Equal(t, tt.waits, waits)
		})
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	require.NoError(t, json.Unmarshal([]byte(s), &n))
	return n
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"0": 0, "7": 7 * time.Second, " 2 ": 2 * time.Second,
		"Thu, 01 Jan 2026 00:00:05 GMT": 5 * time.Second, "Wed, 31 Dec 2025 23:00:00 GMT": 0,
	} {
		d, ok := parseRetryAfter(h, now)
		require.True(t, ok, h)
		require.Equal(t, want, d, h)
	}
	for _, h := range []string{"", "-1", "soon"} {
		_, ok := parseRetryAfter(h, now)
		require.False(t, ok, h)
	}
}

func TestRunNoServer(t *testing.T) {
	o := quiet("http://127.0.0.1:1")
	o.Series, o.Duration, o.MaxRetries = 3, 10*time.Second, -1
	res, err := Run(context.Background(), o)
	require.ErrorIs(t, err, errNoAccepted)
	require.ErrorContains(t, err, "connection refused")
	require.Equal(t, int64(3), res.Ingest.Errors, "one request per group of series")
}

func TestValidate(t *testing.T) {
	err := Options{URL: "localhost:9096", Mode: "fast", Series: 3, Hosts: 2, Interval: time.Microsecond, Duration: -1}.Validate()
	require.EqualError(t, err, `loadgen options: URL "localhost:9096": want http://HOST:PORT or https://HOST:PORT
loadgen options: Mode "fast": want "backfill" or "live"
loadgen options: set Series or Hosts, not both
loadgen options: Duration -1ns and Start 0s must not be negative
loadgen options: Interval 1µs: use whole milliseconds, or 0 for 10s
loadgen options: Duration -1ns is shorter than one Interval (1µs); nothing to push`)
	require.NoError(t, Options{URL: "http://x:1"}.Validate())
}

// TestResultJSON pins the JSON field names.
func TestResultJSON(t *testing.T) {
	r := Result{Server: &ServerUsage{}, Latency: &LatencyResult{Idle: &Latency{P99: 1500 * time.Microsecond}, UnderLoad: &Latency{},
		BackgroundRate: 1, Background: &Phase{}}}
	r.Ingest.FirstError = "x"
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, []string{"batch_size", "concurrency", "hosts", "ingest", "interval_seconds", "latency", "mode", "seed", "series", "server", "steps", "url"}, sortedKeys(m))
	phase := []string{"duration_seconds", "errors", "first_error", "requests", "retries", "samples_accepted", "samples_failed",
		"samples_per_second", "samples_sent", "server_errors", "throttled"}
	require.Equal(t, phase, sortedKeys(m["ingest"]))
	require.Equal(t, []string{"cpu_seconds", "cpu_seconds_per_million_samples", "max_sampled_rss_bytes", "peak_rss_bytes", "pid"}, sortedKeys(m["server"]))
	lat := m["latency"].(map[string]any)
	require.Equal(t, []string{"background", "background_rate", "idle", "under_load"}, sortedKeys(lat))
	require.Equal(t, []string{"markers", "max_ms", "p50_ms", "p90_ms", "p99_ms", "timeouts"}, sortedKeys(lat["idle"]))
	require.Equal(t, 1.5, lat["idle"].(map[string]any)["p99_ms"])
	require.Equal(t, slices.DeleteFunc(phase, func(s string) bool { return s == "first_error" }), sortedKeys(lat["background"]))
}

func sortedKeys(v any) []string {
	var ks []string
	for k := range v.(map[string]any) {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestRunContextCanceled checks that Run stops when ctx ends.
func TestRunContextCanceled(t *testing.T) {
	fw, url := newFakeWriter(t)
	ctx, cancel := context.WithCancel(context.Background())
	fw.answer = func(n int) (int, string) {
		if n == 2 {
			cancel()
		}
		return 0, ""
	}
	o := quiet(url)
	o.Series, o.BatchSize, o.Concurrency, o.Duration = 10, 10, 1, time.Hour
	res, err := Run(ctx, o)
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, res.Ingest.SamplesSent, int64(360*10))
}
