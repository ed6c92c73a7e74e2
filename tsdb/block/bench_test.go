package block

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// benchSeries returns n series of k samples every 15s: gauges with two
// decimals and counters, seeded.
func benchSeries(n, k int) []*testSeries {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]*testSeries, 0, n)
	for i := range n {
		lset := labels.FromStrings("__name__", "metric_"+strconv.Itoa(i%50), "instance", "host-"+strconv.Itoa(i/50), "job", "node")
		v := 0.0
		out = append(out, regular(lset, 0, 15000, k, func(int) float64 {
			if i%2 == 0 {
				v += float64(rng.IntN(100))
				return v
			}
			return math.Round(rng.Float64()*10000) / 100
		}))
	}
	sortSeries(out)
	return out
}

// BenchmarkSelectIterate reads every sample of 10k series × 720 samples.
//
//	go test -run=^$ -bench=SelectIterate -count=6 ./tsdb/block | benchstat -
func BenchmarkSelectIterate(b *testing.B) {
	const n, k = 10000, 720
	blk, _ := writeOpen(b, benchSeries(n, k), WriteOptions{})
	b.ReportAllocs()
	var it chunkenc.Iterator
	for b.Loop() {
		q, err := blk.Querier(math.MinInt64, math.MaxInt64)
		if err != nil {
			b.Fatal(err)
		}
		set := q.Select(b.Context(), true, nil)
		samples := 0
		for set.Next() {
			it = set.At().Iterator(it)
			for it.Next() != chunkenc.ValNone {
				samples++
			}
		}
		if samples != n*k {
			b.Fatalf("%d samples", samples)
		}
		q.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*k), "ns/sample")
}

// BenchmarkWrite writes a block of 10k series × 720 samples.
//
//	go test -run=^$ -bench=Write -count=6 ./tsdb/block | benchstat -
func BenchmarkWrite(b *testing.B) {
	const n, k = 10000, 720
	series := benchSeries(n, k)
	parent := b.TempDir()
	b.ReportAllocs()
	i := 0
	var meta Meta
	for b.Loop() {
		var err error
		meta, err = Write(parent, "b"+strconv.Itoa(i), newListSet(series), WriteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N*n*k)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(meta.Chunks.Size)/float64(n*k), "chunk_bytes/sample")
	b.ReportMetric(float64(meta.Index.Size)/float64(n), "index_bytes/series")
}
