package gorilla

import "encoding/binary"

// bstream is an append-only stream of bits, most significant bit first. The
// last byte of stream may be partly written: its low free bits are zero and
// are filled by the next write.
type bstream struct {
	stream []byte
	free   uint8 // unwritten low bits of the last byte, 0..7
}

// writeBits appends the low n bits of u, most significant first; n is 0..64
// and the bits of u above n must be zero.
func (b *bstream) writeBits(u uint64, n uint8) {
	u <<= 64 - n // left-align; a shift by 64 yields 0, which n == 0 wants
	if b.free > 0 {
		// Fill the free low bits of the last byte; bits of u past n are zero.
		b.stream[len(b.stream)-1] |= byte(u >> (64 - b.free))
		if n <= b.free {
			b.free -= n
			return
		}
		u <<= b.free
		n -= b.free
	}
	for ; n >= 8; n -= 8 {
		b.stream = append(b.stream, byte(u>>56))
		u <<= 8
	}
	b.free = 0
	if n > 0 {
		b.stream = append(b.stream, byte(u>>56))
		b.free = 8 - n
	}
}

// writeVarint appends x as a zig-zag varint (encoding/binary.PutVarint).
func (b *bstream) writeVarint(x int64) {
	var buf [binary.MaxVarintLen64]byte
	for _, c := range buf[:binary.PutVarint(buf[:], x)] {
		b.writeBits(uint64(c), 8)
	}
}

// writeUvarint appends x as an unsigned varint (encoding/binary.PutUvarint).
func (b *bstream) writeUvarint(x uint64) {
	var buf [binary.MaxVarintLen64]byte
	for _, c := range buf[:binary.PutUvarint(buf[:], x)] {
		b.writeBits(uint64(c), 8)
	}
}

// bitReader reads a bit stream written by bstream. It never reads past the
// end of its slice: every read reports whether enough bits were left.
type bitReader struct {
	stream []byte
	off    int    // next byte of stream to load into buf
	buf    uint64 // unread bits, left-aligned; the bits below them are zero
	valid  uint8  // number of unread bits in buf, 0..64
}

func (r *bitReader) reset(b []byte) {
	*r = bitReader{stream: b}
}

// refill loads whole bytes into buf until it holds at least 57 bits or the
// stream ends.
func (r *bitReader) refill() {
	if r.off+8 > len(r.stream) {
		r.refillTail()
		return
	}
	w := binary.BigEndian.Uint64(r.stream[r.off:])
	n := (64 - r.valid) / 8 // whole bytes that fit
	// Keep only the top n bytes of w, placed right under the unread bits.
	r.buf |= (w >> r.valid) &^ (1<<(64-r.valid-8*n) - 1)
	r.valid += 8 * n
	r.off += int(n)
}

// refillTail is refill near the end of the stream, one byte at a time.
func (r *bitReader) refillTail() {
	for r.valid <= 56 && r.off < len(r.stream) {
		r.buf |= uint64(r.stream[r.off]) << (56 - r.valid)
		r.off++
		r.valid += 8
	}
}

// readBits reads n bits (0..64) and returns them in the low bits of the
// result; ok is false when the stream holds fewer than n bits.
func (r *bitReader) readBits(n uint8) (u uint64, ok bool) {
	if r.valid < n {
		return r.readBitsSlow(n)
	}
	return r.take(n), true
}

// take consumes n buffered bits; the caller checked that valid >= n.
func (r *bitReader) take(n uint8) uint64 {
	u := r.buf >> (64 - n) // a shift by 64 yields 0, which n == 0 wants
	r.buf <<= n
	r.valid -= n
	return u
}

// readBitsSlow is readBits when buf holds fewer than n bits. A refill
// guarantees 57 bits, so reads of more than 56 bits take two steps.
func (r *bitReader) readBitsSlow(n uint8) (uint64, bool) {
	r.refill()
	if r.valid >= n {
		return r.take(n), true
	}
	if n <= 56 || r.valid < n-32 {
		return 0, false
	}
	hi := r.take(n - 32)
	r.refill()
	if r.valid < 32 {
		return 0, false
	}
	return hi<<32 | r.take(32), true
}

// readUvarint reads an unsigned varint byte by byte, as
// encoding/binary.Uvarint does.
func (r *bitReader) readUvarint() (uint64, error) {
	var x uint64
	var shift uint
	for i := range binary.MaxVarintLen64 {
		c, ok := r.readBits(8)
		if !ok {
			return 0, errTruncated
		}
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				return 0, errVarint
			}
			return x | c<<shift, nil
		}
		x |= (c & 0x7f) << shift
		shift += 7
	}
	return 0, errVarint
}

// readVarint reads a zig-zag varint written by writeVarint.
func (r *bitReader) readVarint() (int64, error) {
	ux, err := r.readUvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, err
}
