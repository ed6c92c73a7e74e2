package blockenc

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// staleNaN is Prometheus' stale marker (model/value.StaleNaN).
var staleNaN = math.Float64frombits(0x7ff0000000000002)

// roundTrip encodes and decodes, failing unless every timestamp and value
// bit comes back.
func roundTrip(t *testing.T, ts []int64, vs []float64) []byte {
	t.Helper()
	enc := Encode(nil, ts, vs)
	gotT, gotV, err := Decode(enc, nil, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(gotT) != len(ts) || len(gotV) != len(vs) {
		t.Fatalf("decoded %d/%d samples, want %d", len(gotT), len(gotV), len(ts))
	}
	for i := range ts {
		if gotT[i] != ts[i] || math.Float64bits(gotV[i]) != math.Float64bits(vs[i]) {
			t.Fatalf("sample %d: got (%d, %#x), want (%d, %#x)", i,
				gotT[i], math.Float64bits(gotV[i]), ts[i], math.Float64bits(vs[i]))
		}
	}
	return enc
}

// values repeats pattern to n values.
func values(n int, pattern ...float64) []float64 {
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = pattern[i%len(pattern)]
	}
	return vs
}

// counterWithResets is a counter that resets to 0 every 100 samples.
func counterWithResets(n int) []float64 {
	vs := make([]float64, n)
	c := 0.0
	for i := range vs {
		if i%100 == 99 {
			c = 0
		}
		c += float64(i % 7)
		vs[i] = c
	}
	return vs
}

func TestRoundTrip(t *testing.T) {
	gauge := genKind("gauge", 1, 1, 720)[0].vs
	withStale := append(append([]float64{}, gauge[:719]...), staleNaN)
	cases := []struct {
		name string
		vs   []float64
		kind byte
	}{
		{"single sample", []float64{42}, kindConst},
		{"single NaN", []float64{math.NaN()}, kindConst},
		{"constant", values(720, 1), kindConst},
		{"constant then stale", append(values(719, 1), staleNaN), kindConst},
		{"all stale", values(10, staleNaN), kindConst},
		{"NaN Inf mix", values(50, math.NaN(), math.Inf(1), math.Inf(-1), staleNaN, 1.5), kindFloat},
		{"negative zero", values(16, 0, math.Copysign(0, -1), 1, 2, 3, 4, 5, 6), kindDelta},
		{"negative zero only", values(3, math.Copysign(0, -1)), kindConst},
		{"subnormals", values(100, 5e-324, 2.225e-308, 1e-310, 0), kindFloat},
		{"huge", values(100, math.MaxFloat64, 1e300, -1e308, 1.7976931348623155e308), kindFloat},
		{"tiny", values(100, 1e-30, 3e-25, 7.5e-27), kindFloat},
		{"integers near 2^53", values(100, 1<<53, 1<<53-1, -(1 << 53), 9e15), kindDelta},
		{"integers", values(100, 1, 2, 3, 1000, -7, 0), kindDelta},
		{"linear counter", counterLinear(720), kindDelta},
		{"4 KiB pages", pages(720), kindDelta},
		{"counter with resets", counterWithResets(1000), kindDoD},
		{"2-decimal gauge", gauge, kindDelta},
		{"gauge then stale", withStale, kindDelta},
		{"small decimals", values(100, 4.2813e-05, 1.5e-06, 0.000123), kindDelta},
		{"many thousands", genKind("counter", 2, 1, 17280)[0].vs, kindDelta},
		// 17-digit floats convert at exponent -14, a byte smaller than XOR.
		{"floats", genKind("float", 3, 1, 720)[0].vs, kindDelta},
		{"thirds", values(100, 1.0/3, 2.0/3, 0.1+0.2), kindFloat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			roundTrip(t, grid(len(c.vs)), c.vs)
			if got := planValues(c.vs).kind; got != c.kind {
				t.Fatalf("kind %d, want %d", got, c.kind)
			}
		})
	}
}

// counterLinear increments by exactly 3 per scrape.
func counterLinear(n int) []float64 {
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = float64(3 * i)
	}
	return vs
}

func TestRoundTripTimestamps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	jitter := grid(1000)
	for i := range jitter {
		jitter[i] += int64(r.IntN(20)) - 10
	}
	cases := map[string][]int64{
		"empty":        {},
		"one":          {-5},
		"two":          {math.MinInt64, math.MaxInt64},
		"negative":     {-3000, -2000, -1000, 0, 1000},
		"jitter":       jitter,
		"gaps":         {0, 10, 20, 30, 100000, 100010, 100020},
		"extreme dods": {math.MinInt64, 0, math.MaxInt64, math.MinInt64 + 1, 7},
	}
	for name, ts := range cases {
		t.Run(name, func(t *testing.T) {
			roundTrip(t, ts, values(len(ts)+1, 1.25)[:len(ts)])
		})
	}
}

