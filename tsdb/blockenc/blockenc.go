package blockenc

import (
	"errors"
	"fmt"
	"slices"
)

// ErrCorrupt is wrapped by every error Decode returns.
var ErrCorrupt = errors.New("blockenc: corrupt encoding")

// MaxSamples is the most samples one Encode call may hold. Decode rejects
// larger counts, so corrupt input never makes it allocate more than
// MaxSamples timestamps and values.
const MaxSamples = 1 << 18

// formatV1 is the leading byte of every encoding made by this version.
const formatV1 = 1

// Encode appends the encoding of the samples (ts[i], vs[i]) to dst and
// returns the extended slice. ts should be strictly increasing (any order
// round-trips, but only increasing timestamps encode small); values
// round-trip bit for bit. Encode does not allocate when dst has room.
//
// len(ts) must equal len(vs) and be at most MaxSamples; anything else is a
// bug in the caller and panics.
func Encode(dst []byte, ts []int64, vs []float64) []byte {
	if len(ts) != len(vs) || len(ts) > MaxSamples {
		panic(fmt.Sprintf("BUG: blockenc.Encode of %d timestamps and %d values (max %d)", len(ts), len(vs), MaxSamples))
	}
	dst = append(dst, formatV1)
	dst = appendUvarint(dst, uint64(len(ts)))
	if len(ts) == 0 {
		return dst
	}
	dst = appendTimes(dst, ts)
	return appendValues(dst, vs)
}

// Decode appends the samples of an encoding made by Encode to ts and vs and
// returns the extended slices. It does not allocate when ts and vs have room
// for the samples. Corrupt input (including trailing bytes) is an error
// wrapping ErrCorrupt, never a panic; ts and vs are then returned with their
// original lengths.
func Decode(src []byte, ts []int64, vs []float64) ([]int64, []float64, error) {
	n, rest, err := decodeHeader(src)
	if err != nil {
		return ts, vs, err
	}
	t0, v0 := len(ts), len(vs)
	ts = slices.Grow(ts, n)[:t0+n]
	vs = slices.Grow(vs, n)[:v0+n]
	if err := decodeSamples(rest, ts[t0:], vs[v0:]); err != nil {
		return ts[:t0], vs[:v0], err
	}
	return ts, vs, nil
}

// decodeHeader reads the format byte and the sample count.
func decodeHeader(src []byte) (int, []byte, error) {
	if len(src) == 0 {
		return 0, nil, fmt.Errorf("%w: empty input", ErrCorrupt)
	}
	if src[0] != formatV1 {
		return 0, nil, fmt.Errorf("%w: unknown format byte %d", ErrCorrupt, src[0])
	}
	n, k := uvarint(src[1:])
	if k <= 0 || n > MaxSamples {
		return 0, nil, fmt.Errorf("%w: bad sample count", ErrCorrupt)
	}
	return int(n), src[1+k:], nil
}

// decodeSamples fills ts and vs (of equal length) from the sections after
// the header.
func decodeSamples(src []byte, ts []int64, vs []float64) error {
	if len(ts) == 0 {
		return checkEnd(src)
	}
	src, err := decodeTimes(src, ts)
	if err != nil {
		return err
	}
	src, err = decodeValues(src, vs)
	if err != nil {
		return err
	}
	return checkEnd(src)
}

// checkEnd rejects bytes after the last section.
func checkEnd(src []byte) error {
	if len(src) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(src))
	}
	return nil
}
