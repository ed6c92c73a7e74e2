package tsdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// Record types: the first byte of every WAL record. docs/records.md describes
// the format.
const (
	recordSeries  byte = 1
	recordSamples byte = 2
)

// errRecordTruncated is reported for a record that ends inside a field.
var errRecordTruncated = errors.New("record truncated")

// recordSplitSize is where a batch's series or samples record ends and the
// next one starts: an entry goes into the current record while it holds
// fewer bytes than this, else into a new one. So a record is at most
// recordSplitSize plus one entry, far below wal.MaxRecordSize whatever the
// size of the batch, and the buffers a pooled appendState reuses stay
// moderate. It is a variable only so that tests can lower it.
var recordSplitSize = 1 << 20

// recordSet is the records of one kind that one batch writes, each one
// self-contained (a samples record has its own base timestamp), so that
// replay needs no state across records but the series already met. reset
// keeps the buffers: a reused set encodes without allocating.
type recordSet struct {
	bufs [][]byte // bufs[:n] are the batch's records; the rest are spare buffers
	n    int
}

// reset empties the set, keeping its buffers.
func (rs *recordSet) reset() { rs.n = 0 }

// current returns the record the next entry goes into, starting an empty one
// (which the entry encoders then begin with its header) when there is none
// yet or the current one is full. The pointer is valid until the next call.
func (rs *recordSet) current() *[]byte {
	if rs.n == 0 || len(rs.bufs[rs.n-1]) >= recordSplitSize {
		if rs.n == len(rs.bufs) {
			rs.bufs = append(rs.bufs, nil)
		}
		rs.bufs[rs.n] = rs.bufs[rs.n][:0]
		rs.n++
	}
	return &rs.bufs[rs.n-1]
}

// records returns the set's records, in order; they alias its buffers.
func (rs *recordSet) records() [][]byte { return rs.bufs[:rs.n] }

// capBytes returns the memory held by the set's buffers, spares included.
func (rs *recordSet) capBytes() int {
	n := 0
	for _, b := range rs.bufs {
		n += cap(b)
	}
	return n
}

// appendSeriesEntry appends one series to a series record in dst, starting
// the record when dst is empty.
func appendSeriesEntry(dst []byte, ref storage.SeriesRef, lset labels.Labels) []byte {
	if len(dst) == 0 {
		dst = append(dst, recordSeries)
	}
	dst = binary.AppendUvarint(dst, uint64(ref))
	dst = binary.AppendUvarint(dst, uint64(lset.Len()))
	lset.Range(func(l labels.Label) {
		dst = appendString(dst, l.Name)
		dst = appendString(dst, l.Value)
	})
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendSampleEntry appends one sample to a samples record in dst, starting
// the record, with t as its base timestamp, when dst is empty.
func appendSampleEntry(dst []byte, ref storage.SeriesRef, t int64, v float64) []byte {
	if len(dst) == 0 {
		dst = append(dst, recordSamples)
		dst = binary.AppendVarint(dst, t)
	}
	base, _ := binary.Varint(dst[1:]) // written above by this function
	dst = binary.AppendUvarint(dst, uint64(ref))
	dst = binary.AppendVarint(dst, t-base)
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// recordDecoder reads the fields of one record. The first error sticks; every
// read after it returns zero values.
type recordDecoder struct {
	b   []byte
	err error
}

func (d *recordDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errRecordTruncated
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *recordDecoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errRecordTruncated
		return 0
	}
	d.b = d.b[n:]
	return x
}

// bytes returns the next n bytes, which alias the record.
func (d *recordDecoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if uint64(len(d.b)) < n {
		d.err = errRecordTruncated
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *recordDecoder) float() float64 {
	b := d.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// decodeSeriesRecord calls fn for each series of a series record (without its
// type byte). The labels are fresh copies, safe to keep.
func decodeSeriesRecord(rec []byte, sb *labels.ScratchBuilder, fn func(storage.SeriesRef, labels.Labels) error) error {
	d := recordDecoder{b: rec}
	for len(d.b) > 0 {
		ref := storage.SeriesRef(d.uvarint())
		n := d.uvarint()
		sb.Reset()
		for i := uint64(0); i < n && d.err == nil; i++ {
			name := d.bytes(d.uvarint())
			value := d.bytes(d.uvarint())
			sb.Add(string(name), string(value))
		}
		if d.err != nil {
			return fmt.Errorf("decode series record: %w", d.err)
		}
		if err := fn(ref, sb.Labels()); err != nil {
			return err
		}
	}
	return nil
}

// decodeSamplesRecord calls fn for each sample of a samples record (without
// its type byte).
func decodeSamplesRecord(rec []byte, fn func(storage.SeriesRef, int64, float64)) error {
	d := recordDecoder{b: rec}
	base := d.varint()
	for len(d.b) > 0 && d.err == nil {
		ref := storage.SeriesRef(d.uvarint())
		t := base + d.varint()
		v := d.float()
		if d.err == nil {
			fn(ref, t, v)
		}
	}
	if d.err != nil {
		return fmt.Errorf("decode samples record: %w", d.err)
	}
	return nil
}
