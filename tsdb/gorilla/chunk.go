package gorilla

import (
	"encoding/binary"
	"math"
)

// MaxSamples is the most samples a Chunk holds: its count header is 16 bits.
const MaxSamples = math.MaxUint16

// headerSize is the length of the big-endian sample count that starts Bytes.
const headerSize = 2

// Chunk is an append-only Gorilla chunk: delta-of-delta timestamps and XOR
// floats in one bit stream behind a 2-byte sample count. See the package
// documentation for the format.
//
// The zero value is an empty chunk ready for Append. A Chunk is not safe for
// concurrent use; a caller that reads while another goroutine appends copies
// Bytes under its own lock and decodes the copy.
type Chunk struct {
	b bstream // header, then the samples

	// State of the last sample, from which the next one is encoded. The
	// fields are ordered to pack the struct into 64 bytes: heads keep one
	// open chunk per series.
	t     int64  // last timestamp
	delta int64  // last timestamp interval (wrapping, as the format does)
	v     uint64 // last value as IEEE 754 bits
	n     uint16 // samples appended; the header holds the same number
	w     window // last XOR window
}

// NewChunk returns an empty chunk with room for about capacityHint samples
// of a typical gauge (2 bytes each) before its buffer grows.
func NewChunk(capacityHint int) *Chunk {
	c := &Chunk{}
	c.Init(capacityHint)
	return c
}

// Init empties the chunk and gives it a new buffer with room for about
// capacityHint samples, as NewChunk does: for a Chunk kept by value.
func (c *Chunk) Init(capacityHint int) {
	c.b.stream = make([]byte, 0, headerSize+16+2*max(capacityHint, 0))
	c.Reset()
}

// Reset empties the chunk and keeps its buffer, so that appending to a reused
// chunk does not allocate.
func (c *Chunk) Reset() {
	c.b = bstream{stream: append(c.b.stream[:0], 0, 0)}
	c.n, c.t, c.delta, c.v = 0, 0, 0, 0
	c.w = window{leading: noWindow}
}

// NumSamples returns the number of samples appended since the last Reset.
func (c *Chunk) NumSamples() int {
	return int(c.n)
}

// Cap returns the bytes the chunk's buffer holds before it grows: 0 for
// the zero value, which allocates on its first Append.
func (c *Chunk) Cap() int {
	return cap(c.b.stream)
}

// LastT returns the timestamp of the last sample appended, or 0 when the
// chunk is empty.
func (c *Chunk) LastT() int64 {
	return c.t
}

// Bytes returns the encoded chunk: the 2-byte big-endian sample count, then
// the bit stream. The slice aliases the chunk's buffer and is valid only
// until the next Append or Reset, which may rewrite its last byte; copy it to
// keep a snapshot. A copy decodes to exactly the samples appended so far.
func (c *Chunk) Bytes() []byte {
	if c.b.stream == nil { // zero value before its first Append
		return make([]byte, headerSize)
	}
	return c.b.stream
}

// Append adds a sample. The caller guarantees that t is greater than the
// previous timestamp; Append does not check it. (Timestamps that go backwards
// still decode exactly, at up to 10 bytes each, but Iterator.SeekTo assumes
// order.) Append does not allocate once the buffer has grown to the chunk's
// size, as it has after a Reset of a used chunk.
//
// Append panics when the chunk already holds MaxSamples samples: the caller
// must cut a new chunk long before that.
func (c *Chunk) Append(t int64, v float64) {
	vb := math.Float64bits(v)
	switch c.n {
	case 0:
		c.appendFirst(t, vb)
	case MaxSamples:
		panic("BUG: gorilla: Append to a chunk that holds MaxSamples samples")
	case 1:
		c.delta = t - c.t
		c.b.writeUvarint(uint64(c.delta))
		c.b.writeXOR(vb^c.v, &c.w)
	default:
		delta := t - c.t
		c.b.writeDod(delta - c.delta)
		c.b.writeXOR(vb^c.v, &c.w)
		c.delta = delta
	}
	c.t, c.v = t, vb
	c.n++
	binary.BigEndian.PutUint16(c.b.stream, c.n)
}

// appendFirst writes the first sample: timestamp as a varint, value as its
// 64 raw bits.
func (c *Chunk) appendFirst(t int64, vb uint64) {
	if c.b.stream == nil {
		c.Reset()
	}
	c.b.writeVarint(t)
	c.b.writeBits(vb, 64)
}
