package wal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/snappy"
)

// readBufferSize is the read-ahead of replay.
const readBufferSize = 256 << 10

// segmentReader reads the records of one segment after another during
// replay. It reuses its buffers across records and segments.
type segmentReader struct {
	br        *bufio.Reader
	maxRecord int
	seg       int   // number of the segment being read
	size      int64 // its size in bytes
	off       int64 // offset of the next record
	start     int64 // offset of the record last returned
	hdr       [headerSize]byte
	raw       []byte // stored payload
	dec       []byte // decompressed payload
}

// newSegmentReader returns a reader for records of at most maxRecord bytes.
func newSegmentReader(maxRecord int) *segmentReader {
	return &segmentReader{br: bufio.NewReaderSize(nil, readBufferSize), maxRecord: maxRecord}
}

// reset starts reading segment seg of the given size from r.
func (r *segmentReader) reset(src io.Reader, seg int, size int64) {
	r.br.Reset(src)
	r.seg, r.size, r.off, r.start = seg, size, 0, 0
}

// next returns the next record, valid until the following call. It returns
// io.EOF at the clean end of the segment, a *CorruptionError at the first
// damaged record, and any other error for a failed read.
func (r *segmentReader) next() ([]byte, error) {
	if r.off == r.size {
		return nil, io.EOF
	}
	n, err := r.readHeader()
	if err != nil {
		return nil, err
	}
	payload, err := r.readPayload(n)
	if err != nil {
		return nil, err
	}
	rec, err := r.decode(r.hdr[0], payload)
	if err != nil {
		return nil, err
	}
	r.start, r.off = r.off, r.off+headerSize+int64(n)
	return rec, nil
}

// readHeader reads and checks a record header, returning the payload length.
func (r *segmentReader) readHeader() (int, error) {
	remain := r.size - r.off
	h := r.hdr[:min(remain, headerSize)]
	if _, err := io.ReadFull(r.br, h); err != nil {
		return 0, r.readErr(err)
	}
	if h[0] == 0 {
		return 0, r.zeroOrGarbage(h)
	}
	if len(h) < headerSize {
		return 0, r.corrupt(fmt.Errorf("%w: %d of %d bytes", errTornHeader, len(h), headerSize))
	}
	if f := h[0]; f&^flagsKnown != 0 || f&flagRecord == 0 {
		return 0, r.corrupt(fmt.Errorf("%w 0x%02x", errBadFlags, f))
	}
	return r.checkLength(binary.LittleEndian.Uint32(h[1:crcStart]), remain-headerSize)
}

// checkLength checks a payload length against the limit and what is left of
// the segment.
func (r *segmentReader) checkLength(n uint32, remain int64) (int, error) {
	if n > uint32(r.maxRecord) {
		return 0, r.corrupt(fmt.Errorf("%w: %d bytes, limit %d", errTooLong, n, r.maxRecord))
	}
	if int64(n) > remain {
		return 0, r.corrupt(fmt.Errorf("%w: %d of %d bytes", errTornPayload, remain, n))
	}
	return int(n), nil
}

// zeroOrGarbage names the damage at a record that starts with a zero byte:
// a zero-filled tail when every byte left is zero, bad flags otherwise.
func (r *segmentReader) zeroOrGarbage(h []byte) error {
	zero, err := r.restIsZero(h)
	if err != nil {
		return err
	}
	if zero {
		return r.corrupt(fmt.Errorf("%w of %d bytes", errZeroTail, r.size-r.off))
	}
	return r.corrupt(fmt.Errorf("%w 0x00", errBadFlags))
}

// restIsZero reports whether h and everything after it in the segment are
// zero bytes.
func (r *segmentReader) restIsZero(h []byte) (bool, error) {
	if !allZero(h) {
		return false, nil
	}
	for {
		if _, err := r.br.Peek(1); errors.Is(err, io.EOF) {
			return true, nil
		} else if err != nil {
			return false, r.readErr(err)
		}
		chunk, _ := r.br.Peek(r.br.Buffered()) // cannot fail: the bytes are buffered
		if !allZero(chunk) {
			return false, nil
		}
		_, _ = r.br.Discard(len(chunk)) // cannot fail, as above
	}
}

// allZero reports whether every byte of b is zero.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// readPayload reads n stored bytes and checks them against the header's CRC.
func (r *segmentReader) readPayload(n int) ([]byte, error) {
	if cap(r.raw) < n {
		r.raw = make([]byte, n)
	}
	p := r.raw[:n]
	if _, err := io.ReadFull(r.br, p); err != nil {
		return nil, r.readErr(err)
	}
	want := binary.LittleEndian.Uint32(r.hdr[crcStart:headerSize])
	if got := recordCRC(r.hdr[:], p); got != want {
		return nil, r.corrupt(fmt.Errorf("%w: stored %08x, computed %08x", errChecksum, want, got))
	}
	return p, nil
}

// decode returns the record stored in payload, decompressing it into the
// reader's reused buffer when the header says it is snappy-compressed.
func (r *segmentReader) decode(flags byte, payload []byte) ([]byte, error) {
	if flags&flagSnappy == 0 {
		return payload, nil
	}
	n, err := snappy.DecodedLen(payload)
	if err != nil {
		return nil, r.corrupt(fmt.Errorf("%w: %v", errDecompress, err))
	}
	if n > r.maxRecord {
		return nil, r.corrupt(fmt.Errorf("%w: decodes to %d bytes, limit %d", errTooLong, n, r.maxRecord))
	}
	if cap(r.dec) < n {
		r.dec = make([]byte, n)
	}
	rec, err := snappy.Decode(r.dec[:cap(r.dec)], payload)
	if err != nil {
		return nil, r.corrupt(fmt.Errorf("%w: %v", errDecompress, err))
	}
	return rec, nil
}

// readErr turns a short read into a corruption (the file ended early, which
// only a concurrent truncation can cause) and passes other errors through.
func (r *segmentReader) readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.corrupt(fmt.Errorf("%w: segment ended early", errTornPayload))
	}
	return fmt.Errorf("read wal segment %d offset %d: %w", r.seg, r.off, err)
}

// corrupt returns a CorruptionError for the record at the current offset.
func (r *segmentReader) corrupt(reason error) error {
	return &CorruptionError{Segment: r.seg, Offset: r.off, Err: reason}
}
