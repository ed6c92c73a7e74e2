package checkpoint

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/prometheus/prometheus/model/labels"
)

// writeBufferSize is the write buffer between the encoder and the file.
const writeBufferSize = 1 << 20

// defaultMaxSymbols caps the strings the writer interns: past it, new
// strings are written inline, so a head of unique label values does not
// grow the writer's map without bound.
const defaultMaxSymbols = 1 << 18

// writeOptions tune Write; tests and benchmarks change them.
type writeOptions struct {
	maxSymbols int
}

// Write writes a checkpoint with meta and the series that series yields to
// path, durably: into path+".tmp" (replacing a leftover), fsynced, renamed
// to path, and the directory fsynced. series is called once and streams:
// each *Series passed to yield is encoded before yield returns, so the
// caller may reuse it and nothing is kept. An error from series or yield
// aborts the write; the .tmp file is removed and path left as it was.
func Write(path string, meta Meta, series func(yield func(*Series) error) error) error {
	return write(path, meta, series, writeOptions{maxSymbols: defaultMaxSymbols})
}

// write is Write with options.
func write(path string, meta Meta, series func(yield func(*Series) error) error, opts writeOptions) error {
	tmp := path + ".tmp"
	if err := writeFile(tmp, meta, series, opts); err != nil {
		return errors.Join(fmt.Errorf("write checkpoint %s: %w", path, err), removeTmp(tmp))
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("rename checkpoint %s: %w", tmp, err), removeTmp(tmp))
	}
	return syncDir(filepath.Dir(path))
}

// writeFile encodes the checkpoint into file name and fsyncs it.
func writeFile(name string, meta Meta, series func(yield func(*Series) error) error, opts writeOptions) (err error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	e := newEncoder(f, opts)
	if err := e.header(meta); err != nil {
		return err
	}
	if err := series(e.series); err != nil {
		return err
	}
	if err := e.finish(); err != nil {
		return err
	}
	return f.Sync()
}

// removeTmp removes a partly written checkpoint, if it exists.
func removeTmp(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// syncDir fsyncs dir so a rename in it survives a crash.
func syncDir(dir string) (err error) {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open checkpoint dir: %w", err)
	}
	defer func() { err = errors.Join(err, d.Close()) }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync checkpoint dir %s: %w", dir, err)
	}
	return nil
}

// crcWriter passes writes on and keeps the CRC32-C of what was written.
type crcWriter struct {
	w   io.Writer
	crc uint32
}

// Write implements io.Writer.
func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	return n, err
}

// encoder writes the parts of a checkpoint. It reuses one buffer for every
// series.
type encoder struct {
	h          *crcWriter
	w          *bufio.Writer // over h
	buf        []byte
	syms       map[string]uint32
	maxSymbols int
	n          uint64             // series written
	addLabel   func(labels.Label) // appends one label to buf; allocated once
}

// newEncoder returns an encoder writing to w.
func newEncoder(w io.Writer, opts writeOptions) *encoder {
	h := &crcWriter{w: w}
	e := &encoder{h: h, w: bufio.NewWriterSize(h, writeBufferSize), syms: map[string]uint32{}, maxSymbols: opts.maxSymbols}
	e.addLabel = func(l labels.Label) {
		e.buf = e.appendString(e.buf, l.Name)
		e.buf = e.appendString(e.buf, l.Value)
	}
	return e
}

// header writes the magic, the version and meta.
func (e *encoder) header(m Meta) error {
	b := append(e.buf[:0], magic...)
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(m.Segment))
	b = binary.AppendUvarint(b, m.NextID)
	b = binary.AppendVarint(b, m.MinValidTime)
	_, err := e.w.Write(b)
	return err
}

// series encodes s and writes it.
func (e *encoder) series(s *Series) error {
	e.appendSeries(s)
	e.n++
	_, err := e.w.Write(e.buf)
	return err
}

// appendSeries encodes s into e.buf.
func (e *encoder) appendSeries(s *Series) {
	e.buf = binary.AppendUvarint(e.buf[:0], s.Ref)
	e.buf = binary.AppendUvarint(e.buf, uint64(s.Labels.Len()))
	s.Labels.Range(e.addLabel)
	b := e.buf
	if s.HasLast {
		b = append(b, flagHasLast)
		b = binary.AppendVarint(b, s.LastT)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.LastV))
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Chunks)))
	for _, c := range s.Chunks {
		b = binary.AppendVarint(b, c.MinT)
		b = binary.AppendVarint(b, c.MaxT-c.MinT)
		b = binary.AppendUvarint(b, uint64(len(c.Data)))
		b = append(b, c.Data...)
	}
	e.buf = appendSamples(b, s.OutOfOrder)
}

// appendSamples encodes samples: their count, then each time as a delta
// from the previous one and each value's bits.
func appendSamples(b []byte, samples []Sample) []byte {
	b = binary.AppendUvarint(b, uint64(len(samples)))
	prev := int64(0)
	for _, s := range samples {
		b = binary.AppendVarint(b, s.T-prev)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.V))
		prev = s.T
	}
	return b
}

// appendString encodes a label name or value: a reference to a symbol when
// the string was seen before, else the string, interned while the table
// has room.
func (e *encoder) appendString(b []byte, s string) []byte {
	if id, ok := e.syms[s]; ok {
		return binary.AppendUvarint(b, uint64(id)+strRef)
	}
	tag := byte(strInline)
	if len(e.syms) < e.maxSymbols {
		e.syms[s] = uint32(len(e.syms))
		tag = strNew
	}
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// finish writes the trailer: the series count, then the CRC32-C of every
// byte before the CRC.
func (e *encoder) finish() error {
	if _, err := e.w.Write(binary.LittleEndian.AppendUint64(e.buf[:0], e.n)); err != nil {
		return err
	}
	if err := e.w.Flush(); err != nil {
		return err
	}
	_, err := e.h.w.Write(binary.LittleEndian.AppendUint32(e.buf[:0], e.h.crc))
	return err
}
