package tsdb

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// seriesSnapshot is what a query reads of one series: its labels and the
// chunks that overlap the selection, taken under the shard's lock.
type seriesSnapshot struct {
	lset   labels.Labels
	chunks []chunkMeta
	sel    *selection
}

// snapshot reads the series with the given refs (sorted) that have samples in
// the selection, taking each shard's read lock once. The open chunks are
// copied under the lock, so a reader never sees a chunk half-written.
func (h *head) snapshot(refs []storage.SeriesRef, sel selection) []seriesSnapshot {
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
		out, chunks = h.shards[shard].snapshot(out, chunks, refs, group, &sel)
	}
	return out
}

// snapshot appends to out the series of refs[group[…]] that this shard holds
// and that have chunks in the selection.
func (sh *shardState) snapshot(out []seriesSnapshot, chunks []chunkMeta, refs []storage.SeriesRef, group []int32, sel *selection) ([]seriesSnapshot, []chunkMeta) {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	for _, i := range group {
		s := sh.byRef[refs[i]]
		if s == nil || !sel.inShard(s.lset) {
			continue
		}
		start := len(chunks)
		chunks = s.appendChunks(chunks, sel.mint, sel.maxt, sel.noData)
		if len(chunks) == start {
			continue
		}
		out = append(out, seriesSnapshot{lset: s.lset, chunks: chunks[start:len(chunks):len(chunks)], sel: sel})
	}
	return out, chunks
}

// inShard reports whether a series belongs to the query shard the hints ask
// for, by Prometheus' stable label hash.
func (sel *selection) inShard(lset labels.Labels) bool {
	return sel.shardCount == 0 || labels.StableHash(lset)%sel.shardCount == sel.shardIndex
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
