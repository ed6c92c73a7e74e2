package gorilla

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrCorrupt is wrapped by every error an Iterator reports: the bytes are not
// a chunk that Chunk wrote (truncated, or bits no encoder writes).
var ErrCorrupt = errors.New("corrupt gorilla chunk")

// Causes wrapped next to ErrCorrupt, for the message.
var (
	errTruncated   = errors.New("truncated")
	errVarint      = errors.New("varint overflows 64 bits")
	errNoWindow    = errors.New("reuses a window before one was set")
	errWindowRange = errors.New("window is wider than 64 bits")
)

// Iterator decodes the samples of a chunk in order. The zero value is an
// exhausted iterator; Reset points it at a chunk. An Iterator is reusable and
// does not allocate, except to build the error for corrupt input. It is not
// safe for concurrent use.
type Iterator struct {
	r     bitReader
	total int  // samples in the header
	i     int  // samples decoded
	at    bool // positioned on a sample: Next or SeekTo returned true

	// The current sample and the state the next one is decoded from.
	t     int64
	delta int64
	v     uint64
	w     window

	err error
}

// Reset points the iterator at b, a copy of Chunk.Bytes, and rewinds it to
// before the first sample. The iterator reads b until the next Reset; b must
// not change meanwhile.
func (it *Iterator) Reset(b []byte) {
	*it = Iterator{w: window{leading: noWindow}}
	if len(b) < headerSize {
		it.err = fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrCorrupt, len(b), headerSize)
		return
	}
	it.total = int(binary.BigEndian.Uint16(b))
	it.r.reset(b[headerSize:])
}

// Next advances to the next sample and reports whether there is one. It
// returns false at the end of the chunk and on corrupt input; Err tells the
// two apart.
func (it *Iterator) Next() bool {
	it.at = false
	if it.err != nil || it.i >= it.total {
		return false
	}
	var err error
	switch it.i {
	case 0:
		err = it.readFirst()
	case 1:
		err = it.readSecond()
	default:
		err = it.readNext()
	}
	if err != nil {
		it.err = fmt.Errorf("%w: sample %d of %d: %w", ErrCorrupt, it.i+1, it.total, err)
		return false
	}
	it.i++
	it.at = true
	return true
}

// SeekTo advances to the first sample with a timestamp at or after t and
// reports whether there is one. It stays put when the current sample
// qualifies, and never moves backwards. (It is not called Seek because go vet
// reserves Seek(int64, …) for io.Seeker.)
func (it *Iterator) SeekTo(t int64) bool {
	if it.at && it.t >= t {
		return true
	}
	for it.Next() {
		if it.t >= t {
			return true
		}
	}
	return false
}

// At returns the current sample. It is valid after Next or SeekTo returned
// true.
func (it *Iterator) At() (int64, float64) {
	return it.t, math.Float64frombits(it.v)
}

// Err returns the error that stopped the iterator, or nil at a clean end.
// Every error wraps ErrCorrupt.
func (it *Iterator) Err() error {
	return it.err
}

func (it *Iterator) readFirst() error {
	t, err := it.r.readVarint()
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	v, ok := it.r.readBits(64)
	if !ok {
		return fmt.Errorf("value: %w", errTruncated)
	}
	it.t, it.v = t, v
	return nil
}

func (it *Iterator) readSecond() error {
	delta, err := it.r.readUvarint()
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	it.delta = int64(delta)
	it.t += it.delta
	return it.readValue()
}

func (it *Iterator) readNext() error {
	dod, err := it.r.readDod()
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	it.delta += dod
	it.t += it.delta
	return it.readValue()
}

func (it *Iterator) readValue() error {
	x, err := it.r.readXOR(&it.w)
	if err != nil {
		return fmt.Errorf("value: %w", err)
	}
	it.v ^= x
	return nil
}
