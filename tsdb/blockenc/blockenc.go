package blockenc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Encode appends the encoding of the samples (ts[i], vs[i]) to dst and
// returns the extended slice. ts must be strictly increasing and as long as
// vs. Values round-trip bit for bit.
//
// STUB: 16 bytes per sample, replaced by the real encoding.
func Encode(dst []byte, ts []int64, vs []float64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ts)))
	for i := range ts {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(ts[i]))
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(vs[i]))
	}
	return dst
}

// Decode appends the samples of an encoding made by Encode to ts and vs and
// returns the extended slices. Corrupt input is an error, never a panic.
func Decode(src []byte, ts []int64, vs []float64) ([]int64, []float64, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 {
		return ts, vs, errors.New("blockenc: bad sample count")
	}
	src = src[k:]
	if uint64(len(src)) != n*16 {
		return ts, vs, fmt.Errorf("blockenc: %d bytes for %d samples", len(src), n)
	}
	for i := uint64(0); i < n; i++ {
		ts = append(ts, int64(binary.LittleEndian.Uint64(src[16*i:])))
		vs = append(vs, math.Float64frombits(binary.LittleEndian.Uint64(src[16*i+8:])))
	}
	return ts, vs, nil
}
