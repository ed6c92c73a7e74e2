package gorilla

import (
	"bytes"
	"testing"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// Each benchmark runs 120-sample chunks (one head chunk at a 10 s interval
// is 20 minutes) of five realistic series, through this package
// (impl=vigil) and through Prometheus' XOR chunk (impl=prometheus) as a
// baseline in the same run. Compare the two, or a change against its base:
//
//	go test ./tsdb/gorilla -run='^$' -bench=. -benchtime=1s -count=10 | tee new.txt
//	benchstat -col /impl new.txt
//	benchstat old.txt new.txt
//
// bits/sample is the whole chunk (header included) over its samples.

const benchSamples = 120

// benchSeries are the data sets: a steady 10 s grid or one where every
// timestamp is off by up to ±5 ms; a float gauge with two decimals (the
// costly kind), an integer gauge of memory bytes, or a counter.
func benchSeries() []struct {
	name    string
	samples []sample
} {
	return []struct {
		name    string
		samples []sample
	}{
		{"grid-gauge", zip(grid(benchSamples, t0, 10_000), gauge(42))},
		{"grid-memory", zip(grid(benchSamples, t0, 10_000), memory(42))},
		{"grid-counter", zip(grid(benchSamples, t0, 10_000), counter(42))},
		{"jitter-gauge", zip(jittered(benchSamples, 10_000, 5, 42), gauge(42))},
		{"jitter-counter", zip(jittered(benchSamples, 10_000, 5, 42), counter(42))},
	}
}

// reportPerSample adds ns/sample and bits/sample for chunks of n samples
// encoded in size bytes.
func reportPerSample(b *testing.B, n, size int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sample")
	b.ReportMetric(float64(8*size)/float64(n), "bits/sample")
}

func BenchmarkAppend(b *testing.B) {
	for _, s := range benchSeries() {
		b.Run("data="+s.name+"/impl=vigil", func(b *testing.B) {
			c := NewChunk(benchSamples)
			b.ReportAllocs()
			for b.Loop() {
				c.Reset()
				for _, x := range s.samples {
					c.Append(x.t, x.v)
				}
			}
			reportPerSample(b, len(s.samples), len(c.Bytes()))
		})
		b.Run("data="+s.name+"/impl=prometheus", func(b *testing.B) {
			c := chunkenc.NewXORChunk()
			b.ReportAllocs()
			for b.Loop() {
				stream := c.Bytes()[:2]
				stream[0], stream[1] = 0, 0
				c.Reset(stream)
				app, _ := c.Appender()
				for _, x := range s.samples {
					app.Append(0, x.t, x.v)
				}
			}
			reportPerSample(b, len(s.samples), len(c.Bytes()))
		})
	}
}

func BenchmarkIterate(b *testing.B) {
	for _, s := range benchSeries() {
		chunk := encode(s.samples)
		b.Run("data="+s.name+"/impl=vigil", func(b *testing.B) {
			var it Iterator
			var sink float64
			b.ReportAllocs()
			for b.Loop() {
				it.Reset(chunk)
				for it.Next() {
					_, v := it.At()
					sink += v
				}
			}
			checkSink(b, sink, it.Err())
			reportPerSample(b, len(s.samples), len(chunk))
		})
		b.Run("data="+s.name+"/impl=prometheus", func(b *testing.B) {
			c, err := chunkenc.FromData(chunkenc.EncXOR, bytes.Clone(chunk))
			if err != nil {
				b.Fatalf("prometheus chunk: %v", err)
			}
			var it chunkenc.Iterator
			var sink float64
			b.ReportAllocs()
			for b.Loop() {
				it = c.Iterator(it)
				for it.Next() != chunkenc.ValNone {
					_, v := it.At()
					sink += v
				}
			}
			checkSink(b, sink, it.Err())
			reportPerSample(b, len(s.samples), len(chunk))
		})
	}
}

// checkSink fails a benchmark whose loop decoded nothing or stopped on an
// error; it also keeps the decoded values alive.
func checkSink(b *testing.B, sink float64, err error) {
	if sink == 0 || err != nil {
		b.Fatalf("iteration decoded nothing (sum %g) or failed: %v", sink, err)
	}
}

// TestBenchSeriesSizes pins the chunk sizes the benchmarks and the package
// documentation quote.
func TestBenchSeriesSizes(t *testing.T) {
	want := map[string]int{
		"grid-gauge":     825, // 55.0 bits/sample
		"grid-memory":    358, // 23.9
		"grid-counter":   245, // 16.3
		"jitter-gauge":   1029,
		"jitter-counter": 449,
	}
	for _, s := range benchSeries() {
		if got := len(encode(s.samples)); got != want[s.name] {
			t.Errorf("%s: %d bytes, want %d", s.name, got, want[s.name])
		}
	}
}
