package blockenc

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Value kinds: the byte that opens the value section.
const (
	kindConst    = 0 // one value, 8 bytes
	kindDelta    = 1 // decimal mantissas, run stream of deltas
	kindDoD      = 2 // decimal mantissas, run stream of delta-of-deltas
	kindFloat    = 3 // XOR of the previous value's bits, byte aligned
	numKinds     = 4
	maxExcFactor = 8 // exceptions are used while at most 1 value in 8
)

// valuePlan is what appendValues chose for one call.
type valuePlan struct {
	kind byte
	exc  int   // number of exceptions listed; 0 = none
	exp  int   // decimal exponent of kindDelta and kindDoD
	step steps // the common step of their mantissas
	bias int64 // subtracted from every delta of kindDelta, in steps
}

// isException reports the values the decimal and constant kinds leave to
// the exception list: NaN (stale markers included), ±Inf and -0.0.
func isException(v float64) bool {
	b := math.Float64bits(v)
	return b == 1<<63 || b>>52&0x7ff == 0x7ff
}

// appendValues appends the value section for vs (len ≥ 1).
func appendValues(dst []byte, vs []float64) []byte {
	p := planValues(vs)
	dst = append(dst, p.kind)
	dst = appendUvarint(dst, uint64(p.exc))
	skip := p.exc > 0
	if skip {
		dst = appendExceptions(dst, vs)
	}
	switch p.kind {
	case kindConst:
		return appendConst(dst, vs, skip)
	case kindDelta, kindDoD:
		return appendDecimal(dst, vs, skip, p)
	default:
		return appendFloat(dst, vs)
	}
}

// planValues picks the kind: constant, else decimal when every value (but
// a few exceptions) is one, else float. Between decimal deltas and
// delta-of-deltas, and between decimal and float, the smaller wins.
func planValues(vs []float64) valuePlan {
	exc := countExceptions(vs)
	if exc*maxExcFactor > len(vs) {
		if isConst(vs, false) {
			return valuePlan{kind: kindConst}
		}
		return valuePlan{kind: kindFloat}
	}
	skip := exc > 0
	if isConst(vs, skip) {
		return valuePlan{kind: kindConst, exc: exc}
	}
	if p, ok := planDecimal(vs, skip, exc); ok {
		return p
	}
	return valuePlan{kind: kindFloat}
}

// planDecimal chooses between delta-of-deltas, deltas less one of a few
// biases (the smallest estimate after entropy coding wins, deltas on a
// tie) and, if no decimal form is as small in bytes, float.
func planDecimal(vs []float64, skip bool, exc int) (valuePlan, bool) {
	e, ok := decimalExponent(vs, skip)
	if !ok {
		return valuePlan{}, false
	}
	st := commonStep(vs, skip, e)
	biases := decimalBiases(vs, skip, e, st)
	dod, deltas, ok := decimalSizes(vs, skip, e, st, biases)
	if !ok {
		return valuePlan{}, false
	}
	p := valuePlan{kind: kindDoD, exc: exc, exp: e, step: st}
	best := dod
	for j, d := range deltas {
		if d.bits <= best.bits {
			p.kind, p.bias, best = kindDelta, biases[j], d
		}
	}
	size := best.bytes
	c := len(vs) - exc
	if size > 2*c && size+9*exc > floatSize(vs) {
		return valuePlan{}, false
	}
	return p, true
}

// countExceptions counts the exception values of vs.
func countExceptions(vs []float64) int {
	n := 0
	for _, v := range vs {
		if isException(v) {
			n++
		}
	}
	return n
}

// isConst reports whether all values (but exceptions, if skip) share their
// bits.
func isConst(vs []float64, skip bool) bool {
	first, seen := uint64(0), false
	for _, v := range vs {
		if skip && isException(v) {
			continue
		}
		b := math.Float64bits(v)
		if seen && b != first {
			return false
		}
		first, seen = b, true
	}
	return true
}

// appendExceptions appends each exception as the number of values since
// the previous one and its 8 bits, little endian.
func appendExceptions(dst []byte, vs []float64) []byte {
	gap := uint64(0)
	for _, v := range vs {
		if !isException(v) {
			gap++
			continue
		}
		dst = appendUvarint(dst, gap)
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
		gap = 0
	}
	return dst
}

// appendConst appends the one value (not an exception) of vs.
func appendConst(dst []byte, vs []float64, skip bool) []byte {
	for _, v := range vs {
		if !skip || !isException(v) {
			return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
		}
	}
	return dst
}

// decodeValues fills out (len ≥ 1) from the value section and returns the
// rest of src. The kind's stream is decoded into the tail of out, then
// exceptions are merged in from the front.
func decodeValues(src []byte, out []float64) ([]byte, error) {
	if len(src) < 2 || src[0] >= numKinds {
		return nil, fmt.Errorf("%w: bad value kind", ErrCorrupt)
	}
	kind := src[0]
	exc, k := uvarint(src[1:])
	if k <= 0 || exc >= uint64(len(out)) {
		return nil, fmt.Errorf("%w: bad exception count", ErrCorrupt)
	}
	list := src[1+k:]
	rest, err := skipExceptions(list, int(exc), len(out))
	if err != nil {
		return nil, err
	}
	rest, err = decodeKind(kind, rest, out[exc:])
	if err != nil {
		return nil, err
	}
	if exc > 0 {
		mergeExceptions(list, out, int(exc))
	}
	return rest, nil
}

// decodeKind fills out from the stream of one kind.
func decodeKind(kind byte, src []byte, out []float64) ([]byte, error) {
	switch kind {
	case kindConst:
		if len(src) < 8 {
			return nil, fmt.Errorf("%w: constant truncated", ErrCorrupt)
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(src))
		for i := range out {
			out[i] = v
		}
		return src[8:], nil
	case kindDelta:
		return decodeDecimal(src, out, 0)
	case kindDoD:
		return decodeDecimal(src, out, 1)
	default:
		return decodeFloat(src, out)
	}
}

// skipExceptions validates the exception list of n values and returns the
// bytes after it.
func skipExceptions(src []byte, exc, n int) ([]byte, error) {
	idx := -1
	for j := 0; j < exc; j++ {
		gap, k := uvarint(src)
		if k <= 0 || gap >= uint64(n) || idx+1+int(gap) >= n || len(src) < k+8 {
			return nil, fmt.Errorf("%w: exception %d truncated or out of range", ErrCorrupt, j)
		}
		idx += 1 + int(gap)
		src = src[k+8:]
	}
	return src, nil
}

// mergeExceptions spreads the values in out[exc:] over out, putting the
// exceptions of the (validated) list at their indexes. Writes never pass
// reads: value r of the tail lands at an index ≤ exc+r.
func mergeExceptions(list []byte, out []float64, exc int) {
	r := exc
	i := 0
	for j := 0; j < exc; j++ {
		gap, k := uvarint(list)
		next := i + int(gap)
		for ; i < next; i++ {
			out[i] = out[r]
			r++
		}
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(list[k:]))
		i++
		list = list[k+8:]
	}
}
