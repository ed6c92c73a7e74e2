package tsdb

import (
	"encoding/binary"
	"strings"
	"sync/atomic"

	"github.com/prometheus/prometheus/model/labels"
)

// symbolTable interns the label names and values of the head's series. A
// series keeps its labels as a symbol string: for each label in order, the
// uvarint ids of its name and value. With a fleet's ~7 labels that is ~20
// bytes instead of the ~150 of a labels.Labels of its own; names and common
// values, interned first, take one byte each.
//
// Ids are counted by the series whose labels use them; an id no series uses
// is forgotten and, after a grace period, reused (see release).
//
// Concurrency: intern, retain, release and recycle are called under index.mu.
// The strings are read without it: a reader decodes the symbol string of a
// series it found in its shard under the shard's lock, and the series was
// put there after its symbols were stored, under that lock. Slots are stored
// in fixed blocks that never move; the block list is replaced atomically.
type symbolTable struct {
	blocks atomic.Pointer[[]*symbolBlock]

	// Guarded by index.mu.
	ids     map[string]uint32
	uses    []uint32 // per id: the labels of live series that use it
	next    uint32   // ids below it have been assigned
	free    []uint32 // unused ids, reusable
	pending []uint32 // ids unused since the last recycle: not yet reusable
	buf     []byte   // scratch of intern
}

const symbolBlockBits = 10

// symbolBlock is a fixed array of symbol strings, indexed by the low bits of
// the id.
type symbolBlock [1 << symbolBlockBits]string

func (t *symbolTable) init() {
	t.ids = map[string]uint32{}
	t.blocks.Store(&[]*symbolBlock{})
}

// get returns the string of id. See the type's doc for when it may be called.
func (t *symbolTable) get(id uint32) string {
	return (*t.blocks.Load())[id>>symbolBlockBits][id&(1<<symbolBlockBits-1)]
}

// id returns the id of s, assigning one and storing a copy of s when it is
// new. The caller holds index.mu.
func (t *symbolTable) id(s string) uint32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	var id uint32
	if n := len(t.free); n > 0 {
		id, t.free = t.free[n-1], t.free[:n-1]
	} else {
		id = t.next
		t.next++
		t.uses = append(t.uses, 0)
	}
	s = strings.Clone(s)
	t.set(id, s)
	t.ids[s] = id
	return id
}

// set stores s as the string of id, adding a block when id is past the last.
func (t *symbolTable) set(id uint32, s string) {
	blocks := *t.blocks.Load()
	if b := int(id >> symbolBlockBits); b >= len(blocks) {
		grown := make([]*symbolBlock, b+1)
		copy(grown, blocks)
		for i := len(blocks); i <= b; i++ {
			grown[i] = new(symbolBlock)
		}
		t.blocks.Store(&grown)
		blocks = grown
	}
	blocks[id>>symbolBlockBits][id&(1<<symbolBlockBits-1)] = s
}

// intern returns the symbol string of lset and counts its ids as used. The
// caller holds index.mu.
func (t *symbolTable) intern(lset labels.Labels) string {
	buf := t.buf[:0]
	lset.Range(func(l labels.Label) {
		name, value := t.id(l.Name), t.id(l.Value)
		t.uses[name]++
		t.uses[value]++
		buf = binary.AppendUvarint(buf, uint64(name))
		buf = binary.AppendUvarint(buf, uint64(value))
	})
	t.buf = buf
	return string(buf)
}

// interned returns the table's copy of s, which a live series uses. The
// postings index keeps it as its key, rather than a copy of its own. The
// caller holds index.mu.
func (t *symbolTable) interned(s string) string {
	return t.get(t.ids[s])
}

// release counts the ids of a series' symbol string as no longer used by
// it. An id left unused is forgotten; recycle makes it reusable later. The
// caller holds index.mu.
func (t *symbolTable) release(syms string) {
	for syms != "" {
		var id uint32
		id, syms = nextSymbol(syms)
		if t.uses[id]--; t.uses[id] == 0 {
			delete(t.ids, t.get(id))
			t.pending = append(t.pending, id)
		}
	}
}

// recycle makes the ids released before the previous call reusable. Only
// truncateBefore calls it, before it removes series: by then the block
// source of its cut, the one reader that may decode a series removed while
// it runs, has been read. The grace of one call keeps that reader from
// seeing a string replaced. The caller holds index.mu.
func (t *symbolTable) recycle() {
	t.free = append(t.free, t.pending...)
	t.pending = t.pending[:0]
}

// nextSymbol decodes the first id of a symbol string and returns the rest.
// The strings are ours, so they are well formed.
func nextSymbol(syms string) (uint32, string) {
	var v uint64
	for shift, i := uint(0), 0; i < len(syms); i, shift = i+1, shift+7 {
		c := syms[i]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return uint32(v), syms[i+1:]
		}
	}
	return uint32(v), ""
}

// equal reports whether the symbol string syms names exactly lset. It does
// not allocate.
func (t *symbolTable) equal(syms string, lset labels.Labels) bool {
	blocks := *t.blocks.Load()
	ok := true
	lset.Range(func(l labels.Label) {
		if !ok || syms == "" {
			ok = false
			return
		}
		var name, value uint32
		name, syms = nextSymbol(syms)
		if blocks[name>>symbolBlockBits][name&(1<<symbolBlockBits-1)] != l.Name {
			ok = false
			return
		}
		value, syms = nextSymbol(syms)
		ok = blocks[value>>symbolBlockBits][value&(1<<symbolBlockBits-1)] == l.Value
	})
	return ok && syms == ""
}

// labels returns the labels of a symbol string, built with b.
func (t *symbolTable) labels(b *labels.ScratchBuilder, syms string) labels.Labels {
	b.Reset()
	blocks := *t.blocks.Load()
	for syms != "" {
		var name, value uint32
		name, syms = nextSymbol(syms)
		value, syms = nextSymbol(syms)
		b.Add(blocks[name>>symbolBlockBits][name&(1<<symbolBlockBits-1)], blocks[value>>symbolBlockBits][value&(1<<symbolBlockBits-1)])
	}
	return b.Labels()
}

// compare orders two symbol strings as labels.Compare orders their labels.
func (t *symbolTable) compare(a, b string) int {
	blocks := *t.blocks.Load()
	str := func(id uint32) string { return blocks[id>>symbolBlockBits][id&(1<<symbolBlockBits-1)] }
	for a != "" && b != "" {
		var an, av, bn, bv uint32
		an, a = nextSymbol(a)
		av, a = nextSymbol(a)
		bn, b = nextSymbol(b)
		bv, b = nextSymbol(b)
		if an != bn {
			if c := strings.Compare(str(an), str(bn)); c != 0 {
				return c
			}
		}
		if av != bv {
			if c := strings.Compare(str(av), str(bv)); c != 0 {
				return c
			}
		}
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	default:
		return 1
	}
}
