package gorilla

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"unsafe"
)

// fromDods returns timestamps that start at start with interval delta and
// then change the interval by each dod in turn.
func fromDods(start, delta int64, dods ...int64) []int64 {
	ts := []int64{start, start + delta}
	for _, d := range dods {
		delta += d
		ts = append(ts, ts[len(ts)-1]+delta)
	}
	return ts
}

// bucketEdges are the dods on both sides of every bucket boundary.
var bucketEdges = []int64{
	0, 1, -1,
	8191, -8191, 8192, -8192, 8193, -8193,
	65535, -65535, 65536, -65536, 65537, -65537,
	524287, -524287, 524288, -524288, 524289, -524289,
	1 << 40, -(1 << 40), 0, 0,
}

func roundTripCases() []struct {
	name    string
	samples []sample
} {
	return []struct {
		name    string
		samples []sample
	}{
		{"empty", nil},
		{"one sample", []sample{{t0, 1.5}}},
		{"two samples", []sample{{t0, 1}, {t0 + 10_000, 2}}},
		{"two samples same value", []sample{{t0, 7}, {t0 + 1, 7}}},
		{"10s grid constant", zip(grid(120, t0, 10_000), constant(42))},
		{"10s grid counter", zip(grid(120, t0, 10_000), counter(1))},
		{"10s grid gauge", zip(grid(120, t0, 10_000), gauge(1))},
		{"10s grid memory", zip(grid(120, t0, 10_000), memory(1))},
		{"jittered timestamps", zip(jittered(120, 10_000, 50, 1), gauge(2))},
		{"every dod bucket edge", zip(fromDods(t0, 1<<42, bucketEdges...), counter(3))},
		{"negative timestamps", zip(grid(50, -1_000_000, 15_000), gauge(4))},
		{"negative to positive", zip(grid(50, -250_000, 10_000), counter(5))},
		{"large gaps", zip([]int64{t0, t0 + 10_000, t0 + 20_000, t0 + 86_400_000,
			t0 + 86_410_000, t0 + 31_536_000_000, t0 + 31_536_000_001}, gauge(6))},
		{"extreme timestamps", zip([]int64{math.MinInt64, math.MinInt64 + 1, 0,
			math.MaxInt64 - 1, math.MaxInt64}, constant(1))},
		{"timestamps going backwards", zip([]int64{t0, t0 - 5, t0 + 100, -t0}, constant(1))},
		{"counter with reset", zip(grid(6, t0, 10_000), cycle(100, 250, 400, 0, 30, 90))},
		{"random floats", zip(grid(200, t0, 1_000), randomBits(7))},
		{"special floats", zip(grid(36, t0, 10_000), cycle(
			staleNaN, quietNaN, payloadNaN, math.Inf(1), math.Inf(-1), 0, negZero,
			math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
			-math.SmallestNonzeroFloat64, 1, staleNaN, staleNaN, negZero, 0, 2, staleNaN))},
		{"full-width xor", zip(grid(4, t0, 10_000), cycle(0, math.Float64frombits(0x8000000000000001)))},
		{"integers", zip(grid(100, t0, 60_000), func(i int) float64 { return float64(i * i) })},
		{"max samples", zip(grid(MaxSamples, t0, 10_000), gauge(8))},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases() {
		t.Run(tc.name, func(t *testing.T) {
			b := encode(tc.samples)
			got, err := decode(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			requireSamples(t, tc.samples, got)
		})
	}
}

// bitLen is the number of bits written to c, header included.
func bitLen(c *Chunk) int {
	return 8*len(c.b.stream) - int(c.b.free)
}

func TestEncodedBits(t *testing.T) {
	const fixed = 16 + 48 + 64 + 16 // header, t0, v0, interval 10000
	tests := []struct {
		name    string
		samples []sample
		want    int
	}{
		{"one sample", []sample{{t0, 0}}, 16 + 48 + 64},
		{"10s grid constant: 1 bit per timestamp and value", zip(grid(120, t0, 10_000), constant(3)), fixed + 1 + 118*2},
		{"dod 8192 fits 14 bits", zip(fromDods(t0, 10_000, 8192), constant(3)), fixed + 1 + 16 + 1},
		{"dod -8192 takes 17 bits", zip(fromDods(t0, 10_000, -8192), constant(3)), fixed + 1 + 20 + 1},
		{"dod 524288 fits 20 bits", zip(fromDods(t0, 10_000, 524288), constant(3)), fixed + 1 + 24 + 1},
		{"dod 524289 takes 64 bits", zip(fromDods(t0, 10_000, 524289), constant(3)), fixed + 1 + 68 + 1},
		{"value opens then reuses a window", zip(grid(3, t0, 10_000), cycle(1, 2, 1)), fixed + (2 + 11 + 11) + 1 + (2 + 11)},
		{"full-width xor writes 64 as 0", zip(grid(2, t0, 10_000), cycle(0, math.Float64frombits(0x8000000000000001))), fixed + 2 + 11 + 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Chunk
			for _, s := range tc.samples {
				c.Append(s.t, s.v)
			}
			if got := bitLen(&c); got != tc.want {
				t.Fatalf("encoded %d bits, want %d", got, tc.want)
			}
			if got, want := len(c.Bytes()), (tc.want+7)/8; got != want {
				t.Fatalf("Bytes() has %d bytes, want %d", got, want)
			}
		})
	}
}

func TestBytesSnapshotMidway(t *testing.T) {
	samples := zip(jittered(120, 10_000, 50, 9), cycle(1, staleNaN, 2.5, 2.5, negZero, math.Inf(1), 1e300))
	c := NewChunk(0) // small buffer, so that Append grows it between snapshots
	snaps := make([][]byte, len(samples))
	for i, s := range samples {
		c.Append(s.t, s.v)
		snaps[i] = bytes.Clone(c.Bytes())
		if got := c.NumSamples(); got != i+1 {
			t.Fatalf("NumSamples() = %d after %d appends", got, i+1)
		}
	}
	for i, snap := range snaps {
		got, err := decode(snap)
		if err != nil {
			t.Fatalf("snapshot after %d samples: %v", i+1, err)
		}
		requireSamples(t, samples[:i+1], got)
	}
}

func TestChunkZeroValue(t *testing.T) {
	var c Chunk
	if got := c.Bytes(); !bytes.Equal(got, []byte{0, 0}) {
		t.Fatalf("Bytes() of zero Chunk = %x, want 0000", got)
	}
	if got, err := decode(c.Bytes()); err != nil || len(got) != 0 {
		t.Fatalf("decode zero Chunk = %v, %v; want no samples", got, err)
	}
	samples := zip(grid(3, t0, 10_000), cycle(1, 2, 1))
	for _, s := range samples {
		c.Append(s.t, s.v)
	}
	if got, want := c.Bytes(), encode(samples); !bytes.Equal(got, want) {
		t.Fatalf("zero Chunk encoded %x, NewChunk %x", got, want)
	}
}

func TestChunkReset(t *testing.T) {
	c := NewChunk(10)
	for _, s := range zip(grid(50, t0, 1_000), randomBits(10)) {
		c.Append(s.t, s.v)
	}
	c.Reset()
	if c.NumSamples() != 0 || !bytes.Equal(c.Bytes(), []byte{0, 0}) {
		t.Fatalf("after Reset: NumSamples() = %d, Bytes() = %x", c.NumSamples(), c.Bytes())
	}
	samples := zip(grid(20, -t0, 10_000), gauge(11))
	for _, s := range samples {
		c.Append(s.t, s.v)
	}
	if got, want := c.Bytes(), encode(samples); !bytes.Equal(got, want) {
		t.Fatalf("reused chunk encoded %x, fresh chunk %x", got, want)
	}
}

func TestAppendPanicsWhenFull(t *testing.T) {
	var c Chunk
	for i := range MaxSamples {
		c.Append(int64(i), 0)
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "BUG: ") {
			t.Fatalf("Append to a full chunk: recovered %q, want a BUG panic", msg)
		}
	}()
	c.Append(MaxSamples, 0)
}

