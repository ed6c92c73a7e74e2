package gorilla

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// sample is one decoded sample; tests compare values by their bits.
type sample struct {
	t int64
	v float64
}

// t0 is a realistic first timestamp: 2023-11-14T22:13:20Z in ms.
const t0 = 1_700_000_000_000

// Special float values that must survive bit for bit.
var (
	staleNaN   = math.Float64frombits(0x7ff0000000000002) // Prometheus' stale marker
	quietNaN   = math.Float64frombits(0x7ff8000000000001) // math.NaN()
	payloadNaN = math.Float64frombits(0xfff4_2424_2424_2424)
	negZero    = math.Copysign(0, -1)
)

// grid returns n timestamps from start, step ms apart.
func grid(n int, start, step int64) []int64 {
	ts := make([]int64, n)
	for i := range ts {
		ts[i] = start + int64(i)*step
	}
	return ts
}

// jittered returns n timestamps on a step grid, each moved by up to ±jitter
// ms; they stay strictly increasing while jitter < step/2.
func jittered(n int, step, jitter int64, seed uint64) []int64 {
	r := rand.New(rand.NewPCG(seed, 1))
	ts := grid(n, t0, step)
	for i := range ts {
		ts[i] += r.Int64N(2*jitter+1) - jitter
	}
	return ts
}

// zip pairs timestamps with values; vals is called once per timestamp.
func zip(ts []int64, vals func(i int) float64) []sample {
	s := make([]sample, len(ts))
	for i, t := range ts {
		s[i] = sample{t: t, v: vals(i)}
	}
	return s
}

// constant is a value function for a series that never changes.
func constant(v float64) func(int) float64 {
	return func(int) float64 { return v }
}

// counter returns a value function for a counter that grows by 0..99 each
// sample, like requests per scrape.
func counter(seed uint64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	v := 1e6
	return func(int) float64 {
		v += float64(r.IntN(100))
		return v
	}
}

// gauge returns a value function for a gauge that random-walks around 50
// with two decimals, like a CPU percentage or a temperature.
func gauge(seed uint64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	c := 5000 // hundredths
	return func(int) float64 {
		c = max(0, c+r.IntN(201)-100)
		return float64(c) / 100
	}
}

// memory returns a value function for an integer gauge that moves by up to
// 100 pages of 4 KiB around 512 MiB, like a process' resident memory.
func memory(seed uint64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 5))
	pages := 1 << 17
	return func(int) float64 {
		pages += r.IntN(201) - 100
		return float64(pages * 4096)
	}
}

// randomBits returns a value function of uniformly random 64-bit patterns.
func randomBits(seed uint64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 4))
	return func(int) float64 { return math.Float64frombits(r.Uint64()) }
}

// cycle returns a value function that walks through vs in order, repeating.
func cycle(vs ...float64) func(int) float64 {
	return func(i int) float64 { return vs[i%len(vs)] }
}

// encode appends samples to a fresh chunk and returns a copy of its bytes.
func encode(samples []sample) []byte {
	c := NewChunk(len(samples))
	for _, s := range samples {
		c.Append(s.t, s.v)
	}
	return bytes.Clone(c.Bytes())
}

// decode iterates b to the end.
func decode(b []byte) ([]sample, error) {
	var it Iterator
	it.Reset(b)
	var got []sample
	for it.Next() {
		t, v := it.At()
		got = append(got, sample{t: t, v: v})
	}
	return got, it.Err()
}

// requireSamples fails unless got and want hold the same timestamps and the
// same value bits.
func requireSamples(t *testing.T, want, got []sample) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("decoded %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.t != w.t || math.Float64bits(g.v) != math.Float64bits(w.v) {
			t.Fatalf("sample %d = (%d, %#016x), want (%d, %#016x)",
				i, g.t, math.Float64bits(g.v), w.t, math.Float64bits(w.v))
		}
	}
}
