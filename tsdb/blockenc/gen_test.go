package blockenc

import (
	"math"
	"math/rand/v2"
)

// Generators of realistic series at a 10 s interval, with fixed seeds.
// They are shared by the tests and the benchmarks.

const (
	scrapeMs = 10_000
	startMs  = 1_700_000_000_000
)

// series is one series' samples.
type series struct {
	ts []int64
	vs []float64
}

// grid returns n timestamps every scrapeMs from startMs.
func grid(n int) []int64 {
	ts := make([]int64, n)
	for i := range ts {
		ts[i] = startMs + int64(i)*scrapeMs
	}
	return ts
}

// poisson draws from a Poisson distribution of mean lambda (Knuth; small
// lambda only).
func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// genCounter is a counter whose increments per scrape are Poisson with a
// per-series rate drawn uniformly from 0..20.
func genCounter(r *rand.Rand, n int) series {
	lambda := r.Float64() * 20
	vs := make([]float64, n)
	c := float64(r.IntN(1_000_000))
	for i := range vs {
		c += float64(poisson(r, lambda))
		vs[i] = c
	}
	return series{grid(n), vs}
}

// genGauge is a random walk with two decimals: steps of N(0, 0.05),
// rounded to 0.01, from a random start in 0..1000.
func genGauge(r *rand.Rand, n int) series {
	vs := make([]float64, n)
	m := int64(r.IntN(100_000))
	for i := range vs {
		m += int64(math.Round(r.NormFloat64() * 5))
		vs[i] = float64(m) / 100
	}
	return series{grid(n), vs}
}

// genConst is a constant (build info, limits, config values).
func genConst(r *rand.Rand, n int) series {
	vs := make([]float64, n)
	v := float64(r.IntN(4096))
	for i := range vs {
		vs[i] = v
	}
	return series{grid(n), vs}
}

// bucketBounds are the upper bounds (s) of a latency histogram; the last
// bucket is +Inf.
var bucketBounds = [...]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, math.Inf(1)}

// genHistogram returns the cumulative bucket counters of one histogram:
// Poisson(0..20) observations per scrape with log-normal latencies around
// 100 ms.
func genHistogram(r *rand.Rand, n int) []series {
	lambda := r.Float64() * 20
	out := make([]series, len(bucketBounds))
	for b := range out {
		out[b] = series{grid(n), make([]float64, n)}
	}
	counts := make([]float64, len(bucketBounds))
	for i := 0; i < n; i++ {
		for range poisson(r, lambda) {
			lat := math.Exp(r.NormFloat64() - 2.3)
			for b, le := range bucketBounds {
				if lat <= le {
					counts[b]++
				}
			}
		}
		for b := range out {
			out[b].vs[i] = counts[b]
		}
	}
	return out
}

// genFloatGauge is a gauge of arbitrary floats (ratios, averages): the
// float kind's data.
func genFloatGauge(r *rand.Rand, n int) series {
	vs := make([]float64, n)
	x := r.Float64() * 100
	for i := range vs {
		x *= 1 + r.NormFloat64()*0.001
		vs[i] = x
	}
	return series{grid(n), vs}
}

// genKind returns count series (histograms: buckets) of one kind.
func genKind(kind string, seed uint64, count, n int) []series {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var out []series
	for len(out) < count {
		switch kind {
		case "counter":
			out = append(out, genCounter(r, n))
		case "gauge":
			out = append(out, genGauge(r, n))
		case "const":
			out = append(out, genConst(r, n))
		case "histogram":
			out = append(out, genHistogram(r, n)...)
		case "float":
			out = append(out, genFloatGauge(r, n))
		}
	}
	return out[:count]
}

// mixShares is the realistic mix by series count, in percent: histogram
// buckets dominate real fleets, then counters, gauges, constants. Series
// are grouped by kind, as a label-sorted block groups them by metric name.
var mixShares = []struct {
	kind  string
	share int
}{{"counter", 30}, {"gauge", 20}, {"const", 10}, {"histogram", 40}}

// genMix returns count series in the realistic mix.
func genMix(seed uint64, count, n int) []series {
	var out []series
	for i, m := range mixShares {
		out = append(out, genKind(m.kind, seed+uint64(i), count*m.share/100, n)...)
	}
	return out
}
