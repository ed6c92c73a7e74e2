package blockenc

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// The float kind stores the first value's 8 bytes, then for each other
// value x = bits XOR previous bits as a control byte lz<<4|tz (leading and
// trailing zero bytes of x; 0x80 for x = 0) and the 8-lz-tz middle bytes of
// x, most significant first. Byte alignment keeps the controls and the
// repeated high bytes visible to zstd, which a Gorilla bit stream hides.

// appendFloat appends the float stream of vs.
func appendFloat(dst []byte, vs []float64) []byte {
	prev := math.Float64bits(vs[0])
	dst = binary.LittleEndian.AppendUint64(dst, prev)
	for _, v := range vs[1:] {
		b := math.Float64bits(v)
		dst = appendXOR(dst, b^prev)
		prev = b
	}
	return dst
}

// appendXOR appends one control byte and the middle bytes of x.
func appendXOR(dst []byte, x uint64) []byte {
	if x == 0 {
		return append(dst, 0x80)
	}
	lz, tz := bits.LeadingZeros64(x)/8, bits.TrailingZeros64(x)/8
	dst = append(dst, byte(lz<<4|tz))
	for s := 7 - lz; s >= tz; s-- {
		dst = append(dst, byte(x>>(8*s)))
	}
	return dst
}

// floatSize is the length of appendFloat's stream for vs.
func floatSize(vs []float64) int {
	n := 8
	prev := math.Float64bits(vs[0])
	for _, v := range vs[1:] {
		b := math.Float64bits(v)
		n += 1 + xorBytes(b^prev)
		prev = b
	}
	return n
}

// xorBytes is the number of middle bytes of x.
func xorBytes(x uint64) int {
	if x == 0 {
		return 0
	}
	return 8 - bits.LeadingZeros64(x)/8 - bits.TrailingZeros64(x)/8
}

// decodeFloat fills out (len ≥ 1) from a float stream.
func decodeFloat(src []byte, out []float64) ([]byte, error) {
	if len(src) < 8 {
		return nil, fmt.Errorf("%w: first float truncated", ErrCorrupt)
	}
	prev := binary.LittleEndian.Uint64(src)
	out[0] = math.Float64frombits(prev)
	off := 8
	for i := 1; i < len(out); i++ {
		x, k, ok := readXOR(src[off:])
		if !ok {
			return nil, fmt.Errorf("%w: float %d truncated or bad control", ErrCorrupt, i)
		}
		off += k
		prev ^= x
		out[i] = math.Float64frombits(prev)
	}
	return src[off:], nil
}

// readXOR reads one control byte and its middle bytes.
func readXOR(src []byte) (uint64, int, bool) {
	if len(src) == 0 {
		return 0, 0, false
	}
	lz, tz := int(src[0]>>4), int(src[0]&0xf)
	mid := 8 - lz - tz
	if mid < 0 || len(src) < 1+mid {
		return 0, 0, false
	}
	x := uint64(0)
	for _, b := range src[1 : 1+mid] {
		x = x<<8 | uint64(b)
	}
	return x << (8 * tz), 1 + mid, true
}
