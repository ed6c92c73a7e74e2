package blockenc

import (
	"fmt"
	"math"
)

// Decimal exponents stay within the powers of ten a float64 holds exactly,
// so float64(m)/10^-e (e < 0) and float64(m)*10^e (e ≥ 0) are one correctly
// rounded operation: the value a parser would produce for the decimal text.
const (
	minExp = -22
	maxExp = 22
)

// pow10 holds the exact float64 powers of ten 10^0 … 10^22.
var pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// fromMantissa is the decoder's m×10^e.
func fromMantissa(m int64, e int) float64 {
	if e < 0 {
		return float64(m) / pow10[-e]
	}
	return float64(m) * pow10[e]
}

// mantissa returns m with fromMantissa(m, e) bit-identical to v.
func mantissa(v float64, e int) (int64, bool) {
	var f float64
	if e < 0 {
		f = math.Round(v * pow10[-e])
	} else {
		f = v / pow10[e]
	}
	if !(math.Abs(f) < 0x1p63) || f != math.Trunc(f) {
		return 0, false
	}
	m := int64(f)
	return m, math.Float64bits(fromMantissa(m, e)) == math.Float64bits(v)
}

// decimalExponent returns the largest exponent at which every value (but
// exceptions, if skip) converts, trying each value first at the exponent
// the values before it needed.
func decimalExponent(vs []float64, skip bool) (int, bool) {
	e := maxExp
	for _, v := range vs {
		if skip && isException(v) {
			continue
		}
		for {
			if _, ok := mantissa(v, e); ok {
				break
			}
			if e--; e < minExp {
				return 0, false
			}
		}
	}
	return e, true
}

// steps turns mantissas into steps of g from the first, m0, and back.
type steps struct {
	m0, g int64
}

// of returns the step count of mantissa m: (m-m0)/g.
func (s steps) of(m int64) int64 { return (m - s.m0) / s.g }

// commonStep returns the first mantissa at exponent e and the greatest
// common divisor of the mantissas' differences from it (1 when they are
// all equal, or when a mantissa is so large a difference could wrap).
func commonStep(vs []float64, skip bool, e int) steps {
	st := steps{g: 0}
	first := true
	for _, v := range vs {
		if skip && isException(v) {
			continue
		}
		m, _ := mantissa(v, e)
		if m >= 1<<62 || m <= -1<<62 {
			return steps{m0: st.m0, g: 1}
		}
		if first {
			st.m0, first = m, false
			continue
		}
		st.g = gcd(st.g, m-st.m0)
	}
	st.g = max(st.g, 1)
	return st
}

// gcd returns the greatest common divisor of |a| and |b|.
func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// biasCandidates are the biases decimalSizes tries for the deltas: 0 (the
// mode of gauges and of slow counters, whose deltas are mostly zero) and
// the mean step rounded down and up (the centre of busy counters).
const biasCandidates = 3

// decimalBiases returns the bias candidates for the steps of the mantissas
// at exponent e; the mean step comes from the first and the last value.
func decimalBiases(vs []float64, skip bool, e int, st steps) [biasCandidates]int64 {
	first, last, c := int64(0), int64(0), 0
	for _, v := range vs {
		if skip && isException(v) {
			continue
		}
		m, _ := mantissa(v, e)
		last = st.of(m)
		if c == 0 {
			first = last
		}
		c++
	}
	if c < 2 {
		return [biasCandidates]int64{}
	}
	mean := (float64(last) - float64(first)) / float64(c-1)
	mean = max(min(mean, 0x1p62), -0x1p62)
	return [biasCandidates]int64{0, int64(math.Floor(mean)), int64(math.Ceil(mean))}
}

