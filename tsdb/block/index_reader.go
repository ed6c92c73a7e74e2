package block

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
)

// tocSize is the size of the index's table of contents: symbols, postings
// and names section offsets and the series count, u64 each.
const tocSize = 32

// index is a block's index, read fully into memory and verified at Open.
// Series entries are decoded on demand from b; symbols, postings and names
// are decoded once.
type index struct {
	b       []byte
	symbols []string
	series  []int    // offset in b of each series entry, by id
	all     []uint32 // every id: 0 … len(series)-1
	names   []string // sorted label names
	// postings maps a label name to its sorted values and their lists.
	postings  map[string]*valuePostings
	numChunks uint64
}

// valuePostings holds the values of one label name, sorted, and the sorted
// series ids of each.
type valuePostings struct {
	values []string
	lists  [][]uint32
}

// parseIndex verifies and decodes an index file; chunksSize bounds the page
// offsets of its chunk refs.
func parseIndex(b []byte, chunksSize int64) (*index, error) {
	if len(b) < fileHeaderSize+tocSize+4 || !bytes.Equal(b[:fileHeaderSize], fileHeader(indexMagic)) {
		return nil, corruptf("%s: bad header or size %d", indexName, len(b))
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[len(body):]); got != want {
		return nil, corruptf("%s: footer checksum %08x, computed %08x", indexName, want, got)
	}
	toc := body[len(body)-tocSize:]
	symOff, postOff := binary.LittleEndian.Uint64(toc), binary.LittleEndian.Uint64(toc[8:])
	namesOff, n := binary.LittleEndian.Uint64(toc[16:]), binary.LittleEndian.Uint64(toc[24:])
	end := uint64(len(body) - tocSize)
	if !(fileHeaderSize <= symOff && symOff <= postOff && postOff <= namesOff && namesOff <= end) || n > end {
		return nil, corruptf("%s: bad table of contents", indexName)
	}
	ix := &index{b: b, postings: map[string]*valuePostings{}}
	steps := []func() error{
		func() error { return ix.parseSymbols(b[symOff:postOff]) },
		func() error { return ix.parseSeries(fileHeaderSize, symOff, int(n), chunksSize) },
		func() error { return ix.parsePostings(b[postOff:namesOff]) },
		func() error { return ix.parseNames(b[namesOff:end]) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

func (ix *index) parseSymbols(b []byte) error {
	d := decbuf{b: b}
	n := d.count("symbols")
	ix.symbols = make([]string, 0, n)
	for range n {
		ix.symbols = append(ix.symbols, string(d.bytes(d.count("symbol"))))
	}
	return d.done("symbols")
}

// done reports an error, or bytes left over, at the end of a section.
func (d *decbuf) done(section string) error {
	if d.err == nil && len(d.b) != 0 {
		d.fail(section + " section has trailing bytes")
	}
	return d.err
}

// parseSeries checks every series entry and records its offset.
func (ix *index) parseSeries(from, to uint64, n int, chunksSize int64) error {
	d := decbuf{b: ix.b[from:to]}
	ix.series, ix.all = make([]int, 0, n), make([]uint32, 0, n)
	var refs []chunkRef
	for i := range n {
		ix.series = append(ix.series, int(to)-len(d.b))
		ix.all = append(ix.all, uint32(i))
		d.skipLabels(len(ix.symbols))
		refs = d.chunkRefs(refs[:0])
		ix.numChunks += uint64(len(refs))
		if d.err == nil && !validRefs(refs, chunksSize) {
			d.fail("bad chunk ref")
		}
	}
	return d.done("series")
}

// validRefs reports whether a series' chunk refs are ordered and in the
// chunks file.
func validRefs(refs []chunkRef, chunksSize int64) bool {
	for i, c := range refs {
		if c.maxT < c.minT || c.samples == 0 || c.page < fileHeaderSize || c.page >= uint64(chunksSize) {
			return false
		}
		if i > 0 && c.minT <= refs[i-1].maxT {
			return false
		}
	}
	return len(refs) > 0
}

// skipLabels reads the labels of a series entry, checking the symbol refs.
func (d *decbuf) skipLabels(symbols int) {
	for range d.count("labels") {
		d.uint32(uint64(symbols), "label name")
		d.uint32(uint64(symbols), "label value")
	}
}

// chunkRefs appends the chunk refs of a series entry to refs.
func (d *decbuf) chunkRefs(refs []chunkRef) []chunkRef {
	n := d.count("chunks")
	var prevMaxT int64
	var prevPage uint64
	for i := range n {
		var c chunkRef
		c.minT = d.varint()
		if i > 0 {
			c.minT += prevMaxT
		}
		c.maxT = c.minT + int64(d.uvarint())
		c.page = prevPage + d.uvarint()
		c.off = d.uint32(1<<32, "chunk offset")
		c.len = d.uint32(1<<32, "chunk length")
		c.samples = d.uint32(1<<32, "chunk samples")
		refs = append(refs, c)
		prevMaxT, prevPage = c.maxT, c.page
	}
	return refs
}

func (ix *index) parsePostings(b []byte) error {
	d := decbuf{b: b}
	for range d.count("names") {
		name := d.symbol(ix.symbols, "postings name")
		vp := &valuePostings{}
		for range d.count("values") {
			vp.values = append(vp.values, d.symbol(ix.symbols, "postings value"))
			vp.lists = append(vp.lists, d.ids(len(ix.series)))
		}
		if d.err == nil && (ix.postings[name] != nil || !slices.IsSorted(vp.values)) {
			d.fail("postings of " + name + " repeated or not sorted")
		}
		ix.postings[name] = vp
	}
	return d.done("postings")
}

// ids reads a postings list: strictly increasing ids below n.
func (d *decbuf) ids(n int) []uint32 {
	k := d.count("postings")
	ids := make([]uint32, 0, k)
	next := uint64(0)
	for i := range k {
		delta := d.uvarint()
		next += delta
		if (i > 0 && delta == 0) || next >= uint64(n) {
			d.fail("postings not increasing or out of range")
			return nil
		}
		ids = append(ids, uint32(next))
	}
	return ids
}

// symbol reads a symbol ref and returns its string.
func (d *decbuf) symbol(symbols []string, what string) string {
	ref := d.uint32(uint64(len(symbols)), what)
	if d.err != nil {
		return ""
	}
	return symbols[ref]
}

func (ix *index) parseNames(b []byte) error {
	d := decbuf{b: b}
	for range d.count("names") {
		ix.names = append(ix.names, d.symbol(ix.symbols, "label name"))
	}
	if d.err == nil && (len(ix.names) != len(ix.postings) || !slices.IsSorted(ix.names)) {
		d.fail("label names do not match postings")
	}
	return d.done("names")
}

// labels decodes the labels of series id with sb.
func (ix *index) labels(id uint32, sb *labels.ScratchBuilder) labels.Labels {
	d := decbuf{b: ix.b[ix.series[id]:]}
	return ix.decodeLabels(&d, sb)
}

// seriesAt decodes the labels and appends the chunk refs of series id.
// The entry was verified by Open.
func (ix *index) seriesAt(id uint32, sb *labels.ScratchBuilder, refs []chunkRef) (labels.Labels, []chunkRef) {
	d := decbuf{b: ix.b[ix.series[id]:]}
	lset := ix.decodeLabels(&d, sb)
	return lset, d.chunkRefs(refs)
}

func (ix *index) decodeLabels(d *decbuf, sb *labels.ScratchBuilder) labels.Labels {
	sb.Reset()
	for range d.count("labels") {
		name := d.symbol(ix.symbols, "label name")
		sb.Add(name, d.symbol(ix.symbols, "label value"))
	}
	return sb.Labels()
}
