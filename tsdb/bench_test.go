package tsdb_test

// Run side by side and compare with benchstat:
//
//	go test ./tsdb/ -run '^$' -bench 'AppendBatch|Select' -count 6 | tee new.txt
//	benchstat -col /store new.txt

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	promtsdb "github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
)

const (
	benchSeries   = 10_000
	benchInterval = 10_000 // ms between a series' samples
)

// benchLabels returns n series of one metric over 100 jobs.
func benchLabels(n int) []labels.Labels {
	out := make([]labels.Labels, n)
	for i := range out {
		out[i] = labels.FromStrings("__name__", "http_requests_total", "instance", fmt.Sprintf("10.0.%d.%d:9100", i/256, i%256),
			"job", fmt.Sprintf("job-%d", i%100), "method", "GET")
	}
	return out
}

func openBenchDB(b *testing.B, sync time.Duration) *tsdb.DB {
	db, err := tsdb.Open(tsdb.Options{Dir: b.TempDir(), WALSyncInterval: sync, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, db.Close()) })
	return db
}

func openPromDB(b *testing.B) *promtsdb.DB {
	db, err := promtsdb.Open(b.TempDir(), nil, nil, promtsdb.DefaultOptions(), nil)
	require.NoError(b, err)
	db.DisableCompactions() // keep the benchmark on the head
	b.Cleanup(func() { require.NoError(b, db.Close()) })
	return db
}

// BenchmarkAppendBatch appends batches of one sample for each of 10k known
// series, the timestamps advancing by 10 s per batch: Vigil's AppendBatch
// with the WAL fsynced every batch and on an interval, and Prometheus' head
// (its WAL in a temporary directory) on the same data in the same run, once
// looking series up by labels as AppendBatch does and once with the series
// refs cached, as its scrape loop does.
func BenchmarkAppendBatch(b *testing.B) {
	lsets := benchLabels(benchSeries)
	for _, sync := range []struct {
		name     string
		interval time.Duration
	}{{"always", 0}, {"interval", time.Second}} {
		b.Run("store=vigil/wal_sync="+sync.name, func(b *testing.B) {
			db := openBenchDB(b, sync.interval)
			batch := &tsdb.Batch{}
			for _, lset := range lsets {
				bs := batch.Next()
				bs.Labels = lset
				bs.Samples = append(bs.Samples, tsdb.Sample{})
			}
			appendVigil(b, db, batch, 0) // create the series
			ts := int64(0)
			b.ReportAllocs()
			for b.Loop() {
				ts += benchInterval
				appendVigil(b, db, batch, ts)
			}
			reportPerSample(b)
		})
	}
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("store=prometheus/refs_cached=%t", cached), func(b *testing.B) {
			db := openPromDB(b)
			refs := make([]storage.SeriesRef, len(lsets))
			appendProm(b, db, lsets, refs, 0)
			ts := int64(0)
			b.ReportAllocs()
			for b.Loop() {
				ts += benchInterval
				if !cached {
					clear(refs) // look every series up by its labels, as AppendBatch does
				}
				appendProm(b, db, lsets, refs, ts)
			}
			reportPerSample(b)
		})
	}
}

func appendVigil(b *testing.B, db *tsdb.DB, batch *tsdb.Batch, ts int64) {
	for i := range batch.Series {
		batch.Series[i].Samples[0] = tsdb.Sample{T: ts, V: float64(ts + int64(i))}
	}
	res, err := db.AppendBatch(batch)
	if err != nil || res.Appended != len(batch.Series) {
		b.Fatalf("append at %d: %+v, %v", ts, res, err)
	}
}