// decimalSizes sizes the delta-of-delta run stream and the delta run
// streams for each bias of the steps of the mantissas at exponent e, or
// returns false if a value does not convert at e.
func decimalSizes(vs []float64, skip bool, e int, st steps, biases [biasCandidates]int64) (dod runSizer, delta [biasCandidates]runSizer, ok bool) {
	dd := diffs{dod: true}
	var prev int64
	first := true
	for _, v := range vs {
		if skip && isException(v) {
			continue
		}
		m, ok := mantissa(v, e)
		if !ok {
			return dod, delta, false
		}
		m = st.of(m)
		if first {
			prev, dd.prev, first = m, m, false
			continue
		}
		dod.add(dd.next(m))
		for j, b := range biases {
			delta[j].add(m - prev - b)
		}
		prev = m
	}
	dod.flush()
	for j := range delta {
		delta[j].flush()
	}
	return dod, delta, true
}

// appendDecimal appends the exponent, the step, the first mantissa, the
// bias (deltas only) and the run stream of the other mantissas' steps.
// Every value converts: decimalSizes checked.
func appendDecimal(dst []byte, vs []float64, skip bool, p valuePlan) []byte {
	dod := p.kind == kindDoD
	dst = appendVarint(dst, int64(p.exp))
	dst = appendUvarint(dst, uint64(p.step.g))
	var w runWriter
	d := diffs{dod: dod, bias: p.bias}
	first := true
	for _, v := range vs {
		if skip && isException(v) {
			continue
		}
		m, _ := mantissa(v, p.exp)
		if first {
			dst = appendVarint(dst, m)
			if !dod {
				dst = appendVarint(dst, p.bias)
			}
			d.prev, first = 0, false
			continue
		}
		dst = w.add(dst, d.next(p.step.of(m)))
	}
	return w.flush(dst)
}

// decodeDecimal fills out (len ≥ 1) from a decimal stream; keep is 1 for
// delta-of-deltas, 0 for deltas (which carry a bias). Same loop as
// decodeInts, adding the bias and scaling each mantissa as it is stored.
func decodeDecimal(src []byte, out []float64, keep int64) ([]byte, error) {
	e, k := varint(src)
	if k <= 0 || e < minExp || e > maxExp {
		return nil, fmt.Errorf("%w: bad decimal exponent", ErrCorrupt)
	}
	src = src[k:]
	g, k := uvarint(src)
	if k <= 0 || g == 0 || g >= 1<<62 {
		return nil, fmt.Errorf("%w: bad decimal step", ErrCorrupt)
	}
	m, k2 := varint(src[k:])
	if k2 <= 0 {
		return nil, fmt.Errorf("%w: first mantissa truncated", ErrCorrupt)
	}
	src = src[k+k2:]
	bias := int64(0)
	if keep == 0 {
		if bias, k = varint(src); k <= 0 {
			return nil, fmt.Errorf("%w: bias truncated", ErrCorrupt)
		}
		src = src[k:]
	}
	div, p := e < 0, pow10[abs(e)]
	out[0] = scale(m, div, p)
	return decodeMantissas(src, out, m, int64(g), keep, bias, div, p)
}

// decodeMantissas is decodeDecimal's loop over the run stream of steps of
// g from the first mantissa m.
func decodeMantissas(src []byte, out []float64, m, g, keep, bias int64, div bool, p float64) ([]byte, error) {
	d := int64(0)
	off, i := 0, 1
	for i < len(out) {
		if off < len(src) && src[off] != 0 && src[off] < 0x80 {
			u := uint64(src[off]) - 1
			d = d*keep + (int64(u>>1) ^ -int64(u&1)) + bias
			m += d * g
			out[i] = scale(m, div, p)
			off++
			i++
			continue
		}
		item, reps, k := readToken(src[off:])
		if k <= 0 {
			return nil, errRun("value", i)
		}
		if reps > uint64(len(out)-i) {
			return nil, errRunLength("value", i)
		}
		off += k
		d = d*keep + item + bias // a run's zeros all leave d at this
		for end := i + int(reps); i < end; i++ {
			m += d * g
			out[i] = scale(m, div, p)
		}
	}
	return src[off:], nil
}

// scale is fromMantissa with the exponent's branch and power hoisted.
func scale(m int64, div bool, p float64) float64 {
	if div {
		return float64(m) / p
	}
	return float64(m) * p
}

// abs returns |e| for a validated exponent.
func abs(e int64) int64 {
	if e < 0 {
		return -e
	}
	return e
}
