package gorilla

import (
	"errors"
	"fmt"
)

// Causes of a Restore error next to ErrCorrupt: bytes that decode but that
// no Chunk leaves behind, so appending after them would not give a chunk
// Chunk writes.
var (
	errTrailingBytes = errors.New("bytes past the last sample")
	errTrailingBits  = errors.New("nonzero bits past the last sample")
)

// Restore makes c the chunk whose Bytes are b, ready to append after b's
// last sample: the chunk then grows exactly as if appending had never
// stopped, to the same bytes. It decodes b once to recover the state the
// next sample is encoded from, and copies b, so b may change afterwards;
// that costs a decode, not a re-encode of every sample.
//
// b must be a chunk Chunk wrote (a copy of Bytes). Otherwise Restore
// returns an error wrapping ErrCorrupt and leaves c empty. Restoring a
// chunk of MaxSamples samples succeeds; appending to it panics, as Append
// documents.
func (c *Chunk) Restore(b []byte) error {
	var it Iterator
	it.Reset(b)
	for it.Next() {
	}
	if err := it.Err(); err != nil {
		c.Reset()
		return err
	}
	// The decoder consumed used bits of the stream after the header; the
	// encoder leaves at most 7 bits of the last byte free, and zero.
	used := 8*it.r.off - int(it.r.valid)
	free := 8*(len(b)-headerSize) - used
	var err error
	switch {
	case free > 7:
		err = errTrailingBytes
	case free > 0 && b[len(b)-1]&(1<<free-1) != 0:
		err = errTrailingBits
	}
	if err != nil {
		c.Reset()
		return fmt.Errorf("%w: %d samples: %w", ErrCorrupt, it.total, err)
	}
	c.b = bstream{stream: append(c.b.stream[:0], b...), free: uint8(free)}
	c.n, c.t, c.delta, c.v, c.w = uint16(it.total), it.t, it.delta, it.v, it.w
	return nil
}
