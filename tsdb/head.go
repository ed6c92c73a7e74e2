package tsdb

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// A series reference is id<<refShardBits | hash&refShardMask: the low bits are
// the low bits of the series' label hash, so ref&(shards-1) names the shard
// for any shard count up to maxShards. That keeps refs in the WAL valid when
// the shard count changes between runs (it follows GOMAXPROCS by default) and
// lets sample records replay without hashing labels. Ids only grow, so refs
// sort in creation order.
const (
	refShardBits = 16
	refShardMask = 1<<refShardBits - 1
	maxShards    = 1 << refShardBits
)

// head is the in-memory part of the store: every series, its chunks, and the
// postings index over their labels.
//
// Lock order: shard.appendMu (ascending shard index) → index.mu → shard.mu.
// Appenders and retention take appendMu of the shards they change and hold it
// from validation through the WAL write to the apply; readers never take it.
type head struct {
	shards []headShard
	mask   uint64

	index  postingsIndex
	nextID uint64 // last assigned series id; guarded by index.mu

	numSeries atomic.Int64
	numChunks atomic.Int64 // closed chunks plus non-empty open chunks

	metrics *metrics
}

// headShard is one stripe of the head, padded so that two shards' locks
// never share a cache line.
type headShard struct {
	shardState
	_ [128 - unsafe.Sizeof(shardState{})%128]byte
}

type shardState struct {
	// appendMu serializes the appenders of this shard, so that for every
	// series the order of WAL records is the order samples were applied in.
	appendMu sync.Mutex

	mu        sync.RWMutex // guards the maps below and every series' chunks
	byHash    map[uint64]*memSeries
	conflicts map[uint64][]*memSeries // further series whose hash collides with byHash's
	byRef     map[storage.SeriesRef]*memSeries
}

// newHead returns an empty head with n shards, n a power of two.
func newHead(n int) *head {
	h := &head{shards: make([]headShard, n), mask: uint64(n - 1)}
	for i := range h.shards {
		s := &h.shards[i]
		s.byHash = map[uint64]*memSeries{}
		s.conflicts = map[uint64][]*memSeries{}
		s.byRef = map[storage.SeriesRef]*memSeries{}
	}
	h.index.init()
	h.metrics = newMetrics(h)
	return h
}

// shardOf returns the shard of a label hash or of a series ref.
func (h *head) shardOf(hashOrRef uint64) int {
	return int(hashOrRef & h.mask)
}

// newRef assigns the next series id. The caller holds index.mu.
func (h *head) newRef(hash uint64) storage.SeriesRef {
	h.nextID++
	return storage.SeriesRef(h.nextID<<refShardBits | hash&refShardMask)
}

// createSeries makes a series with its own copy of lset, and adds it to its
// shard and to the postings. The caller holds index.mu and the shard's mu.
func (h *head) createSeries(ref storage.SeriesRef, lset labels.Labels, hash uint64) *memSeries {
	s := newMemSeries(ref, lset.Copy(), hash)
	h.shards[h.shardOf(hash)].put(s)
	h.index.add(s.ref, s.lset)
	h.numSeries.Add(1)
	return s
}

// deleteSeries removes s from its shard and from the postings. The caller
// holds index.mu and the shard's mu.
func (h *head) deleteSeries(s *memSeries) {
	h.shards[h.shardOf(s.hash)].del(s)
	h.index.remove(s.ref, s.lset)
	h.numSeries.Add(-1)
}

// seriesByRef returns the series with ref, or nil. It takes the shard's lock.
func (h *head) seriesByRef(ref storage.SeriesRef) *memSeries {
	sh := &h.shards[h.shardOf(uint64(ref))]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.byRef[ref]
}

// get returns the series with these labels and hash, or nil. The caller holds
// mu (read or write).
func (sh *shardState) get(hash uint64, lset labels.Labels) *memSeries {
	if s := sh.byHash[hash]; s != nil && labels.Equal(s.lset, lset) {
		return s
	}
	for _, s := range sh.conflicts[hash] {
		if labels.Equal(s.lset, lset) {
			return s
		}
	}
	return nil
}

// put adds s to the shard's maps. The caller holds mu.
func (sh *shardState) put(s *memSeries) {
	sh.byRef[s.ref] = s
	if sh.byHash[s.hash] == nil {
		sh.byHash[s.hash] = s
		return
	}
	sh.conflicts[s.hash] = append(sh.conflicts[s.hash], s)
}

// del removes s from the shard's maps. The caller holds mu.
func (sh *shardState) del(s *memSeries) {
	delete(sh.byRef, s.ref)
	others := sh.conflicts[s.hash]
	if sh.byHash[s.hash] == s {
		if len(others) == 0 {
			delete(sh.byHash, s.hash)
			return
		}
		sh.byHash[s.hash], others = others[0], others[1:]
	} else {
		for i, o := range others {
			if o == s {
				others = append(others[:i:i], others[i+1:]...)
				break
			}
		}
	}
	if len(others) == 0 {
		delete(sh.conflicts, s.hash)
		return
	}
	sh.conflicts[s.hash] = others
}
