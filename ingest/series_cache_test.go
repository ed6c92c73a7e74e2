package ingest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
)

// refCounter is an Appender that counts the series that came by a cached
// reference, without labels, before it stores the batch.
type refCounter struct {
	*tsdb.DB
	byRef, byLabels int
}

func (a *refCounter) AppendBatch(b *tsdb.Batch) (tsdb.AppendResult, error) {
	for _, s := range b.Series {
		if s.Ref != 0 && s.Labels.IsEmpty() {
			a.byRef++
		} else {
			a.byLabels++
		}
	}
	return a.DB.AppendBatch(b)
}

func (a *refCounter) take() (byRef, byLabels int) {
	byRef, byLabels = a.byRef, a.byLabels
	a.byRef, a.byLabels = 0, 0
	return byRef, byLabels
}

// TestSeriesCacheIntoStore pushes the same series again: the second time
// they go in by reference, and the store holds exactly what was sent. The
// same labels in another order are another cache entry of the same series.
func TestSeriesCacheIntoStore(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	h := newTestHandler(app, nil)
	up, temp := []string{"__name__", "up", "job", "a"}, []string{"__name__", "temp", "room", "b"}
	push(t, h, rwRequest(t, ts(up, 1000, 1), ts(temp, 1000, 20)), 204, "")
	require.Equal(t, 2, h.series.len())
	byRef, byLabels := app.take()
	require.Equal(t, [2]int{0, 2}, [2]int{byRef, byLabels})

	upReordered := []string{"job", "a", "__name__", "up"}
	push(t, h, rwRequest(t, ts(temp, 2000, 21), ts(up, 2000, 0), ts(upReordered, 3000, 1)), 204, "")
	byRef, byLabels = app.take()
	require.Equal(t, [2]int{2, 1}, [2]int{byRef, byLabels})
	require.Equal(t, 3, h.series.len())

	push(t, h, rwRequest(t, ts(upReordered, 4000, 1)), 204, "")
	byRef, byLabels = app.take()
	require.Equal(t, [2]int{1, 0}, [2]int{byRef, byLabels})

	want := "{__name__=\"temp\", room=\"b\"} 1000:20 2000:21\n" +
		"{__name__=\"up\", job=\"a\"} 1000:1 2000:0 3000:1 4000:1\n"
	require.Equal(t, want, stored(t, app.DB))
}

// TestSeriesCacheStaleRef flushes the head, which drops the series: the
// cached reference names no series any more, the labels are resolved from
// the request, the series is created again, and the cache learns its new
// reference.
func TestSeriesCacheStaleRef(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	h := newTestHandler(app, nil)
	up := []string{"__name__", "up", "job", "a"}
	push(t, h, rwRequest(t, ts(up, 1000, 1)), 204, "")
	key, old := onlyEntry(t, h.series)
	_, err := app.Flush(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, app.NumSeries())

	push(t, h, rwRequest(t, ts(up, 2000, 0)), 204, "")
	byRef, byLabels := app.take()
	require.Equal(t, [2]int{1, 1}, [2]int{byRef, byLabels}) // the second request went in by ref
	require.Equal(t, 1, app.NumSeries())
	ref, fresh, ok := h.series.get(key)
	require.True(t, ok && fresh)
	require.NotEqual(t, old, ref)

	push(t, h, rwRequest(t, ts(up, 3000, 1)), 204, "")
	require.Equal(t, "{__name__=\"up\", job=\"a\"} 1000:1 2000:0 3000:1\n", stored(t, app.DB))
}

// onlyEntry returns the one entry of c.
func onlyEntry(t *testing.T, c *seriesCache) (seriesKey, storage.SeriesRef) {
	t.Helper()
	require.Equal(t, 1, c.len())
	for i := range c.shards {
		for k, ref := range c.shards[i].cur {
			return k, ref
		}
	}
	panic("unreachable")
}

// TestSeriesCacheGenerations fills a small cache past its size: the oldest
// generation goes, and an entry found in the previous one is kept.
func TestSeriesCacheGenerations(t *testing.T) {
	c := newSeriesCache(cacheShards * 2) // two entries per shard and generation
	var keys []seriesKey
	for i := range 5 { // five keys of one shard
		keys = append(keys, seriesKey{0, uint64(i)})
		c.put(keys[i], storage.SeriesRef(i+1))
	}
	// Generations: [k4] current, [k2 k3] previous; k0 and k1 are gone.
	for i, want := range []struct{ fresh, ok bool }{{false, false}, {false, false}, {false, true}, {false, true}, {true, true}} {
		ref, fresh, ok := c.get(keys[i])
		require.Equal(t, want, struct{ fresh, ok bool }{fresh, ok}, "key %d", i)
		if ok {
			require.Equal(t, storage.SeriesRef(i+1), ref)
		}
	}
	c.put(keys[2], 3) // a hit in the previous generation, put back
	_, fresh, ok := c.get(keys[2])
	require.True(t, fresh && ok)
	require.Equal(t, 4, c.len())
}

// TestHandlerNoSeriesCache: a negative size turns the cache off.
func TestHandlerNoSeriesCache(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	h := NewHandler(app, Options{SeriesCacheEntries: -1, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return testTime }})
	require.Nil(t, h.series)
	for _, tv := range []float64{1000, 2000} {
		push(t, h, rwRequest(t, prompb.TimeSeries{
			Labels:  []prompb.Label{{Name: "__name__", Value: "up"}},
			Samples: []prompb.Sample{{Timestamp: int64(tv), Value: 1}},
		}), 204, "")
	}
	byRef, byLabels := app.take()
	require.Equal(t, [2]int{0, 2}, [2]int{byRef, byLabels})
}
