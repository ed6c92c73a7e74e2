package block

import (
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

// seriesRange returns series s0…s(n-1), sample every 10 ms in [from, to]
// with value t*k for series k.
func seriesRange(names []int, from, to int64) []*testSeries {
	var out []*testSeries
	for _, k := range names {
		n := int((to-from)/10) + 1
		out = append(out, regular(labels.FromStrings("s", strconv.Itoa(k)), from, 10, n,
			func(i int) float64 { return float64((from + int64(i)*10) * int64(k)) }))
	}
	sortSeries(out)
	return out
}

func TestCompact(t *testing.T) {
	cases := map[string]struct {
		a, b []*testSeries
		want []*testSeries
	}{
		"overlapping": {
			a:    seriesRange([]int{1, 2, 3}, 0, 1000),
			b:    seriesRange([]int{2, 3, 4}, 500, 2000),
			want: append(seriesRange([]int{1}, 0, 1000), append(seriesRange([]int{2, 3}, 0, 2000), seriesRange([]int{4}, 500, 2000)...)...),
		},
		"adjacent": {
			a:    seriesRange([]int{1, 2}, 0, 990),
			b:    seriesRange([]int{2, 5}, 1000, 1990),
			want: append(seriesRange([]int{1}, 0, 990), append(seriesRange([]int{2}, 0, 1990), seriesRange([]int{5}, 1000, 1990)...)...),
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			_, err := Write(parent, "a", newListSet(c.a), WriteOptions{MaxChunkSamples: 30})
			require.NoError(t, err)
			_, err = Compact(parent, "x", nil, WriteOptions{})
			require.Error(t, err)
			_, err = Write(parent, "b", newListSet(c.b), WriteOptions{MaxChunkSamples: 7})
			require.NoError(t, err)
			a, err := Open(filepath.Join(parent, "a"))
			require.NoError(t, err)
			defer a.Close()
			b, err := Open(filepath.Join(parent, "b"))
			require.NoError(t, err)
			defer b.Close()

			meta, err := Compact(parent, "c", []*Block{a, b}, WriteOptions{MaxChunkSamples: 50})
			require.NoError(t, err)
			require.Equal(t, 2, meta.Level)
			require.Equal(t, []string{"a", "b"}, meta.Parents)
			require.Equal(t, min(a.Meta().MinT, b.Meta().MinT), meta.MinT)
			require.Equal(t, max(a.Meta().MaxT, b.Meta().MaxT), meta.MaxT)
			cb, err := Open(filepath.Join(parent, "c"))
			require.NoError(t, err)
			defer cb.Close()
			require.Equal(t, meta, cb.Meta())
			q, err := cb.Querier(math.MinInt64, math.MaxInt64)
			require.NoError(t, err)
			defer q.Close()
			sortSeries(c.want)
			requireSameSeries(t, c.want, readAll(t, q, nil))

			meta, err = Compact(parent, "d", []*Block{cb, a}, WriteOptions{})
			require.NoError(t, err)
			require.Equal(t, 3, meta.Level)
		})
	}
}
