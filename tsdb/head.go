package tsdb

import (
	"cmp"
	"math"
	"slices"
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
// Appenders, truncateBefore and the checkpoint take appendMu of the shards
// they change or capture; appenders hold it from validation through the WAL
// write to the apply; readers never take it. A series' chunks and
// out-of-order samples change only under both appendMu and mu, so holding
// either one is enough to read them.
type head struct {
	shards []headShard
	mask   uint64

	index   postingsIndex
	symbols symbolTable // the series' label strings; see its doc for locking
	nextID  uint64      // last assigned series id; guarded by index.mu
	alloc   seriesAlloc // where series live; guarded by index.mu
	hashBuf []byte      // scratch of deleteSeries; guarded by index.mu

	numSeries atomic.Int64
	numChunks atomic.Int64 // closed chunks plus non-empty open chunks

	// minValidT is the oldest timestamp an append may store: older samples
	// are in blocks, or about to be (setMinValidTime). readMinT is the oldest
	// timestamp a read returns: older ones are in blocks (truncateBefore).
	minValidT atomic.Int64
	readMinT  atomic.Int64
	// minT and maxT are the oldest and newest sample ever stored, widened by
	// every apply; see timeRange.
	minT, maxT atomic.Int64

	// oooWindow is how far behind its newest sample, in ms, a series accepts
	// a sample out of order; 0 rejects every out-of-order sample. Set before
	// the head is used, never changed after.
	oooWindow int64

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
	h.symbols.init()
	h.minValidT.Store(math.MinInt64)
	h.readMinT.Store(math.MinInt64)
	h.minT.Store(math.MaxInt64)
	h.maxT.Store(math.MinInt64)
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

// createSeries makes a series with lset interned, and adds it to its shard
// and to the postings. The caller holds index.mu and the shard's mu.
func (h *head) createSeries(ref storage.SeriesRef, lset labels.Labels, hash uint64) *memSeries {
	s := h.alloc.get(ref, h.symbols.intern(lset))
	h.shards[h.shardOf(hash)].put(s, hash)
	h.index.add(s.ref, lset, h.symbols.interned)
	h.numSeries.Add(1)
	return s
}

// deleteSeries removes s from the head; its slot is reused later (see
// seriesAlloc). The caller holds index.mu and the shard's mu.
func (h *head) deleteSeries(s *memSeries) {
	h.unindex(s)
	h.alloc.put(s)
	h.numSeries.Add(-1)
}

// deleteAll removes several series of shard sh from the head, as
// deleteSeries does one by one, but with one pass over each postings list
// they are in: a truncation that removes many series of a long list (every
// series of a job) would otherwise move most of the list once per series.
// It sorts series by ref. The caller holds index.mu and the shard's mu.
func (h *head) deleteAll(sh *headShard, series []*memSeries) {
	slices.SortFunc(series, func(a, b *memSeries) int { return cmp.Compare(a.ref, b.ref) })
	refs := make([]storage.SeriesRef, len(series))
	lsets := make([]labels.Labels, len(series))
	for i, s := range series {
		refs[i], lsets[i] = s.ref, h.labelsOf(s)
		var hash uint64
		hash, h.hashBuf = hashLabels(h.hashBuf, lsets[i])
		sh.del(s, hash)
	}
	h.index.removeAll(refs, lsets, h.symbols.interned)
	for _, s := range series {
		h.symbols.release(s.syms)
		h.alloc.put(s)
	}
	h.numSeries.Add(-int64(len(series)))
}

// unindex removes s from its shard and from the postings, and releases its
// symbols. The caller holds index.mu and the shard's mu.
func (h *head) unindex(s *memSeries) {
	lset := h.labelsOf(s)
	var hash uint64
	hash, h.hashBuf = hashLabels(h.hashBuf, lset) // the series does not keep it
	h.shards[h.shardOf(uint64(s.ref))].del(s, hash)
	h.index.remove(s.ref, lset, h.symbols.interned)
	h.symbols.release(s.syms)
}

// labelsOf returns the labels of s, built anew. The caller holds index.mu,
// or the lock of the shard s is in.
func (h *head) labelsOf(s *memSeries) labels.Labels {
	var b labels.ScratchBuilder
	return h.symbols.labels(&b, s.syms)
}

// seriesByRef returns the series with ref, or nil. It takes the shard's lock.
func (h *head) seriesByRef(ref storage.SeriesRef) *memSeries {
	sh := &h.shards[h.shardOf(uint64(ref))]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.byRef[ref]
}

// seriesLabels returns the labels of the series with ref, built anew, and
// whether there is one. It takes the shard's lock.
func (h *head) seriesLabels(ref storage.SeriesRef) (labels.Labels, bool) {
	sh := &h.shards[h.shardOf(uint64(ref))]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	s := sh.byRef[ref]
	if s == nil {
		return labels.EmptyLabels(), false
	}
	return h.labelsOf(s), true
}

// get returns the series with these labels and hash, or nil; t is the
// head's symbol table. It does not allocate. The caller holds mu (read or
// write).
func (sh *shardState) get(t *symbolTable, hash uint64, lset labels.Labels) *memSeries {
	if s := sh.byHash[hash]; s != nil && t.equal(s.syms, lset) {
		return s
	}
	for _, s := range sh.conflicts[hash] {
		if t.equal(s.syms, lset) {
			return s
		}
	}
	return nil
}

// put adds s, whose label hash is hash, to the shard's maps. The caller
// holds mu.
func (sh *shardState) put(s *memSeries, hash uint64) {
	sh.byRef[s.ref] = s
	if sh.byHash[hash] == nil {
		sh.byHash[hash] = s
		return
	}
	sh.conflicts[hash] = append(sh.conflicts[hash], s)
}

// del removes s, whose label hash is hash, from the shard's maps. The
// caller holds mu.
func (sh *shardState) del(s *memSeries, hash uint64) {
	delete(sh.byRef, s.ref)
	others := sh.conflicts[hash]
	if sh.byHash[hash] == s {
		if len(others) == 0 {
			delete(sh.byHash, hash)
			return
		}
		sh.byHash[hash], others = others[0], others[1:]
	} else {
		for i, o := range others {
			if o == s {
				others = append(others[:i:i], others[i+1:]...)
				break
			}
		}
	}
	if len(others) == 0 {
		delete(sh.conflicts, hash)
		return
	}
	sh.conflicts[hash] = others
}

// setMinValidTime makes appends reject samples older than t as out of bounds.
// On return no append validated against the old value is still in flight:
// it takes and releases every shard's appendMu, which appenders hold from
// validation to apply. It never lowers the bound.
func (h *head) setMinValidTime(t int64) {
	atomicMax(&h.minValidT, t)
	for i := range h.shards {
		h.shards[i].appendMu.Lock()
		h.shards[i].appendMu.Unlock() //nolint:staticcheck // an empty critical section: a barrier
	}
}

// minValidTime returns the oldest timestamp an append may store.
func (h *head) minValidTime() int64 { return h.minValidT.Load() }

// timeRange returns the oldest readable and the newest sample time of the
// head, and whether it holds any readable sample. Both bounds come from
// every sample ever stored, so after truncateBefore mint is the read start
// and either may be wider than the samples left.
func (h *head) timeRange() (mint, maxt int64, ok bool) {
	mint = max(h.readMinT.Load(), h.minT.Load())
	maxt = h.maxT.Load()
	return mint, maxt, maxt >= mint
}

// observeRange widens the head's time range to [mint, maxt].
func (h *head) observeRange(mint, maxt int64) {
	if mint > maxt {
		return // no samples
	}
	atomicMin(&h.minT, mint)
	atomicMax(&h.maxT, maxt)
}

// atomicMax raises a to v if it is lower.
func atomicMax(a *atomic.Int64, v int64) {
	for old := a.Load(); v > old && !a.CompareAndSwap(old, v); old = a.Load() {
	}
}

// atomicMin lowers a to v if it is higher.
func atomicMin(a *atomic.Int64, v int64) {
	for old := a.Load(); v < old && !a.CompareAndSwap(old, v); old = a.Load() {
	}
}
