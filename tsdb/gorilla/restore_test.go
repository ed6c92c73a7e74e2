package gorilla

import (
	"bytes"
	"errors"
	"testing"
)

// requireRestoreContinues appends samples to one chunk without stopping
// and, for each split, to a chunk restored from a copy of the first part's
// bytes, and checks that both end with the same bytes and state.
func requireRestoreContinues(t *testing.T, samples []sample, splits ...int) {
	t.Helper()
	whole := NewChunk(len(samples))
	for _, s := range samples {
		whole.Append(s.t, s.v)
	}
	for _, k := range splits {
		first := NewChunk(k)
		for _, s := range samples[:k] {
			first.Append(s.t, s.v)
		}
		var c Chunk
		if err := c.Restore(bytes.Clone(first.Bytes())); err != nil {
			t.Fatalf("restore after %d of %d samples: %v", k, len(samples), err)
		}
		if c.NumSamples() != k || (k > 0 && c.LastT() != samples[k-1].t) {
			t.Fatalf("restored %d samples ending at %d, want %d", c.NumSamples(), c.LastT(), k)
		}
		for _, s := range samples[k:] {
			c.Append(s.t, s.v)
		}
		if !bytes.Equal(c.Bytes(), whole.Bytes()) {
			t.Fatalf("split at %d of %d: restored chunk differs:\ngot  %x\nwant %x", k, len(samples), c.Bytes(), whole.Bytes())
		}
		if c.t != whole.t || c.delta != whole.delta || c.v != whole.v || c.n != whole.n || c.w != whole.w || c.b.free != whole.b.free {
			t.Fatalf("split at %d of %d: restored state differs", k, len(samples))
		}
	}
}

func TestRestoreContinuesAsIfNeverStopped(t *testing.T) {
	for _, tc := range roundTripCases() {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.samples)
			splits := []int{0, n}
			if n <= 300 {
				splits = make([]int, n+1)
				for i := range splits {
					splits[i] = i
				}
			} else {
				splits = append(splits, 1, 2, 3, n/2, n-1)
			}
			requireRestoreContinues(t, tc.samples, splits...)
		})
	}
}

func TestRestoreReusesBuffer(t *testing.T) {
	src := encode(zip(grid(20, t0, 10_000), gauge(1)))
	c := NewChunk(120)
	buf := &c.b.stream[:1][0]
	if err := c.Restore(src); err != nil {
		t.Fatal(err)
	}
	if &c.b.stream[0] != buf {
		t.Fatal("Restore allocated instead of reusing the chunk's buffer")
	}
	src[len(src)-1] ^= 0xff // Restore copied it
	c.Append(t0+200_000, 3)
	if _, err := decode(c.Bytes()); err != nil {
		t.Fatalf("restored chunk shares the input: %v", err)
	}
}

func TestRestoreCorrupt(t *testing.T) {
	ok := encode(zip(grid(10, t0, 10_000), gauge(2)))
	oneFree := encode([]sample{{t0, 1}, {t0 + 10_000, 1}}) // the unchanged value is one bit: 7 free
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"header only byte", []byte{0}},
		{"truncated", ok[:len(ok)-3]},
		{"extra byte", append(bytes.Clone(ok), 0)},
		{"empty chunk with a byte", []byte{0, 0, 0}},
		{"bits past the last sample", withLastBit(oneFree)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewChunk(10)
			c.Append(1, 1)
			err := c.Restore(tc.b)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Restore = %v, want ErrCorrupt", err)
			}
			if c.NumSamples() != 0 || !bytes.Equal(c.Bytes(), []byte{0, 0}) {
				t.Fatalf("chunk not left empty: %x", c.Bytes())
			}
		})
	}
}

// withLastBit sets the lowest bit of b's last byte, which must be free.
func withLastBit(b []byte) []byte {
	b = bytes.Clone(b)
	b[len(b)-1] |= 1
	return b
}

// FuzzRestore derives samples from the input as FuzzRoundTrip does and
// checks that restoring after any prefix and appending the rest gives the
// bytes of appending them all at once.
func FuzzRestore(f *testing.F) {
	f.Add([]byte{}, uint16(0))
	f.Add([]byte("\x00\x00\x01\x8b\xcf\xe5\x68\x00\x27\x10\x40\x45\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), uint16(1))
	f.Add([]byte("\x80\x00\x00\x00\x00\x00\x00\x00\xff\xff\x7f\xf0\x00\x00\x00\x00\x00\x02\x21\x01\x22\x02\x23\x03\x24\xff\xff\xff\xff\xff\xff\xff\xff\x25\x04\x26\x05"), uint16(3))
	f.Add(bytes.Repeat([]byte{0x0a, 0x11, 0x13, 0x0c, 0x1c, 0x00, 0x2a, 0x07}, 40), uint16(17))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		samples := samplesFromFuzz(data)
		requireRestoreContinues(t, samples, int(split)%(len(samples)+1))
	})
}