func appendProm(b *testing.B, db *promtsdb.DB, lsets []labels.Labels, refs []storage.SeriesRef, ts int64) {
	app := db.AppenderV2(context.Background())
	var err error
	for i, lset := range lsets {
		if refs[i], err = app.Append(refs[i], lset, 0, ts, float64(ts+int64(i)), nil, nil, storage.AOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	if err := app.Commit(); err != nil {
		b.Fatal(err)
	}
}

func reportPerSample(b *testing.B) {
	perSample := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / benchSeries
	b.ReportMetric(perSample, "ns/sample")
	b.ReportMetric(1e9/perSample, "samples/s")
}

// BenchmarkSelect selects and reads series out of 10k series holding 2 h of
// samples at a 10 s interval (720 samples, 6 chunks each), from Vigil and from
// Prometheus' head loaded with the same data.
func BenchmarkSelect(b *testing.B) {
	const samples = 720
	lsets := benchLabels(benchSeries)
	vigil := openBenchDB(b, time.Hour)
	prom := openPromDB(b)
	loadSelectData(b, vigil, prom, lsets, samples)
	cases := []struct {
		name string
		ms   []*labels.Matcher
	}{
		{"one_series", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "instance", "10.0.3.7:9100")}},
		{"job_eq", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "http_requests_total"),
			labels.MustNewMatcher(labels.MatchEqual, "job", "job-42")}},
		{"job_regex", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "http_requests_total"),
			labels.MustNewMatcher(labels.MatchRegexp, "job", "job-4.")}},
	}
	for _, c := range cases {
		for _, store := range []struct {
			name string
			q    storage.Queryable
		}{{"vigil", vigil}, {"prometheus", prom}} {
			b.Run("case="+c.name+"/store="+store.name, func(b *testing.B) {
				b.ReportAllocs()
				read := 0
				for b.Loop() {
					read += selectAndRead(b, store.q, samples*benchInterval, c.ms)
				}
				b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}

func loadSelectData(b *testing.B, vigil *tsdb.DB, prom *promtsdb.DB, lsets []labels.Labels, samples int) {
	batch := &tsdb.Batch{}
	refs := make([]storage.SeriesRef, len(lsets))
	for _, lset := range lsets {
		batch.Next().Labels = lset
		batch.Series[len(batch.Series)-1].Samples = append(batch.Series[len(batch.Series)-1].Samples, tsdb.Sample{})
	}
	for s := range samples {
		ts := int64(s) * benchInterval
		appendVigil(b, vigil, batch, ts)
		appendProm(b, prom, lsets, refs, ts)
	}
}

// selectAndRead selects the series over the whole range, reads every sample
// and returns how many it read.
func selectAndRead(b *testing.B, q storage.Queryable, maxt int64, ms []*labels.Matcher) int {
	qr, err := q.Querier(0, maxt)
	if err != nil {
		b.Fatal(err)
	}
	set := qr.Select(context.Background(), true, nil, ms...)
	var it chunkenc.Iterator
	n := 0
	for set.Next() {
		it = set.At().Iterator(it)
		for it.Next() != chunkenc.ValNone {
			n++
		}
	}
	if err := set.Err(); err != nil {
		b.Fatal(err)
	}
	if err := qr.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkSelectFromLargeMetric selects the 100 series of one service, and
// the 40 of them with 5xx codes, out of 100k series of one metric (one sample
// each), as a rule does: from Vigil and from Prometheus' head with the same
// series. BenchmarkPostingsForMatchers measures the postings part alone
// against the merge-walk reference.
func BenchmarkSelectFromLargeMetric(b *testing.B) {
	const series = 100_000
	vigil := openBenchDB(b, time.Hour)
	prom := openPromDB(b)
	batch := &tsdb.Batch{}
	lsets := make([]labels.Labels, series)
	for i := range lsets {
		lsets[i] = labels.FromStrings("__name__", "http_requests_total", "code", []string{"200", "201", "404", "500", "503"}[(i/1000)%5],
			"instance", fmt.Sprintf("10.%d.%d.%d:9100", i>>16, (i>>8)&255, i&255), "service", fmt.Sprintf("svc-%d", i%1000))
		bs := batch.Next()
		bs.Labels = lsets[i]
		bs.Samples = append(bs.Samples, tsdb.Sample{})
	}
	appendVigil(b, vigil, batch, 0)
	appendProm(b, prom, lsets, make([]storage.SeriesRef, series), 0)
	name := labels.MustNewMatcher(labels.MatchEqual, "__name__", "http_requests_total")
	svc := labels.MustNewMatcher(labels.MatchEqual, "service", "svc-17")
	cases := []struct {
		name string
		ms   []*labels.Matcher
		want int
	}{
		{"name_service", []*labels.Matcher{name, svc}, 100},
		{"name_service_code_regex", []*labels.Matcher{name, svc, labels.MustNewMatcher(labels.MatchRegexp, "code", "5..")}, 40},
	}
	for _, c := range cases {
		for _, store := range []struct {
			name string
			q    storage.Queryable
		}{{"vigil", vigil}, {"prometheus", prom}} {
			b.Run("case="+c.name+"/store="+store.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if n := selectAndRead(b, store.q, 1, c.ms); n != c.want {
						b.Fatalf("read %d samples, want %d", n, c.want)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.want), "ns/series")
			})
		}
	}
}
