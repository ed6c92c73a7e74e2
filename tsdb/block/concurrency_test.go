package block

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

func TestConcurrentQueriersAndClose(t *testing.T) {
	series := roundTripSeries()
	parent := t.TempDir()
	_, err := Write(parent, "b", newListSet(series), WriteOptions{MaxChunkSamples: 200, PageSize: 4 << 10})
	require.NoError(t, err)
	b, err := Open(parent + "/b")
	require.NoError(t, err)

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 3 {
				q, err := b.Querier(int64(g)*1000, math.MaxInt64)
				if err != nil {
					t.Error(err)
					return
				}
				got := readAll(t, q, nil)
				if len(got) != len(trimmed(series, int64(g)*1000, math.MaxInt64)) {
					t.Errorf("goroutine %d: %d series", g, len(got))
				}
				if err := q.Close(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	// Close waits for an open querier, whose series stay readable.
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	set := q.Select(t.Context(), true, nil)
	closed := make(chan error)
	go func() { closed <- b.Close() }()
	deadline := time.Now().Add(10 * time.Second)
	for { // wait until Close has begun: new queriers are refused
		extra, err := b.Querier(0, 1)
		if err != nil {
			require.ErrorIs(t, err, ErrClosed)
			break
		}
		require.NoError(t, extra.Close())
		require.True(t, time.Now().Before(deadline))
	}
	var it chunkenc.Iterator
	n := 0
	for set.Next() {
		it = set.At().Iterator(it)
		for it.Next() != chunkenc.ValNone {
			n++
		}
		require.NoError(t, it.Err())
	}
	select {
	case <-closed:
		t.Fatal("Close returned with a querier open")
	default:
	}
	require.NoError(t, q.Close())
	require.NoError(t, <-closed)
	require.Positive(t, n)
	_, _, err = q.LabelNames(t.Context(), nil)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, q.Select(t.Context(), true, nil).Err(), ErrClosed)
	require.NoError(t, b.Close())
}
