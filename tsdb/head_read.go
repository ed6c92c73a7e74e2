package tsdb

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// seriesSnapshot is what a query reads of one series: its labels, the
// chunks that overlap the selection and a copy of its out-of-order samples
// in the selection, taken under the shard's lock.
type seriesSnapshot struct {
	lset   labels.Labels
	chunks []chunkMeta
	ooo    []Sample
	floor  int64 // the head's read start: older samples are never returned
	sel    *selection
}

// snapshot reads the series with the given refs (sorted) that have samples in
// the selection, taking each shard's read lock once. The open chunks are
// copied under the lock, so a reader never sees a chunk half-written. The
// selection starts no earlier than the head's read start (truncateBefore):
// older samples are in blocks.
func (h *head) snapshot(refs []storage.SeriesRef, sel selection) []seriesSnapshot {
	floor := h.readMinT.Load()
	sel.mint = max(sel.mint, floor)
	order, bounds := groupByShard(len(refs), len(h.shards), func(i int) int {
		return h.shardOf(uint64(refs[i]))
	}, nil, nil)
	out := make([]seriesSnapshot, 0, len(refs))
	var chunks []chunkMeta // one backing array for every series' chunk list
	for shard := range h.shards {
		group := order[bounds[shard]:bounds[shard+1]]
		if len(group) == 0 {
			continue
		}
		out, chunks = h.shards[shard].snapshot(&h.symbols, out, chunks, refs, group, &sel)
	}
	for i := range out {
		out[i].floor = floor
	}
	return out
}

// snapshot appends to out the series of refs[group[…]] that this shard holds
// and that have chunks in the selection.
func (sh *shardState) snapshot(symbols *symbolTable, out []seriesSnapshot, chunks []chunkMeta, refs []storage.SeriesRef, group []int32, sel *selection) ([]seriesSnapshot, []chunkMeta) {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	var lb labels.ScratchBuilder
	for _, i := range group {
		s := sh.byRef[refs[i]]
		if s == nil || !sel.inShard(symbols, &lb, s.syms) {
			continue
		}
		start := len(chunks)
		chunks = s.appendChunks(chunks, sel.mint, sel.maxt, sel.noData)
		var ooo []Sample
		if s.ooo != nil && !sel.noData {
			ooo = s.appendOOO(nil, sel.mint, sel.maxt)
		}
		if len(chunks) == start && len(ooo) == 0 && (!sel.noData || !s.hasOOO(sel.mint, sel.maxt)) {
			continue
		}
		out = append(out, seriesSnapshot{lset: symbols.labels(&lb, s.syms), chunks: chunks[start:len(chunks):len(chunks)], ooo: ooo, sel: sel})
	}
	return out, chunks
}

// inShard reports whether the series of symbol string syms belongs to the
// query shard the hints ask for, by Prometheus' stable label hash.
func (sel *selection) inShard(symbols *symbolTable, lb *labels.ScratchBuilder, syms string) bool {
	return sel.shardCount == 0 || labels.StableHash(symbols.labels(lb, syms))%sel.shardCount == sel.shardIndex
}

// groupByShard fills order with the indexes 0…n-1 grouped by shard, keeping
// their order within a shard, and bounds so that the indexes of shard s are
// order[bounds[s]:bounds[s+1]]. It reuses the memory of order and bounds.
func groupByShard(n, shards int, shardOf func(i int) int, order, bounds []int32) ([]int32, []int32) {
	bounds = slices.Grow(bounds[:0], shards+1)[:shards+1]
	clear(bounds)
	for i := range n {
		bounds[shardOf(i)+1]++
	}
	for s := range shards {
		bounds[s+1] += bounds[s]
	}
	order = slices.Grow(order[:0], n)[:n]
	next := bounds[:shards] // next free slot per shard, advanced as we fill
	for i := range n {
		s := shardOf(i)
		order[next[s]] = int32(i)
		next[s]++
	}
	// Filling advanced bounds[s] to the start of shard s+1; shift it back.
	copy(bounds[1:], bounds[:shards])
	bounds[0] = 0
	return order, bounds
}
