package block

import (
	"encoding/binary"
	"math"
)

// decbuf reads the index's varints with bounds checks: the first problem is
// kept in err and every later read returns zero.
type decbuf struct {
	b   []byte
	err error
}

func (d *decbuf) fail(what string) {
	if d.err == nil {
		d.err = corruptf("%s: %s", indexName, what)
	}
}

func (d *decbuf) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decbuf) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// uint32 reads a uvarint that must be below limit.
func (d *decbuf) uint32(limit uint64, what string) uint32 {
	v := d.uvarint()
	if v >= limit || v > math.MaxUint32 {
		d.fail(what + " out of range")
		return 0
	}
	return uint32(v)
}

// count reads a uvarint count of items of at least one byte each.
func (d *decbuf) count(what string) int {
	v := d.uvarint()
	if v > uint64(len(d.b)) {
		d.fail(what + " count too large")
		return 0
	}
	return int(v)
}

func (d *decbuf) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail("truncated")
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}
