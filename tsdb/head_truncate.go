package tsdb

import (
	"math"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// truncateBefore makes the head's reads start at cut and drops what is older
// than cut, shard by shard: the chunks whose newest sample is older, the
// open chunk likewise, the out-of-order samples older than cut, and then the
// series left without samples, from the shard maps and the postings (series
// GC). It returns how many chunks and series it dropped. The data must be
// in blocks already, and setMinValidTime(cut) called before, so that no
// sample older than cut arrives again: a removed series that receives a
// sample later is created anew under a new ref. The label strings no series
// uses any more since the previous call are forgotten.
//
// It also recomputes the oldest sample time in the head (timeRange), so the
// next cut starts at the data, not at cut: one sample far from the others
// costs one block, not a block per empty window in between. Appends keep
// lowering it meanwhile (under their shards' appendMu, which each shard's
// scan takes), so it never ends above a sample in the head.
func (h *head) truncateBefore(cut int64) (chunks, series int) {
	atomicMax(&h.readMinT, cut)
	h.minT.Store(math.MaxInt64)
	h.index.mu.Lock()
	h.symbols.recycle() // before this call removes series: see recycle
	h.alloc.recycle()
	h.index.mu.Unlock()
	for i := range h.shards {
		c, s := h.truncateShard(&h.shards[i], cut)
		chunks += c
		series += s
	}
	return chunks, series
}

// truncateShard truncates one shard. Holding its appendMu keeps appenders
// out, so a series found empty stays empty until it is removed.
func (h *head) truncateShard(sh *headShard, cut int64) (chunks, series int) {
	sh.appendMu.Lock()
	defer sh.appendMu.Unlock()
	sh.mu.Lock()
	var empty []*memSeries
	oldest := int64(math.MaxInt64)
	for _, s := range sh.byRef {
		chunks += s.truncate(cut)
		if s.empty() {
			empty = append(empty, s)
			continue
		}
		oldest = min(oldest, s.oldest())
	}
	sh.mu.Unlock()
	atomicMin(&h.minT, oldest)
	h.numChunks.Add(-int64(chunks))
	h.removeSeries(sh, empty)
	return chunks, len(empty)
}

// removeSeries removes series of shard sh from the head. The caller holds
// the shard's appendMu.
func (h *head) removeSeries(sh *headShard, series []*memSeries) {
	if len(series) == 0 {
		return
	}
	h.index.mu.Lock()
	defer h.index.mu.Unlock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	h.deleteAll(sh, series)
}

// oldest returns the time of the series' oldest sample; the series is not
// empty. The caller holds the shard's mu.
func (s *memSeries) oldest() int64 {
	t := int64(math.MaxInt64)
	if len(s.closed) > 0 {
		t = s.closed[0].minT
	} else if s.openSamples() > 0 {
		t = s.openMinT
	}
	if s.ooo != nil && len(s.ooo.samples) > 0 {
		t = min(t, s.ooo.samples[0].T)
	}
	return t
}

// firstSampleFrom returns the time of the head's oldest sample at or after
// t, decoding at most one chunk per series (the one t falls in). A cut that
// found its window empty starts the next one there, so a gap of a year
// between two samples costs one scan, not one cut per window.
func (h *head) firstSampleFrom(t int64) (int64, bool) {
	first := int64(math.MaxInt64)
	var it gorilla.Iterator
	var chunks []chunkMeta
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.RLock()
		for _, s := range sh.byRef {
			chunks = s.appendChunks(chunks[:0], t, first, false)
			if len(chunks) > 0 {
				first = min(first, firstIn(&it, chunks[0], t))
			}
			if s.ooo != nil {
				for _, smp := range s.ooo.samples {
					if smp.T >= t {
						first = min(first, smp.T)
						break
					}
				}
			}
		}
		sh.mu.RUnlock()
	}
	return first, first != math.MaxInt64
}

// firstIn returns the time of c's first sample at or after t (c ends at or
// after t), or c's newest when the chunk cannot be read.
func firstIn(it *gorilla.Iterator, c chunkMeta, t int64) int64 {
	if c.minT >= t {
		return c.minT
	}
	it.Reset(c.data)
	if it.SeekTo(t) {
		ts, _ := it.At()
		return ts
	}
	return c.maxT
}
