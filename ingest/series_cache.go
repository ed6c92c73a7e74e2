package ingest

import (
	"hash/maphash"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/prometheus/storage"
)

// DefaultSeriesCacheEntries is the default of Options.SeriesCacheEntries.
const DefaultSeriesCacheEntries = 1 << 20

// seriesKey identifies the raw label bytes of a series as a request carried
// them: two independent 64-bit hashes of the bytes, xxhash and maphash with
// a seed chosen when the process starts. Two different label encodings
// share a key with a probability near 2^-128 per pair, and a sender cannot
// aim for a collision without knowing the seed.
type seriesKey [2]uint64

// seriesCache maps raw label bytes to the store's reference of their series,
// so that a known series is appended without decoding, validating, sorting
// or hashing its labels again (see tsdb.BatchSeries.Ref). Raw label bytes
// are a remote-write TimeSeries' Label fields or a text line's series text
// (see decoder.textKey). The same series sent with its labels in another
// order or encoding is another entry.
//
// Its memory is bounded: each shard keeps two generations of at most
// max/cacheShards entries; when the current one is full it becomes the
// previous one and the older is dropped, and a hit in the previous one moves
// forward. Keys and values hold no pointers, so the garbage collector does
// not scan them. An entry may outlive its series (dropped from the head
// after a cut); tsdb then asks for the labels (tsdb.Batch.Resolve).
type seriesCache struct {
	seed   maphash.Seed
	max    int // entries per generation per shard
	shards [cacheShards]cacheShard
}

const cacheShards = 16

type cacheShard struct {
	mu        sync.RWMutex
	cur, prev map[seriesKey]storage.SeriesRef
	_         [64]byte // keep shards on their own cache lines
}

// newSeriesCache returns a cache of at most about 2×entries entries.
func newSeriesCache(entries int) *seriesCache {
	c := &seriesCache{seed: maphash.MakeSeed(), max: max(1, entries/cacheShards)}
	for i := range c.shards {
		c.shards[i].cur = map[seriesKey]storage.SeriesRef{}
	}
	return c
}

// key returns the key of raw label bytes.
func (c *seriesCache) key(raw []byte) seriesKey {
	return seriesKey{xxhash.Sum64(raw), maphash.Bytes(c.seed, raw)}
}

func (c *seriesCache) shard(k seriesKey) *cacheShard {
	return &c.shards[k[0]>>60]
}

// get returns the reference cached for k. fresh is false for an entry of
// the previous generation, which the caller should put back once stored.
func (c *seriesCache) get(k seriesKey) (ref storage.SeriesRef, fresh, ok bool) {
	sh := c.shard(k)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if ref, ok = sh.cur[k]; ok {
		return ref, true, true
	}
	ref, ok = sh.prev[k]
	return ref, false, ok
}

// put caches ref for k.
func (c *seriesCache) put(k seriesKey, ref storage.SeriesRef) {
	sh := c.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.cur[k]; !ok && len(sh.cur) >= c.max {
		sh.prev, sh.cur = sh.cur, map[seriesKey]storage.SeriesRef{} // grown as needed, not pre-sized to a full table
	}
	sh.cur[k] = ref
}

// len returns the number of entries, both generations counted.
func (c *seriesCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.cur) + len(sh.prev)
		sh.mu.RUnlock()
	}
	return n
}
