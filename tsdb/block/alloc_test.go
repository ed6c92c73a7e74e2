//go:build !race

package block

import (
	"math"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

// Iterating a block's series with a reused iterator does not allocate (the
// race detector's instrumentation does, hence the build tag).
func TestIterateAllocs(t *testing.T) {
	var series []*testSeries
	for i := range 10 {
		series = append(series, regular(labels.FromStrings("i", strconv.Itoa(i)), 0, 15000, 720, func(k int) float64 { return float64(k) }))
	}
	b, _ := writeOpen(t, series, WriteOptions{})
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	defer q.Close()
	var all []storage.Series
	set := q.Select(t.Context(), true, nil)
	for set.Next() {
		all = append(all, set.At())
	}
	var it chunkenc.Iterator
	iterate := func() {
		for _, s := range all {
			it = s.Iterator(it)
			for it.Next() != chunkenc.ValNone {
			}
		}
	}
	iterate() // size the buffers
	require.Zero(t, testing.AllocsPerRun(20, iterate))
}
