package gorilla

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// Run briefly with:
//
//	go test ./tsdb/gorilla -run='^$' -fuzz=FuzzIterator -fuzztime=20s
//	go test ./tsdb/gorilla -run='^$' -fuzz=FuzzRoundTrip -fuzztime=20s
//
// Seeds live in testdata/fuzz/<FuzzName>/ and in the f.Add calls.

// FuzzIterator decodes arbitrary bytes: no panic, errors wrap ErrCorrupt,
// and whatever decodes cleanly decodes the same in Prometheus and survives a
// re-encode.
func FuzzIterator(f *testing.F) {
	for _, tc := range roundTripCases() {
		if len(tc.samples) <= 200 {
			f.Add(encode(tc.samples))
		}
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Add(handMade(2, func(b *bstream) { firstSample(b); b.writeUvarint(1); b.writeBits(0b10, 2) }))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Err() = %v, does not wrap ErrCorrupt", err)
			}
			return
		}
		if want := int(b[0])<<8 | int(b[1]); len(got) != want {
			t.Fatalf("decoded %d samples without error, header says %d", len(got), want)
		}
		theirs, err := decodePrometheus(b)
		if err != nil {
			t.Fatalf("Prometheus rejects what we decode: %v", err)
		}
		requireSamples(t, got, theirs)
		again, err := decode(encode(got))
		if err != nil {
			t.Fatalf("re-encoded samples do not decode: %v", err)
		}
		requireSamples(t, got, again)
	})
}

// FuzzRoundTrip derives samples from the input, encodes them, and checks
// that they decode exactly, that a snapshot taken half-way decodes to the
// first half, and that the bytes equal Prometheus' XOR chunk.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x01\x8b\xcf\xe5\x68\x00\x27\x10\x40\x45\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("\x80\x00\x00\x00\x00\x00\x00\x00\xff\xff\x7f\xf0\x00\x00\x00\x00\x00\x02\x21\x01\x22\x02\x23\x03\x24\xff\xff\xff\xff\xff\xff\xff\xff\x25\x04\x26\x05"))
	f.Add(bytes.Repeat([]byte{0x0a, 0x11, 0x13, 0x0c, 0x1c, 0x00, 0x2a, 0x07}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		samples := samplesFromFuzz(data)
		c := NewChunk(len(samples))
		half := len(samples) / 2
		var snap []byte
		for i, s := range samples {
			if i == half {
				snap = bytes.Clone(c.Bytes())
			}
			c.Append(s.t, s.v)
		}
		got, err := decode(c.Bytes())
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		requireSamples(t, samples, got)
		if snap != nil {
			got, err = decode(snap)
			if err != nil {
				t.Fatalf("decode snapshot of %d samples: %v", half, err)
			}
			requireSamples(t, samples[:half], got)
		}
		if theirs := encodePrometheus(t, samples); !bytes.Equal(c.Bytes(), theirs) {
			t.Fatalf("encoding differs from Prometheus' XOR chunk:\nours   %x\ntheirs %x", c.Bytes(), theirs)
		}
	})
}

// fuzzReader hands out the fuzz input; past its end it yields zeros.
type fuzzReader struct{ b []byte }

// uint reads n bytes, big-endian.
func (r *fuzzReader) uint(n int) uint64 {
	var u uint64
	for range n {
		u <<= 8
		if len(r.b) > 0 {
			u |= uint64(r.b[0])
			r.b = r.b[1:]
		}
	}
	return u
}

// samplesFromFuzz turns fuzz input into samples: a start time, interval and
// value, then per sample one selector byte whose low 3 bits pick how the
// interval changes and next 3 bits how the value changes, each followed by
// the bytes that change needs.
func samplesFromFuzz(data []byte) []sample {
	r := fuzzReader{b: data}
	t, delta := int64(r.uint(8)), int64(r.uint(2))
	v := math.Float64frombits(r.uint(8))
	var s []sample
	for len(r.b) > 0 && len(s) < MaxSamples {
		sel := r.uint(1)
		delta = nextDelta(&r, delta, sel&7)
		v = nextValue(&r, v, sel>>3&7)
		t += delta
		s = append(s, sample{t: t, v: v})
	}
	return s
}

func nextDelta(r *fuzzReader, delta int64, mode uint64) int64 {
	switch mode {
	case 1:
		return delta + int64(int8(r.uint(1)))
	case 2:
		return delta + int64(int16(r.uint(2)))
	case 3:
		return delta + int64(int32(r.uint(4)))
	case 4:
		return int64(r.uint(8))
	}
	return delta
}

var fuzzSpecials = []float64{staleNaN, quietNaN, payloadNaN, math.Inf(1), math.Inf(-1),
	0, negZero, math.MaxFloat64, math.SmallestNonzeroFloat64, 1}

func nextValue(r *fuzzReader, v float64, mode uint64) float64 {
	switch mode {
	case 1:
		return v + 1
	case 2:
		return v + float64(int8(r.uint(1)))/8
	case 3:
		return math.Float64frombits(r.uint(8))
	case 4:
		return fuzzSpecials[int(r.uint(1))%len(fuzzSpecials)]
	case 5:
		return -v
	case 6:
		return float64(math.Float32frombits(uint32(r.uint(4))))
	}
	return v
}