func TestEncodedSize(t *testing.T) {
	cases := []struct {
		name string
		vs   []float64
		want int
	}{
		// format 1 + count 2 + t0 6 + delta 3 + run 3 + kind 1 + exc 1 + value 8.
		{"constant 720", values(720, 1), 25},
		// … + exponent 1 + step 1 + first mantissa 1 + first delta 1 + run 3.
		{"linear counter 720", counterLinear(720), 1 + 2 + 6 + 3 + 3 + 1 + 1 + 1 + 1 + 1 + 1 + 3},
		// constant 720 with a stale marker: + gap 2 + bits 8.
		{"constant then stale", append(values(719, 1), staleNaN), 25 + 2 + 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := len(Encode(nil, grid(len(c.vs)), c.vs)); got != c.want {
				t.Fatalf("%d bytes, want %d", got, c.want)
			}
		})
	}
}

func TestDecodeAppends(t *testing.T) {
	enc := Encode(nil, []int64{10, 20}, []float64{1, 2})
	ts, vs, err := Decode(enc, []int64{1}, []float64{0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[0] != 1 || ts[2] != 20 || vs[0] != 0.5 || vs[2] != 2 {
		t.Fatalf("got %v %v", ts, vs)
	}
}

func TestEncodeAppends(t *testing.T) {
	enc := Encode([]byte("prefix"), []int64{10}, []float64{1})
	if string(enc[:6]) != "prefix" {
		t.Fatalf("prefix overwritten: %q", enc[:6])
	}
	if _, _, err := Decode(enc[6:], nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAllocs(t *testing.T) {
	for _, kind := range []string{"counter", "gauge", "const", "histogram", "float"} {
		s := genKind(kind, 4, 1, 720)[0]
		s.vs[100] = staleNaN
		enc := Encode(nil, s.ts, s.vs)
		dst := make([]byte, 0, 2*len(enc))
		ts, vs := make([]int64, 0, 720), make([]float64, 0, 720)
		if n := testing.AllocsPerRun(20, func() { dst = Encode(dst[:0], s.ts, s.vs) }); n != 0 {
			t.Errorf("%s: Encode %v allocs, want 0", kind, n)
		}
		n := testing.AllocsPerRun(20, func() {
			var err error
			if ts, vs, err = Decode(enc, ts[:0], vs[:0]); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%s: Decode %v allocs, want 0", kind, n)
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good := Encode(nil, grid(5), []float64{1, 2, 3, staleNaN, 5})
	cases := map[string][]byte{
		"empty":             {},
		"unknown format":    {2, 0},
		"count too big":     {1, 0x80, 0x80, 0x20}, // 1<<19 > MaxSamples
		"count truncated":   {1, 0x80},
		"trailing byte":     append(Encode(nil, []int64{1}, []float64{1}), 0),
		"empty trailing":    {1, 0, 0},
		"ts run overflow":   {1, 3, 0, 0, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0},
		"bad kind":          {1, 1, 0, 9, 0},
		"exceptions >= n":   {1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
		"exponent range":    {1, 2, 0, 2, 1, 0, 60, 0, 2},
		"bad float ctl":     {1, 2, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99},
		"value run overflw": {1, 3, 0, 2, 0, 0, 1, 0, 0, 2, 0, 5},
	}
	for i := range good {
		cases["truncated at "+string(rune('0'+i%10))+string(rune('a'+i/10))] = good[:i]
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			ts, vs, err := Decode(src, []int64{7}, nil)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
			if len(ts) != 1 || len(vs) != 0 {
				t.Fatalf("lengths %d/%d after error, want 1/0", len(ts), len(vs))
			}
		})
	}
}

func TestEncodePanicsOnMismatch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Encode(nil, []int64{1, 2}, []float64{1})
}

// pages is a memory gauge that moves in whole 4 KiB pages, at most 50 a
// step.
func pages(n int) []float64 {
	r := rand.New(rand.NewPCG(4, 4096))
	vs := make([]float64, n)
	m := int64(500_000_000 / 4096)
	for i := range vs {
		m += int64(r.IntN(101)) - 50
		vs[i] = float64(m * 4096)
	}
	return vs
}

// TestCommonStepShrinksPages: steps of ±50 pages are one byte each once
// divided by the 4096 they share; undivided they would take two or three.
func TestCommonStepShrinksPages(t *testing.T) {
	vs := pages(720)
	enc := Encode(nil, grid(720), vs)
	if len(enc) > 720+40 {
		t.Fatalf("%d bytes for 720 page-sized values, want at most %d", len(enc), 720+40)
	}
	ts, got, err := Decode(enc, nil, nil)
	if err != nil || len(ts) != 720 {
		t.Fatalf("decode: %d samples, %v", len(ts), err)
	}
	for i := range vs {
		if math.Float64bits(got[i]) != math.Float64bits(vs[i]) {
			t.Fatalf("value %d: %v, want %v", i, got[i], vs[i])
		}
	}
}
