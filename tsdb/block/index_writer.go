package block

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
)

// indexWriter writes the index file. Series entries are streamed to the
// file as they come; only the symbol table and the postings (uint32 series
// ids per label pair) stay in memory until finish writes them.
type indexWriter struct {
	w   *bufio.Writer
	crc hash.Hash32 // of the whole file
	pos uint64

	syms     map[string]uint32 // symbol → ref, refs in order of first use
	symList  []string
	postings map[uint64][]uint32 // nameRef<<32 | valueRef → series ids
	series   uint32
	buf      []byte
}

// newIndexWriter writes the file header to w.
func newIndexWriter(w io.Writer) (*indexWriter, error) {
	iw := &indexWriter{
		w: bufio.NewWriterSize(w, 1<<16), crc: crc32.New(castagnoli),
		syms: map[string]uint32{}, postings: map[uint64][]uint32{},
	}
	return iw, iw.write(fileHeader(indexMagic))
}

func (iw *indexWriter) write(b []byte) error {
	if _, err := iw.w.Write(b); err != nil {
		return fmt.Errorf("write %s: %w", indexName, err)
	}
	iw.crc.Write(b)
	iw.pos += uint64(len(b))
	return nil
}

// symbol returns the ref of s, interning a copy of it.
func (iw *indexWriter) symbol(s string) uint32 {
	if ref, ok := iw.syms[s]; ok {
		return ref
	}
	s = strings.Clone(s)
	ref := uint32(len(iw.symList))
	iw.syms[s] = ref
	iw.symList = append(iw.symList, s)
	return ref
}

// addSeries writes the entry of the next series (ids count up from 0) and
// adds it to the postings of its labels.
func (iw *indexWriter) addSeries(lset labels.Labels, chunks []chunkRef) error {
	id := iw.series
	iw.series++
	b := binary.AppendUvarint(iw.buf[:0], uint64(lset.Len()))
	lset.Range(func(l labels.Label) {
		name, value := iw.symbol(l.Name), iw.symbol(l.Value)
		b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(name)), uint64(value))
		if l.Value == "" {
			return // an empty value is no value: matchers treat it as absent
		}
		key := uint64(name)<<32 | uint64(value)
		iw.postings[key] = append(iw.postings[key], id)
	})
	b = appendChunkRefs(b, chunks)
	iw.buf = b
	return iw.write(b)
}

// appendChunkRefs appends the chunk list of a series entry.
func appendChunkRefs(b []byte, chunks []chunkRef) []byte {
	b = binary.AppendUvarint(b, uint64(len(chunks)))
	var prevMaxT int64
	var prevPage uint64
	for i, c := range chunks {
		if i == 0 {
			b = binary.AppendVarint(b, c.minT)
		} else {
			b = binary.AppendVarint(b, c.minT-prevMaxT)
		}
		b = binary.AppendUvarint(b, uint64(c.maxT-c.minT))
		b = binary.AppendUvarint(b, c.page-prevPage)
		b = binary.AppendUvarint(b, uint64(c.off))
		b = binary.AppendUvarint(b, uint64(c.len))
		b = binary.AppendUvarint(b, uint64(c.samples))
		prevMaxT, prevPage = c.maxT, c.page
	}
	return b
}

// finish writes the symbols, postings and label names sections, the table
// of contents and the footer, and flushes. It returns the file's size and
// checksum.
func (iw *indexWriter) finish() (FileInfo, error) {
	var toc [4]uint64
	toc[0] = iw.pos
	b := binary.AppendUvarint(iw.buf[:0], uint64(len(iw.symList)))
	for _, s := range iw.symList {
		b = append(binary.AppendUvarint(b, uint64(len(s))), s...)
	}
	toc[1] = toc[0] + uint64(len(b))
	pairs := iw.sortedPairs()
	b = iw.appendPostings(b, pairs)
	toc[2] = toc[0] + uint64(len(b))
	b = appendNames(b, pairs)
	toc[3] = uint64(iw.series)
	for _, v := range toc {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	iw.buf = b
	if err := iw.write(b); err != nil {
		return FileInfo{}, err
	}
	if err := iw.write(binary.LittleEndian.AppendUint32(nil, iw.crc.Sum32())); err != nil {
		return FileInfo{}, err
	}
	if err := iw.w.Flush(); err != nil {
		return FileInfo{}, fmt.Errorf("write %s: %w", indexName, err)
	}
	return FileInfo{Size: int64(iw.pos), CRC32C: iw.crc.Sum32()}, nil
}

// pair is one label name/value pair with its symbol refs.
type pair struct {
	name, value       string
	nameRef, valueRef uint32
}

// sortedPairs returns the label pairs of the postings sorted by name, then
// value.
func (iw *indexWriter) sortedPairs() []pair {
	pairs := make([]pair, 0, len(iw.postings))
	for key := range iw.postings {
		n, v := uint32(key>>32), uint32(key)
		pairs = append(pairs, pair{iw.symList[n], iw.symList[v], n, v})
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.value, b.value))
	})
	return pairs
}

// appendPostings appends the postings section: per name, per value, the
// delta-encoded sorted series ids.
func (iw *indexWriter) appendPostings(b []byte, pairs []pair) []byte {
	b = binary.AppendUvarint(b, uint64(countNames(pairs)))
	for i := 0; i < len(pairs); {
		j := i + 1
		for j < len(pairs) && pairs[j].nameRef == pairs[i].nameRef {
			j++
		}
		b = binary.AppendUvarint(b, uint64(pairs[i].nameRef))
		b = binary.AppendUvarint(b, uint64(j-i))
		for _, p := range pairs[i:j] {
			ids := iw.postings[uint64(p.nameRef)<<32|uint64(p.valueRef)]
			b = binary.AppendUvarint(b, uint64(p.valueRef))
			b = appendIDs(b, ids)
		}
		i = j
	}
	return b
}

// appendIDs appends a count and the ids as deltas (the first from 0).
func appendIDs(b []byte, ids []uint32) []byte {
	b = binary.AppendUvarint(b, uint64(len(ids)))
	prev := uint32(0)
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(id-prev))
		prev = id
	}
	return b
}

// appendNames appends the label names section: the sorted names' refs.
func appendNames(b []byte, pairs []pair) []byte {
	b = binary.AppendUvarint(b, uint64(countNames(pairs)))
	for i, p := range pairs {
		if i == 0 || p.nameRef != pairs[i-1].nameRef {
			b = binary.AppendUvarint(b, uint64(p.nameRef))
		}
	}
	return b
}

// countNames counts the distinct names of sorted pairs.
func countNames(pairs []pair) int {
	n := 0
	for i, p := range pairs {
		if i == 0 || p.nameRef != pairs[i-1].nameRef {
			n++
		}
	}
	return n
}
