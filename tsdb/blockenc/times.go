package blockenc

import "fmt"

// appendTimes appends the timestamp section: ts[0] as a zigzag varint, then
// a run stream of the first delta and the delta-of-deltas.
func appendTimes(dst []byte, ts []int64) []byte {
	dst = appendVarint(dst, ts[0])
	var w runWriter
	d := diffs{prev: ts[0], dod: true}
	for _, t := range ts[1:] {
		dst = w.add(dst, d.next(t))
	}
	return w.flush(dst)
}

// decodeTimes fills ts (len ≥ 1) from the timestamp section and returns the
// rest of src.
func decodeTimes(src []byte, ts []int64) ([]byte, error) {
	t, k := varint(src)
	if k <= 0 {
		return nil, fmt.Errorf("%w: first timestamp truncated", ErrCorrupt)
	}
	ts[0] = t
	return decodeInts(src[k:], ts, 1)
}

// decodeInts reads len(out)-1 run-stream items and integrates them into
// out[1:], starting from out[0]. keep is 1 for delta-of-deltas, 0 for
// deltas. The loop is the decoder's hot path: one byte per item in the
// common case, and a tight fill for runs of zeros.
func decodeInts(src []byte, out []int64, keep int64) ([]byte, error) {
	x, d := out[0], int64(0)
	off, i := 0, 1
	for i < len(out) {
		if off < len(src) && src[off] != 0 && src[off] < 0x80 {
			u := uint64(src[off]) - 1
			d = d*keep + (int64(u>>1) ^ -int64(u&1))
			x += d
			out[i] = x
			off++
			i++
			continue
		}
		item, reps, k := readToken(src[off:])
		if k <= 0 {
			return nil, errRun("timestamp", i)
		}
		if reps > uint64(len(out)-i) {
			return nil, errRunLength("timestamp", i)
		}
		off += k
		d = d*keep + item // a run's zeros all leave d at this
		for end := i + int(reps); i < end; i++ {
			x += d
			out[i] = x
		}
	}
	return src[off:], nil
}
