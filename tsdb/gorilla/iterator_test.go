package gorilla

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// handMade returns a chunk with the given header count and a bit stream
// written by write, for shapes that Chunk never produces.
func handMade(count uint16, write func(b *bstream)) []byte {
	b := bstream{stream: []byte{byte(count >> 8), byte(count)}}
	write(&b)
	return b.stream
}

// firstSample writes a valid first sample.
func firstSample(b *bstream) {
	b.writeVarint(t0)
	b.writeBits(math.Float64bits(1), 64)
}

// twoSamples writes a valid first and second sample.
func twoSamples(b *bstream) {
	firstSample(b)
	b.writeUvarint(10_000)
	b.writeBits(0, 1)
}

func TestIteratorCorrupt(t *testing.T) {
	tests := []struct {
		name        string
		b           []byte
		wantSamples int
		wantErr     string
	}{
		{"nil", nil, 0, "corrupt gorilla chunk: 0 bytes, shorter than the 2-byte header"},
		{"one byte", []byte{0}, 0, "corrupt gorilla chunk: 1 bytes, shorter than the 2-byte header"},
		{"count without samples", []byte{0, 1}, 0, "corrupt gorilla chunk: sample 1 of 1: timestamp: truncated"},
		{"first value truncated", handMade(1, func(b *bstream) {
			b.writeVarint(t0)
			b.writeBits(0, 32)
		}), 0, "corrupt gorilla chunk: sample 1 of 1: value: truncated"},
		{"varint overflows", handMade(1, func(b *bstream) {
			for range 9 {
				b.writeBits(0xff, 8)
			}
			b.writeBits(0x02, 8)
		}), 0, "corrupt gorilla chunk: sample 1 of 1: timestamp: varint overflows 64 bits"},
		{"varint never ends", handMade(1, func(b *bstream) {
			for range 12 {
				b.writeBits(0x80, 8)
			}
		}), 0, "corrupt gorilla chunk: sample 1 of 1: timestamp: varint overflows 64 bits"},
		{"second timestamp truncated", handMade(2, firstSample), 1,
			"corrupt gorilla chunk: sample 2 of 2: timestamp: truncated"},
		{"window reused before one was set", handMade(2, func(b *bstream) {
			firstSample(b)
			b.writeUvarint(10_000)
			b.writeBits(0b10, 2)
			b.writeBits(0, 64)
		}), 1, "corrupt gorilla chunk: sample 2 of 2: value: reuses a window before one was set"},
		{"window wider than 64 bits", handMade(2, func(b *bstream) {
			firstSample(b)
			b.writeUvarint(10_000)
			b.writeBits(0b11<<11|31<<6|63, 13)
			b.writeBits(0, 64)
		}), 1, "corrupt gorilla chunk: sample 2 of 2: value: window is wider than 64 bits"},
		{"dod truncated", handMade(3, func(b *bstream) {
			twoSamples(b)
			b.writeBits(0b1110, 4)
			b.writeBits(0, 8)
		}), 2, "corrupt gorilla chunk: sample 3 of 3: timestamp: truncated"},
		{"64-bit dod truncated", handMade(3, func(b *bstream) {
			twoSamples(b)
			b.writeBits(0b1111, 4)
			b.writeBits(0, 50)
		}), 2, "corrupt gorilla chunk: sample 3 of 3: timestamp: truncated"},
		{"xor bits truncated", handMade(3, func(b *bstream) {
			twoSamples(b)
			b.writeBits(0, 1)
			b.writeBits(0b11<<11|0<<6|0, 13)
			b.writeBits(0, 40)
		}), 2, "corrupt gorilla chunk: sample 3 of 3: value: truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decode(tc.b)
			if len(got) != tc.wantSamples {
				t.Errorf("decoded %d samples before the error, want %d", len(got), tc.wantSamples)
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("Err() = %v, want %q", err, tc.wantErr)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Err() = %v, does not wrap ErrCorrupt", err)
			}
		})
	}
}

