package fleet

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func newFleet(t testing.TB, opts Options) *Fleet {
	t.Helper()
	f, err := New(opts)
	require.NoError(t, err)
	return f
}

// run returns the values of the first steps steps of a fresh cursor.
func run(t testing.TB, f *Fleet, steps int) ([]int64, [][]float64) {
	t.Helper()
	c := f.NewCursor()
	ts := make([]int64, steps)
	vs := make([][]float64, steps)
	for k := range steps {
		vs[k] = make([]float64, f.Len())
		var err error
		ts[k], err = c.Next(vs[k])
		require.NoError(t, err)
	}
	return ts, vs
}

func TestDeterminism(t *testing.T) {
	opts := Options{Hosts: 5, Seed: 42, RestartProbability: 0.01}
	_, a := run(t, newFleet(t, opts), 200)
	_, b := run(t, newFleet(t, opts), 200)
	for k := range a {
		for i := range a[k] {
			require.Equal(t, math.Float64bits(a[k][i]), math.Float64bits(b[k][i]), "step %d series %d", k, i)
		}
	}
	opts.Seed = 43
	_, c := run(t, newFleet(t, opts), 2)
	require.NotEqual(t, a[1], c[1])
}

func TestSeriesCount(t *testing.T) {
	per := SeriesPerHost()
	require.Equal(t, 103, per)
	require.Equal(t, 3*per, newFleet(t, Options{Hosts: 3}).Len())
	f := newFleet(t, Options{TargetSeries: 1000})
	require.Equal(t, 1000, f.Len())
	require.Len(t, f.Series(), 1000)
	require.Equal(t, (1000+per-1)/per, f.Hosts())
}

func TestSeriesLabels(t *testing.T) {
	f := newFleet(t, Options{Hosts: 8})
	seen := map[string]bool{}
	regions := map[string]int{}
	for _, ls := range f.Series() {
		require.True(t, isSorted(ls), ls.String())
		require.False(t, seen[ls.String()], "duplicate %s", ls)
		seen[ls.String()] = true
		regions[ls.Get("region")]++
	}
	require.Len(t, regions, 4)
	for _, n := range regions {
		require.Equal(t, 2*SeriesPerHost(), n)
	}
	again := newFleet(t, Options{Hosts: 8}).Series()
	for i, ls := range f.Series() {
		require.Equal(t, ls.String(), again[i].String())
	}
}

func isSorted(ls labels.Labels) bool {
	prev, ok := "", true
	ls.Range(func(l labels.Label) {
		ok = ok && l.Name > prev
		prev = l.Name
	})
	return ok
}

func TestTimestamps(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f := newFleet(t, Options{Hosts: 1, Start: start})
	ts, _ := run(t, f, 3)
	require.Equal(t, []int64{start.UnixMilli(), start.UnixMilli() + 10000, start.UnixMilli() + 20000}, ts)
	require.Equal(t, 8640, f.Steps(24*time.Hour))
}

// TestCounters checks that counters only grow, except at a host restart,
// when every counter of the host drops and its boot time moves.
func TestCounters(t *testing.T) {
	f := newFleet(t, Options{Hosts: 20, Seed: 7, RestartProbability: 0.002})
	_, vs := run(t, f, 500)
	per := SeriesPerHost()
	restarts := 0
	for h := range f.Hosts() {
		for k := 1; k < len(vs); k++ {
			boot := vs[k][h*per+bootIndex()] != vs[k-1][h*per+bootIndex()]
			if boot {
				restarts++
			}
			for i := h * per; i < (h+1)*per; i++ {
				if !isCounter(f.Series()[i]) {
					continue
				}
				if boot {
					require.Less(t, vs[k][i], vs[k-1][i]+1e9, "series %s", f.Series()[i])
					continue
				}
				require.GreaterOrEqual(t, vs[k][i], vs[k-1][i], "step %d series %s", k, f.Series()[i])
			}
		}
	}
	require.Positive(t, restarts)
	require.Less(t, restarts, 100)
}

func TestNoRestartsWhenNegative(t *testing.T) {
	f := newFleet(t, Options{Hosts: 10, RestartProbability: -1})
	_, vs := run(t, f, 300)
	for k := 1; k < len(vs); k++ {
		for i, ls := range f.Series() {
			if isCounter(ls) {
				require.GreaterOrEqual(t, vs[k][i], vs[k-1][i])
			}
		}
	}
}

func TestHistogramConsistent(t *testing.T) {
	f := newFleet(t, Options{Hosts: 3, Seed: 1})
	_, vs := run(t, f, 50)
	for _, v := range vs {
		prev := -1.0
		for i, ls := range f.Series() {
			name := ls.Get(labels.MetricName)
			switch {
			case name == "http_request_duration_seconds_bucket":
				if ls.Get("le") == "0.005" {
					prev = -1
				}
				require.GreaterOrEqual(t, v[i], prev, ls.String())
				prev = v[i]
			case name == "http_request_duration_seconds_count":
				require.Equal(t, prev, v[i], "count equals the +Inf bucket: %s", ls)
			}
		}
	}
}

func TestGaugePrecision(t *testing.T) {
	f := newFleet(t, Options{Hosts: 4, Seed: 3})
	_, vs := run(t, f, 100)
	for _, v := range vs {
		for i, ls := range f.Series() {
			name := ls.Get(labels.MetricName)
			switch {
			case strings.HasSuffix(name, "_bytes") || name == "go_goroutines" || name == "rpc_server_in_flight":
				require.Equal(t, math.Trunc(v[i]), v[i], ls.String())
			case strings.HasPrefix(name, "node_load") || name == "node_cpu_seconds_total":
				require.Equal(t, math.Round(v[i]*100)/100, v[i], ls.String())
			}
		}
	}
}

func TestNextRejectsShortBuffer(t *testing.T) {
	f := newFleet(t, Options{Hosts: 1})
	_, err := f.NewCursor().Next(make([]float64, 3))
	require.ErrorContains(t, err, "buffer holds 3 values")
}

func TestValidate(t *testing.T) {
	_, err := New(Options{})
	require.ErrorContains(t, err, "set Hosts or TargetSeries")
	_, err = New(Options{Hosts: 1, Interval: time.Microsecond})
	require.ErrorContains(t, err, "whole milliseconds")
}

func TestNextAllocs(t *testing.T) {
	f := newFleet(t, Options{Hosts: 10})
	c := f.NewCursor()
	buf := make([]float64, f.Len())
	allocs := testing.AllocsPerRun(100, func() { _, _ = c.Next(buf) })
	require.Zero(t, allocs)
}

func isCounter(ls labels.Labels) bool {
	name := ls.Get(labels.MetricName)
	return strings.HasSuffix(name, "_total") || strings.HasSuffix(name, "_bucket") ||
		strings.HasSuffix(name, "_sum") || strings.HasSuffix(name, "_count")
}

func bootIndex() int {
	for i, s := range hostLayout {
		if s.kind == kindBootTime {
			return i
		}
	}
	return -1
}

func BenchmarkNext(b *testing.B) {
	f := newFleet(b, Options{TargetSeries: 100_000})
	c := f.NewCursor()
	buf := make([]float64, f.Len())
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.Next(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.Len()), "ns/sample")
}
