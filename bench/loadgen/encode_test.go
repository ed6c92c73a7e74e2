package loadgen

import (
	"math"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/prompb"
	"github.com/stretchr/testify/require"
)

// TestAppendRequestMatchesPrompb decodes the encoder's output with the
// generated decoder.
func TestAppendRequestMatchesPrompb(t *testing.T) {
	series := []labels.Labels{
		labels.FromStrings("__name__", "a_total", "job", "x"),
		labels.FromStrings("__name__", "b", "instance", "h:9100", "zone", ""),
		labels.FromStrings("__name__", "c", "long", string(make([]byte, 300))),
	}
	set := newSeriesSet(series, "loadgen", "background")
	w := newWindow(3, 3, nil)
	w.ts = append(w.ts, 0, 1_700_000_000_000, -5)
	w.vals[0] = []float64{0, 1.5, math.Inf(1)}
	w.vals[1] = []float64{-2, math.MaxFloat64, 3}
	w.vals[2] = []float64{1e-300, 7, math.Float64frombits(0x7ff8000000000001)}

	var wr prompb.WriteRequest
	require.NoError(t, wr.Unmarshal(appendRequest(nil, set, 1, 3, w)))
	require.Len(t, wr.Timeseries, 2)
	for k, ts := range wr.Timeseries {
		i := k + 1
		want := labels.NewBuilder(series[i]).Set("loadgen", "background").Labels()
		require.Equal(t, want.String(), labelsOf(ts.Labels).String())
		require.Len(t, ts.Samples, 3)
		for j, s := range ts.Samples {
			require.Equal(t, w.ts[j], s.Timestamp)
			require.Equal(t, math.Float64bits(w.vals[j][i]), math.Float64bits(s.Value), "series %d step %d", i, j)
		}
	}
}

func TestAppendRequestAllocs(t *testing.T) {
	set := newSeriesSet([]labels.Labels{labels.FromStrings("__name__", "a", "b", "c"), labels.FromStrings("__name__", "d")}, "", "")
	w := newWindow(2, 2, nil)
	w.ts = append(w.ts, 1000, 2000)
	buf := appendRequest(nil, set, 0, 2, w)
	allocs := testing.AllocsPerRun(100, func() { buf = appendRequest(buf[:0], set, 0, 2, w) })
	require.Zero(t, allocs)
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name                string
		n, workers, batch   int
		multiStep           bool
		groups, size, steps int
	}{
		{"a group per worker when there are enough series", 10_000, 4, 2000, true, 8, 1250, 1},
		{"fewer series than a batch per worker: several steps", 1000, 4, 2000, true, 4, 250, 8},
		{"live: one step", 1000, 4, 2000, false, 4, 250, 1},
		{"fewer series than workers", 3, 4, 2000, true, 3, 1, 2000},
		{"a batch bigger than n", 5, 1, 2000, true, 1, 5, 400},
		{"100k series", 100_000, 4, 2000, true, 52, 1924, 1},
		{"uneven", 10, 3, 2, true, 5, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPlan(tt.n, tt.workers, tt.batch, tt.multiStep)
			require.Equal(t, [3]int{tt.groups, tt.size, tt.steps}, [3]int{p.groups, p.size, p.steps})
			covered := 0
			for g := range p.groups {
				lo, hi := p.bounds(g)
				require.Equal(t, covered, lo)
				require.LessOrEqual(t, (hi-lo)*p.steps, max(tt.batch, hi-lo))
				covered = hi
			}
			require.Equal(t, tt.n, covered)
		})
	}
}
