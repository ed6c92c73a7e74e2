package block

import (
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/vigilsre/vigil/tsdb/blockenc"
)

// seriesSet walks the series of one Select, decoding each entry from the
// index; chunks are read only when a series is iterated.
type seriesSet struct {
	ix                     *index
	cache                  *pageCache
	ids                    []uint32
	mint, maxt             int64
	trim, labelsOnly       bool
	limit, n               int
	shardCount, shardIndex uint64

	sb    labels.ScratchBuilder
	refs  []chunkRef // scratch for an entry's refs
	arena []chunkRef // the chosen refs of the returned series
	cur   *series
}

func (s *seriesSet) Next() bool {
	for len(s.ids) > 0 && (s.limit <= 0 || s.n < s.limit) {
		id := s.ids[0]
		s.ids = s.ids[1:]
		lset, refs := s.ix.seriesAt(id, &s.sb, s.refs[:0])
		s.refs = refs
		if s.shardCount > 0 && labels.StableHash(lset)%s.shardCount != s.shardIndex {
			continue
		}
		if chosen := s.overlapping(refs); len(chosen) > 0 {
			s.n++
			s.cur = &series{lset: lset, set: s, chunks: chosen}
			if s.labelsOnly {
				s.cur.chunks = nil
			}
			return true
		}
	}
	return false
}

// overlapping copies the refs that overlap [mint, maxt] to the arena and
// returns them.
func (s *seriesSet) overlapping(refs []chunkRef) []chunkRef {
	if cap(s.arena)-len(s.arena) < len(refs) {
		s.arena = make([]chunkRef, 0, max(256, len(refs)))
	}
	start := len(s.arena)
	for _, c := range refs {
		if c.maxT >= s.mint && c.minT <= s.maxt {
			s.arena = append(s.arena, c)
		}
	}
	return s.arena[start:len(s.arena):len(s.arena)]
}

// At returns the current series; it stays valid after Next, until the
// querier is closed.
func (s *seriesSet) At() storage.Series              { return s.cur }
func (*seriesSet) Err() error                        { return nil }
func (*seriesSet) Warnings() annotations.Annotations { return nil }

// series is one selected series and the refs of its chosen chunks.
type series struct {
	lset   labels.Labels
	set    *seriesSet
	chunks []chunkRef
}

func (s *series) Labels() labels.Labels { return s.lset }

// Iterator returns an iterator over the series' samples, reusing reuse when
// it is one of ours (and with it its decoded samples buffer).
func (s *series) Iterator(reuse chunkenc.Iterator) chunkenc.Iterator {
	it, ok := reuse.(*iterator)
	if !ok {
		it = &iterator{}
	}
	it.reset(s)
	return it
}

// iterator decodes a series' chunks one at a time through the Select's page
// cache, skipping samples outside [mint, maxt] when it trims. An unreadable
// or corrupt page ends it with Err wrapping ErrCorrupt.
type iterator struct {
	cache      *pageCache
	chunks     []chunkRef // not yet decoded
	mint, maxt int64
	trim       bool

	ts   []int64 // the decoded chunk
	vs   []float64
	i    int
	done bool
	err  error
}

func (it *iterator) reset(s *series) {
	*it = iterator{
		cache: s.set.cache, chunks: s.chunks, mint: s.set.mint, maxt: s.set.maxt, trim: s.set.trim,
		ts: it.ts[:0], vs: it.vs[:0], i: -1,
	}
}

// Next advances to the next sample.
func (it *iterator) Next() chunkenc.ValueType {
	if it.done {
		return chunkenc.ValNone
	}
	it.i++
	for it.i >= len(it.ts) {
		if !it.loadNext() {
			return it.stop()
		}
	}
	return it.check()
}

// millis is a timestamp in ms. (Seek's parameter is spelled so because
// go vet takes any Seek(int64) for io.Seeker's.)
type millis = int64

// Seek advances to the first sample at or after t; it never moves back.
func (it *iterator) Seek(t millis) chunkenc.ValueType {
	if it.done {
		return chunkenc.ValNone
	}
	if it.i >= 0 && it.i < len(it.ts) && it.ts[it.i] >= t {
		return chunkenc.ValFloat
	}
	if len(it.ts) == 0 || it.ts[len(it.ts)-1] < t {
		for len(it.chunks) > 0 && it.chunks[0].maxT < t {
			it.chunks = it.chunks[1:]
		}
		if !it.loadNext() {
			return it.stop()
		}
	}
	it.i = max(it.i, seekT(it.ts, t))
	return it.check()
}

// check ends the iteration past maxt when trimming.
func (it *iterator) check() chunkenc.ValueType {
	if it.trim && it.ts[it.i] > it.maxt {
		return it.stop()
	}
	return chunkenc.ValFloat
}

func (it *iterator) stop() chunkenc.ValueType {
	it.done = true
	return chunkenc.ValNone
}

// loadNext decodes the next chunk and positions i on its first sample in
// range.
func (it *iterator) loadNext() bool {
	if len(it.chunks) == 0 || it.err != nil {
		return false
	}
	ref := it.chunks[0]
	it.chunks = it.chunks[1:]
	b, err := it.cache.chunk(ref)
	if err != nil {
		it.err = err
		return false
	}
	it.ts, it.vs, err = blockenc.Decode(b, it.ts[:0], it.vs[:0])
	if err == nil && (len(it.ts) != int(ref.samples) || it.ts[0] != ref.minT || it.ts[len(it.ts)-1] != ref.maxT) {
		err = corruptf("%s: chunk at page %d offset %d does not match its index entry", chunksName, ref.page, ref.off)
	} else if err != nil {
		err = corruptf("%s: decode chunk at page %d offset %d: %v", chunksName, ref.page, ref.off, err)
	}
	if err != nil {
		it.err, it.ts, it.vs = err, it.ts[:0], it.vs[:0]
		return false
	}
	it.i = 0
	if it.trim && ref.minT < it.mint {
		it.i = seekT(it.ts, it.mint)
	}
	return true
}

// seekT returns the index of the first timestamp at least t.
func seekT(ts []int64, t int64) int {
	lo, hi := 0, len(ts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ts[m] < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (it *iterator) At() (int64, float64) { return it.ts[it.i], it.vs[it.i] }
func (it *iterator) AtT() int64           { return it.ts[it.i] }
func (*iterator) AtST() int64             { return 0 }
func (it *iterator) Err() error           { return it.err }

// AtHistogram is not supported: blocks hold floats only.
func (it *iterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	return it.AtT(), nil
}

// AtFloatHistogram is not supported: blocks hold floats only.
func (it *iterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return it.AtT(), nil
}