// TestIteratorTruncated cuts a valid chunk at every length: each cut decodes
// a prefix of the samples and then reports ErrCorrupt.
func TestIteratorTruncated(t *testing.T) {
	samples := zip(jittered(120, 10_000, 3_000, 12), cycle(1, staleNaN, 2.5, 2.5, negZero, 1e300, 7))
	full := encode(samples)
	for n := range len(full) {
		got, err := decode(full[:n])
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("cut to %d of %d bytes: Err() = %v, want ErrCorrupt", n, len(full), err)
		}
		requireSamples(t, samples[:len(got)], got)
	}
}

// TestIteratorBitFlips flips every bit of a valid chunk: decoding must not
// panic, and any error wraps ErrCorrupt.
func TestIteratorBitFlips(t *testing.T) {
	full := encode(zip(jittered(120, 10_000, 50_000, 13), gauge(13)))
	b := make([]byte, len(full))
	for i := range 8 * len(full) {
		copy(b, full)
		b[i/8] ^= 0x80 >> (i % 8)
		if _, err := decode(b); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip bit %d: Err() = %v, want ErrCorrupt", i, err)
		}
	}
}

func TestIteratorZeroValue(t *testing.T) {
	var it Iterator
	if it.Next() || it.SeekTo(0) || it.Err() != nil {
		t.Fatalf("zero Iterator: Next or SeekTo returned true, or Err() = %v", it.Err())
	}
}

func TestIteratorReuse(t *testing.T) {
	a := zip(grid(30, t0, 10_000), gauge(14))
	b := zip(grid(5, -t0, 1_000), randomBits(14))
	var it Iterator
	for _, run := range []struct {
		b    []byte
		want []sample
		err  bool
	}{
		{encode(a), a, false},
		{[]byte{0, 9, 1}, nil, true},
		{encode(b), b, false},
		{encode(a), a, false},
	} {
		it.Reset(run.b)
		var got []sample
		for it.Next() {
			ts, v := it.At()
			got = append(got, sample{ts, v})
		}
		if (it.Err() != nil) != run.err {
			t.Fatalf("Err() = %v, want error: %v", it.Err(), run.err)
		}
		requireSamples(t, run.want[:len(got)], got)
	}
}

func TestIteratorSeekTo(t *testing.T) {
	chunk := encode(zip(grid(10, 1_000, 1_000), func(i int) float64 { return float64(i) }))
	const next = math.MinInt64 // a step that calls Next instead of SeekTo
	tests := []struct {
		name  string
		steps []int64 // timestamps to seek to, or next
		want  []int64 // timestamp at after each step, or -1 when it returned false
	}{
		{"before the first", []int64{0}, []int64{1_000}},
		{"exact", []int64{5_000}, []int64{5_000}},
		{"between", []int64{5_001}, []int64{6_000}},
		{"last", []int64{10_000}, []int64{10_000}},
		{"after the last", []int64{10_001, next, 0}, []int64{-1, -1, -1}},
		{"stays on a qualifying sample", []int64{3_000, 3_000, 100}, []int64{3_000, 3_000, 3_000}},
		{"after Next", []int64{next, next, 1_500, next}, []int64{1_000, 2_000, 2_000, 3_000}},
		{"forward twice", []int64{2_500, 7_000, next}, []int64{3_000, 7_000, 8_000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var it Iterator
			it.Reset(chunk)
			for i, step := range tc.steps {
				var ok bool
				if step == next {
					ok = it.Next()
				} else {
					ok = it.SeekTo(step)
				}
				got, _ := it.At()
				if !ok {
					got = -1
				}
				if got != tc.want[i] {
					t.Fatalf("step %d (%d): at %d, want %d", i, step, got, tc.want[i])
				}
			}
			if it.Err() != nil {
				t.Fatalf("Err() = %v", it.Err())
			}
		})
	}
}

func TestIteratorSeekToCorrupt(t *testing.T) {
	b := bytes.Clone(encode(zip(grid(10, t0, 10_000), gauge(15))))
	var it Iterator
	it.Reset(b[:len(b)-2])
	if it.SeekTo(t0+90_000) || !errors.Is(it.Err(), ErrCorrupt) {
		t.Fatalf("SeekTo past a cut: Err() = %v, want ErrCorrupt", it.Err())
	}
}
