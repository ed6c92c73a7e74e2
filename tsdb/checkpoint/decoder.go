package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/prometheus/prometheus/model/labels"
)

// decoder reads the series of a verified checkpoint body. Its first error
// is sticky: every later read returns zero values, so callers check once per
// series.
type decoder struct {
	b    []byte
	off  int
	err  error
	syms []string // views of b; labels copy them
	sb   labels.ScratchBuilder
	s    Series
}

// newDecoder returns a decoder positioned after the magic and version.
func newDecoder(b []byte) *decoder {
	d := &decoder{b: b, off: headerSize, sb: labels.NewScratchBuilder(16)}
	d.sb.SetUnsafeAdd(true) // strings added are views of the file buffer
	return d
}

// rewind moves back to off for a second pass, forgetting the symbols.
func (d *decoder) rewind(off int) {
	d.off, d.syms = off, d.syms[:0]
}

// meta decodes the header's Meta.
func (d *decoder) meta() Meta {
	seg := d.uvarint()
	if seg > math.MaxInt32 {
		d.fail(fmt.Errorf("segment number %d out of range", seg))
	}
	return Meta{Segment: int(seg), NextID: d.uvarint(), MinValidTime: d.varint()}
}

// each decodes every series and passes it to fn, or only validates when fn
// is nil; the number of series must be count.
func (d *decoder) each(count uint64, fn func(*Series) error) error {
	var n uint64
	for d.err == nil && d.off < len(d.b) {
		d.series(fn != nil)
		if d.err != nil {
			break
		}
		n++
		if fn != nil {
			if err := fn(&d.s); err != nil {
				return fmt.Errorf("series %d (ref %d): %w", n, d.s.Ref, err)
			}
		}
	}
	if d.err == nil && n != count {
		d.err = fmt.Errorf("%w: %d series, trailer says %d", ErrCorrupt, n, count)
	}
	return d.err
}

// series decodes one series into d.s, building its labels when build.
func (d *decoder) series(build bool) {
	s := &d.s
	s.Ref = d.uvarint()
	d.labels(build)
	flags := d.byte()
	if flags&^flagHasLast != 0 {
		d.fail(fmt.Errorf("unknown series flags %#x", flags))
	}
	s.HasLast, s.LastT, s.LastV = flags&flagHasLast != 0, 0, 0
	if s.HasLast {
		s.LastT = d.varint()
		s.LastV = math.Float64frombits(d.uint64())
	}
	d.chunks()
	d.samples()
}

// labels decodes the label pairs of a series.
func (d *decoder) labels(build bool) {
	n := d.count(2)
	d.sb.Reset()
	for range n {
		name, value := d.str(), d.str()
		if build {
			d.sb.Add(name, value)
		}
	}
	if build && d.err == nil {
		d.s.Labels = d.sb.Labels()
	}
}

// chunks decodes the chunks of a series into d.s.Chunks, reusing it.
func (d *decoder) chunks() {
	n := d.count(3)
	cs := d.s.Chunks[:0]
	for range n {
		minT := d.varint()
		maxT := minT + d.varint()
		data := d.bytes(d.count(1))
		cs = append(cs, Chunk{MinT: minT, MaxT: maxT, Data: data})
	}
	d.s.Chunks = cs
}

// samples decodes the out-of-order samples into d.s.OutOfOrder, reusing it.
func (d *decoder) samples() {
	n := d.count(9)
	ss := d.s.OutOfOrder[:0]
	t := int64(0)
	for range n {
		t += d.varint()
		ss = append(ss, Sample{T: t, V: math.Float64frombits(d.uint64())})
	}
	d.s.OutOfOrder = ss
}

// str decodes a label name or value: a symbol or inline bytes.
func (d *decoder) str() string {
	switch tag := d.uvarint(); tag {
	case strNew:
		s := d.rawString()
		d.syms = append(d.syms, s)
		return s
	case strInline:
		return d.rawString()
	default:
		if tag-strRef >= uint64(len(d.syms)) {
			d.fail(fmt.Errorf("symbol %d of %d", tag-strRef, len(d.syms)))
			return ""
		}
		return d.syms[tag-strRef]
	}
}

// rawString returns a length-prefixed string as a view of the buffer.
func (d *decoder) rawString() string {
	b := d.bytes(d.count(1))
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// count decodes a count of items of at least size bytes each, rejecting one
// the rest of the buffer cannot hold, so corrupt counts never allocate.
func (d *decoder) count(size int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)-d.off)/uint64(size) {
		d.fail(fmt.Errorf("count %d beyond the end", n))
		return 0
	}
	return int(n)
}

// bytes returns the next n bytes, with capacity n.
func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	b := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// byte returns the next byte.
func (d *decoder) byte() byte {
	if d.err != nil || d.off >= len(d.b) {
		d.fail(errTruncated)
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

// uint64 returns the next 8 bytes, little-endian.
func (d *decoder) uint64() uint64 {
	if d.err != nil || len(d.b)-d.off < 8 {
		d.fail(errTruncated)
		return 0
	}
	d.off += 8
	return binary.LittleEndian.Uint64(d.b[d.off-8:])
}

// uvarint returns the next unsigned varint.
func (d *decoder) uvarint() uint64 {
	if d.err == nil && d.off < len(d.b) && d.b[d.off] < 0x80 {
		d.off++
		return uint64(d.b[d.off-1])
	}
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.off += n
	return v
}

// varint returns the next signed (zig-zag) varint.
func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// errTruncated is the reason for a read past the end of the body.
var errTruncated = errors.New("series runs past the end")

// fail records the first error, with the offset where it was found.
func (d *decoder) fail(reason error) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %w at offset %d", ErrCorrupt, reason, d.off)
	}
}
