package gorilla

import "math/bits"

// dodBucket is one size class of a delta of delta: a control prefix
// followed by the dod in n bits.
type dodBucket struct {
	prefix     uint64
	prefixBits uint8
	n          uint8
}

// dodBuckets are tried in order; a dod that fits none of them follows the
// prefix 1111 as 64 bits. A dod of 0 is a single 0 bit.
var dodBuckets = [...]dodBucket{
	{prefix: 0b10, prefixBits: 2, n: 14},
	{prefix: 0b110, prefixBits: 3, n: 17},
	{prefix: 0b1110, prefixBits: 4, n: 20},
}

// fitsDod reports whether dod is in the range of an n-bit bucket:
// [-(2^(n-1) - 1), 2^(n-1)]. The range is shifted by one from two's
// complement, as in Prometheus' XOR chunk, so the bit pattern 100…0 means
// +2^(n-1).
func fitsDod(dod int64, n uint8) bool {
	return -(1<<(n-1)-1) <= dod && dod <= 1<<(n-1)
}

// writeDod appends a delta of delta: one 0 bit when the interval did not
// change, else the smallest bucket that holds it.
func (b *bstream) writeDod(dod int64) {
	if dod == 0 {
		b.writeBits(0, 1)
		return
	}
	for _, k := range dodBuckets {
		if fitsDod(dod, k.n) {
			b.writeBits(k.prefix<<k.n|uint64(dod)&(1<<k.n-1), k.prefixBits+k.n)
			return
		}
	}
	b.writeBits(0b1111, 4)
	b.writeBits(uint64(dod), 64)
}

// readDod reads a delta of delta written by writeDod.
func (r *bitReader) readDod() (int64, error) {
	if r.valid < 24 { // the largest bucket but the last: 4 + 20 bits
		r.refill()
	}
	// The bits below valid are zero, so this counts only unread ones.
	ones := min(uint8(bits.LeadingZeros64(^r.buf)), 4)
	prefix := min(ones+1, 4)
	if r.valid < prefix {
		return 0, errTruncated
	}
	r.take(prefix)
	if ones == 0 {
		return 0, nil
	}
	n := uint8(64)
	if ones < 4 {
		n = dodBuckets[ones-1].n
	}
	u, ok := r.readBits(n)
	if !ok {
		return 0, errTruncated
	}
	if n < 64 && u > 1<<(n-1) { // the negative half of the bucket; see fitsDod
		u -= 1 << n
	}
	return int64(u), nil
}
