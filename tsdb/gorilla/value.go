package gorilla

import "math/bits"

// noWindow marks that no leading/trailing-zero window has been written yet,
// so the next changed value must open one.
const noWindow = 0xff

// maxLeading caps the leading-zero count so that it fits in 5 bits.
const maxLeading = 31

// window is the span of meaningful bits of the last XOR written: leading
// zeros above it and trailing zeros below it.
type window struct {
	leading, trailing uint8
}

// writeXOR appends the XOR of a value with the previous one (both as IEEE 754
// bits) and updates w:
//
//	0                                  same value
//	10 <64-leading-trailing bits>      XOR fits inside the previous window
//	11 <5: leading> <6: sigbits> <sigbits bits>   a new window; sigbits 0 means 64
func (b *bstream) writeXOR(x uint64, w *window) {
	if x == 0 {
		b.writeBits(0, 1)
		return
	}
	leading := min(uint8(bits.LeadingZeros64(x)), maxLeading)
	trailing := uint8(bits.TrailingZeros64(x))
	if w.leading != noWindow && leading >= w.leading && trailing >= w.trailing {
		b.writeBits(0b10, 2)
		b.writeBits(x>>w.trailing, 64-w.leading-w.trailing)
		return
	}
	*w = window{leading: leading, trailing: trailing}
	sig := 64 - leading - trailing
	// sig is 1..64; 64 does not fit in 6 bits and is written as 0.
	b.writeBits(0b11<<11|uint64(leading)<<6|uint64(sig&63), 13)
	b.writeBits(x>>trailing, sig)
}

// readXOR reads an XOR written by writeXOR and updates w.
func (r *bitReader) readXOR(w *window) (uint64, error) {
	if r.valid < 13 { // the longest control: 11, 5 bits leading, 6 bits sigbits
		r.refill()
	}
	// Fewer than 13 bits after a refill mean the stream is ending; each case
	// checks that what is left is enough.
	switch {
	case r.valid == 0:
		return 0, errTruncated
	case r.buf>>63 == 0:
		r.take(1)
		return 0, nil
	case r.valid < 2:
		return 0, errTruncated
	case r.buf>>62 == 0b10:
		if w.leading == noWindow { // Prometheus would read 64 bits; no encoder writes this
			return 0, errNoWindow
		}
		r.take(2)
	default:
		if err := r.readWindow(w); err != nil {
			return 0, err
		}
	}
	x, ok := r.readBits(64 - w.leading - w.trailing)
	if !ok {
		return 0, errTruncated
	}
	return x << w.trailing, nil
}

// readWindow reads the control bits 11 and the window that follows them.
func (r *bitReader) readWindow(w *window) error {
	if r.valid < 13 {
		return errTruncated
	}
	u := r.take(13)
	leading, sig := uint8(u>>6&31), uint8(u&63)
	if sig == 0 {
		sig = 64
	}
	if leading+sig > 64 {
		return errWindowRange
	}
	*w = window{leading: leading, trailing: 64 - leading - sig}
	return nil
}
