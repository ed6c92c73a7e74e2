package blockenc

import (
	"fmt"
	"math"
	"math/bits"
)

// A run stream is a sequence of unsigned varint tokens. Token u > 0 is the
// item zigzag⁻¹(u-1): a single zero is the byte 1. Token 0 is followed by an
// unsigned varint c: c ≥ 1 stands for c+1 zeros, c = 0 for the one item
// zigzag cannot shift, math.MinInt64. Regular timestamps and unchanged
// values thus become a few bytes however many samples they span.

// token returns the token of a non-zero item other than math.MinInt64.
func token(x int64) uint64 {
	return zigzag(x) + 1
}

// runWriter appends items to a run stream, holding back zeros.
type runWriter struct {
	zeros uint64
}

// add appends x (or counts it, if zero) to dst.
func (w *runWriter) add(dst []byte, x int64) []byte {
	if x == 0 {
		w.zeros++
		return dst
	}
	dst = w.flush(dst)
	if x == math.MinInt64 {
		return append(dst, 0, 0)
	}
	return appendUvarint(dst, token(x))
}

// flush appends the pending zeros, if any.
func (w *runWriter) flush(dst []byte) []byte {
	switch w.zeros {
	case 0:
		return dst
	case 1:
		dst = append(dst, 1)
	default:
		dst = append(dst, 0)
		dst = appendUvarint(dst, w.zeros-1)
	}
	w.zeros = 0
	return dst
}

// runSizer measures what runWriter would append: bytes, and bits, a rough
// estimate of the size after entropy coding, which tells apart streams of
// equal byte counts (one byte per item is the common case).
type runSizer struct {
	bytes, bits int
	zeros       uint64
}

// add counts item x.
func (s *runSizer) add(x int64) {
	if x == 0 {
		s.zeros++
		return
	}
	s.flush()
	u := token(x)
	s.bytes += uvarintLen(u)
	s.bits += 1 + bits.Len64(u)
}

// flush counts the pending zeros.
func (s *runSizer) flush() {
	switch {
	case s.zeros == 1:
		s.bytes++
		s.bits += 2
	case s.zeros > 1:
		s.bytes += 1 + uvarintLen(s.zeros-1)
		s.bits += 4 + bits.Len64(s.zeros-1)
	}
	s.zeros = 0
}

// readToken reads one token: the item and how many times it repeats (1,
// or c+1 for a run of zeros). k <= 0 means truncated or overflowing.
func readToken(src []byte) (item int64, reps uint64, k int) {
	u, k := uvarint(src)
	if k <= 0 {
		return 0, 0, k
	}
	if u != 0 {
		u--
		return int64(u>>1) ^ -int64(u&1), 1, k
	}
	c, k2 := uvarint(src[k:])
	if k2 <= 0 {
		return 0, 0, k2
	}
	if c == 0 {
		return math.MinInt64, 1, k + k2
	}
	return 0, c + 1, k + k2
}

// diffs turns a sequence into run-stream items: with dod false the items
// are the deltas x[i]-x[i-1] less bias; with dod true the first item is the
// first delta and the others are delta-of-deltas. Arithmetic wraps, as it
// does in decoding, so any int64 sequence round-trips.
type diffs struct {
	prev, delta, bias int64
	dod               bool
}

// next returns the item for x and advances.
func (d *diffs) next(x int64) int64 {
	delta := x - d.prev
	item := delta - d.bias
	if d.dod {
		item = delta - d.delta
	}
	d.prev, d.delta = x, delta
	return item
}

// errRun reports a run-stream item that cannot be read.
func errRun(what string, i int) error {
	return fmt.Errorf("%w: %s item %d truncated or too long", ErrCorrupt, what, i)
}

// errRunLength reports a run of zeros past the end of its section.
func errRunLength(what string, i int) error {
	return fmt.Errorf("%w: %s run at item %d overflows the sample count", ErrCorrupt, what, i)
}
