package checkpoint

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// Read loads the checkpoint at path and calls fn with each of its series,
// in the order they were written, then returns its meta.
//
// The whole file is read into one buffer and checked before fn sees
// anything: its CRC32-C, then every length and reference, in a first pass
// over the series. A truncated, damaged or foreign file fails with an error
// naming path and wrapping ErrCorrupt, and fn is not called; an error from fn
// stops Read and is returned wrapped.
//
// Buffer lifetimes: the *Series and its Chunks and OutOfOrder slices are
// reused for the next series once fn returns, so fn copies what it keeps of
// them. Labels and each Chunk's Data may be kept: labels are freshly
// allocated, and Data is a sub-slice of the file buffer, which Read never
// reuses or modifies. Data's capacity equals its length, so appending to it
// copies; fn must not modify Data in place. Keeping any Data keeps the whole
// file buffer alive.
func Read(path string, fn func(*Series) error) (Meta, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return Meta{}, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	m, err := decode(buf, fn)
	if err == nil {
		err = checkName(path, m)
	}
	if err != nil {
		return Meta{}, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	return m, nil
}

// checkName verifies that a checkpoint file name matches its meta.
func checkName(path string, m Meta) error {
	if n, ok := parseName(filepath.Base(path)); ok && n != m.Segment {
		return fmt.Errorf("%w: file holds segment %d", ErrCorrupt, m.Segment)
	}
	return nil
}

// decode verifies buf, then passes its series to fn.
func decode(buf []byte, fn func(*Series) error) (Meta, error) {
	body, count, err := verify(buf)
	if err != nil {
		return Meta{}, err
	}
	d := newDecoder(body)
	m := d.meta()
	start := d.off
	if err := d.each(count, nil); err != nil { // validate everything first
		return Meta{}, err
	}
	d.rewind(start)
	return m, d.each(count, fn)
}

// verify checks the magic, the version and the CRC of buf and returns the
// bytes before the trailer and the series count from it.
func verify(buf []byte) (body []byte, count uint64, err error) {
	if len(buf) < headerSize+trailerSize {
		return nil, 0, fmt.Errorf("%w: truncated to %d bytes", ErrCorrupt, len(buf))
	}
	if string(buf[:len(magic)]) != magic {
		return nil, 0, fmt.Errorf("%w: no checkpoint magic", ErrCorrupt)
	}
	end := len(buf) - 4
	stored, computed := binary.LittleEndian.Uint32(buf[end:]), crc32.Checksum(buf[:end], castagnoli)
	if stored != computed {
		return nil, 0, fmt.Errorf("%w: checksum mismatch (stored %08x, computed %08x): damaged or truncated", ErrCorrupt, stored, computed)
	}
	if v := buf[len(magic)]; v != version {
		return nil, 0, fmt.Errorf("unsupported checkpoint version %d (this build reads %d)", v, version)
	}
	return buf[:end-8], binary.LittleEndian.Uint64(buf[end-8 : end]), nil
}
