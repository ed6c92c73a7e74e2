package tsdb

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

// openTestDB opens a DB in a fresh directory (or opts.Dir when set) and
// closes it when the test ends, unless the test closed it.
func openTestDB(t testing.TB, opts Options) *DB {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.noMaintenance = true // tests call db.maintain themselves
	db, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// batch builds a Batch from series given as label pairs and samples.
type seriesSpec struct {
	lset    labels.Labels
	samples []Sample
}

func batchOf(series ...seriesSpec) *Batch {
	b := &Batch{}
	for _, s := range series {
		bs := b.Next()
		bs.Labels = s.lset
		bs.Samples = append(bs.Samples, s.samples...)
	}
	return b
}

func spec(lset labels.Labels, samples ...Sample) seriesSpec {
	return seriesSpec{lset: lset, samples: samples}
}

// appendOK appends a batch and fails the test on a storage error.
func appendOK(t testing.TB, db *DB, series ...seriesSpec) AppendResult {
	t.Helper()
	res, err := db.AppendBatch(batchOf(series...))
	require.NoError(t, err)
	return res
}

// gotSeries is one series as a query returned it.
type gotSeries struct {
	Labels  string
	Samples []Sample
}

// selectAll runs Select over [mint, maxt] and reads every sample.
func selectAll(t testing.TB, q storage.Queryable, mint, maxt int64, hints *storage.SelectHints, ms ...*labels.Matcher) []gotSeries {
	t.Helper()
	qr, err := q.Querier(mint, maxt)
	require.NoError(t, err)
	defer func() { require.NoError(t, qr.Close()) }()
	return dumpSource(t, qr.Select(context.Background(), true, hints, ms...))
}

func readSamples(t testing.TB, it chunkenc.Iterator) []Sample {
	t.Helper()
	var out []Sample
	for vt := it.Next(); vt != chunkenc.ValNone; vt = it.Next() {
		require.Equal(t, chunkenc.ValFloat, vt)
		ts, v := it.At()
		require.Equal(t, ts, it.AtT())
		out = append(out, Sample{T: ts, V: v})
	}
	require.NoError(t, it.Err())
	return out
}

// requireSameSamples compares samples bit for bit (NaN payloads included).
func requireSameSamples(t testing.TB, want, got []gotSeries) {
	t.Helper()
	require.Equal(t, len(want), len(got), "series count: want %v, got %v", names(want), names(got))
	for i := range want {
		require.Equal(t, want[i].Labels, got[i].Labels)
		require.Equal(t, len(want[i].Samples), len(got[i].Samples), "samples of %s", want[i].Labels)
		for j, w := range want[i].Samples {
			g := got[i].Samples[j]
			require.Equal(t, w.T, g.T, "%s sample %d", want[i].Labels, j)
			require.Equal(t, math.Float64bits(w.V), math.Float64bits(g.V), "%s sample %d at %d: %v vs %v", want[i].Labels, j, w.T, w.V, g.V)
		}
	}
}

func names(s []gotSeries) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i].Labels
	}
	return out
}

// ramp returns n samples at t0, t0+step, … with values v0, v0+1, ….
func ramp(t0, step int64, n int, v0 float64) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = Sample{T: t0 + int64(i)*step, V: v0 + float64(i)}
	}
	return out
}

// fakeClock is a clock that tests set by hand; safe for concurrent use.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) Set(t time.Time) { c.ms.Store(t.UnixMilli()) }
func (c *fakeClock) Now() time.Time  { return time.UnixMilli(c.ms.Load()) }

func eq(name, value string) *labels.Matcher {
	return labels.MustNewMatcher(labels.MatchEqual, name, value)
}