// TestChunkSize pins the size of the struct: a head keeps one open chunk
// per series.
func TestChunkSize(t *testing.T) {
	if got := unsafe.Sizeof(Chunk{}); got > 64 {
		t.Fatalf("Chunk is %d bytes, want at most 64", got)
	}
}

func TestChunkInit(t *testing.T) {
	var c Chunk
	if c.Cap() != 0 {
		t.Fatalf("Cap() of zero Chunk = %d, want 0", c.Cap())
	}
	c.Append(t0, 1)
	c.Init(10)
	if c.NumSamples() != 0 || !bytes.Equal(c.Bytes(), []byte{0, 0}) {
		t.Fatalf("after Init: NumSamples() = %d, Bytes() = %x", c.NumSamples(), c.Bytes())
	}
	if got, want := c.Cap(), NewChunk(10).Cap(); got != want || got != cap(c.Bytes()) {
		t.Fatalf("Init(10) gave a buffer of %d bytes, NewChunk(10) %d", got, want)
	}
	samples := zip(grid(20, t0, 10_000), gauge(3))
	for _, s := range samples {
		c.Append(s.t, s.v)
	}
	if got, want := c.Bytes(), encode(samples); !bytes.Equal(got, want) {
		t.Fatalf("chunk after Init encoded %x, fresh chunk %x", got, want)
	}
}
