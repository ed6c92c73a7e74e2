package tsdb

import (
	"sort"
	"unsafe"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// samplesPerChunk is when the open chunk is closed and a new one started, as
// in Prometheus: 120 samples are 20 minutes at a 10 s interval.
const samplesPerChunk = 120

// openChunkHint is the samples a new open chunk has room for before its
// buffer grows: an eighth of a chunk, which makes the buffer 48 bytes, a
// size class of the allocator (~10 samples of a typical series). Most series
// outgrow it a few times (48 → 96 → 192 → 384 bytes) and then reuse the
// grown buffer for every later chunk (closing copies the bytes and resets
// the chunk); a short-lived series (churn) keeps 48 bytes.
const openChunkHint = samplesPerChunk / 8

// memSeries is one series of the head. Its fields are in groups by the lock
// that guards them. A head holds one per series, in slabs (seriesAlloc), so
// every field counts (the label hash is not kept: the ref carries its low
// bits, and removal, which needs all of it, recomputes it; the open chunk's
// newest timestamp is the chunk's own).
type memSeries struct {
	// Immutable after creation. syms is the labels as a symbol string of the
	// head's symbol table (see symbolTable).
	ref  storage.SeriesRef
	syms string

	// Guarded by the shard's appendMu: the newest accepted sample, against
	// which the next ones are validated. It may run ahead of the chunks
	// between an appender's validation and its apply.
	lastT int64
	lastV float64

	// Written under the shard's appendMu and mu; read under either.
	closed   []chunkMeta   // immutable chunks, oldest first
	open     gorilla.Chunk // the chunk being appended to; no buffer until the first sample
	openMinT int64
	ooo      *oooBuffer // samples accepted out of order; nil for an in-order series

	hasLast bool // guarded by appendMu, as lastT; last to pack the struct
}

// chunkMeta is an encoded chunk and the time range of its samples. The bytes
// of a closed chunk never change, so readers share them without copying.
type chunkMeta struct {
	minT, maxT int64
	data       []byte
}

// seriesSlabBytes is about the size of a full slab of series: a large
// object of the allocator, with a span of its own.
const seriesSlabBytes = 64 << 10

// seriesAlloc hands out the head's series from slabs, arrays of many, rather
// than one heap object each. Series made one by one would be small objects
// spread over the allocator's spans among the short-lived garbage of
// appending, every span they share kept in use after a collection; slabs
// hold nothing else. Slabs start small and double, so that a small head
// stays small.
//
// The slot of a removed series is reused, after a grace period: a reader
// may hold a series it listed before the removal (see recycle). A slab
// stays alive as long as one series in it does. Guarded by index.mu.
type seriesAlloc struct {
	slab    []memSeries  // the unused rest of the newest slab
	slabLen int          // length of the newest slab
	free    []*memSeries // slots of removed series, reusable
	pending []*memSeries // removed since the last recycle: not yet reusable
}

// get returns a series with ref and syms and nothing else: a reused slot,
// zeroed, or a new one.
func (a *seriesAlloc) get(ref storage.SeriesRef, syms string) *memSeries {
	var s *memSeries
	if n := len(a.free); n > 0 {
		s, a.free = a.free[n-1], a.free[:n-1]
		*s = memSeries{}
	} else {
		if len(a.slab) == 0 {
			a.slabLen = min(max(2*a.slabLen, 8), seriesSlabBytes/int(unsafe.Sizeof(memSeries{})))
			a.slab = make([]memSeries, a.slabLen)
		}
		s, a.slab = &a.slab[0], a.slab[1:]
	}
	s.ref, s.syms = ref, syms
	return s
}

// put takes back the slot of a removed series. It is reused only after the
// next recycle but one: until then a reader that found the series before
// its removal may still read it.
func (a *seriesAlloc) put(s *memSeries) {
	a.pending = append(a.pending, s)
}

// recycle makes the slots put before the previous call reusable. It is
// called when symbolTable.recycle is, for the same reason.
func (a *seriesAlloc) recycle() {
	a.free = append(a.free, a.pending...)
	clear(a.pending)
	a.pending = a.pending[:0]
}

// openMaxT returns the newest timestamp of the open chunk; meaningless when
// it is empty. The caller holds the shard's appendMu or mu.
func (s *memSeries) openMaxT() int64 {
	return s.open.LastT()
}

// hashLabels is the series hash: xxhash64 over name, 0xff, value, 0xff for
// every label in order, laid out in buf, which it returns for reuse. Unlike
// labels.Labels.Hash it does not depend on how labels are stored in memory,
// so it is stable across runs and builds, as the refs in the WAL require.
func hashLabels(buf []byte, lset labels.Labels) (uint64, []byte) {
	buf = buf[:0]
	lset.Range(func(l labels.Label) {
		buf = append(buf, l.Name...)
		buf = append(buf, 0xff)
		buf = append(buf, l.Value...)
		buf = append(buf, 0xff)
	})
	return xxhash.Sum64(buf), buf
}

// accept validates a sample against the newest accepted one and, when it is
// newer, makes it the newest. The caller holds the shard's appendMu.
func (s *memSeries) accept(t int64, v float64) sampleVerdict {
	verdict := judge(s.lastT, s.lastV, s.hasLast, t, v)
	if verdict == verdictAppend {
		s.lastT, s.lastV, s.hasLast = t, v, true
	}
	return verdict
}

// append adds a sample that accept let through to the chunks and reports
// whether it started a new chunk. The caller holds the shard's mu.
func (s *memSeries) append(t int64, v float64) (newChunk bool) {
	if s.open.NumSamples() >= samplesPerChunk {
		s.closeOpenChunk()
	}
	if s.open.NumSamples() == 0 {
		if s.open.Cap() == 0 { // the first sample
			s.open.Init(openChunkHint)
		}
		s.openMinT = t
		newChunk = true
	}
	s.open.Append(t, v)
	return newChunk
}

// closeOpenChunk keeps a right-sized copy of the open chunk and empties it.
func (s *memSeries) closeOpenChunk() {
	b := s.open.Bytes()
	data := make([]byte, len(b))
	copy(data, b)
	s.closed = append(s.closed, chunkMeta{minT: s.openMinT, maxT: s.openMaxT(), data: data})
	s.open.Reset()
}

// appendChunks appends the chunks that overlap [mint, maxt] to dst, oldest
// first, with a copy of the open chunk's bytes. With noData it appends only
// the time ranges. The caller holds the shard's mu (read).
func (s *memSeries) appendChunks(dst []chunkMeta, mint, maxt int64, noData bool) []chunkMeta {
	i := sort.Search(len(s.closed), func(i int) bool { return s.closed[i].maxT >= mint })
	for ; i < len(s.closed) && s.closed[i].minT <= maxt; i++ {
		c := s.closed[i]
		if noData {
			c.data = nil
		}
		dst = append(dst, c)
	}
	if s.openSamples() == 0 || s.openMaxT() < mint || s.openMinT > maxt {
		return dst
	}
	c := chunkMeta{minT: s.openMinT, maxT: s.openMaxT()}
	if !noData {
		c.data = append([]byte(nil), s.open.Bytes()...)
	}
	return append(dst, c)
}

// dropBefore drops the chunks whose newest sample is older than cutoff and
// returns how many it dropped. The caller holds the shard's mu.
func (s *memSeries) dropBefore(cutoff int64) int {
	i := sort.Search(len(s.closed), func(i int) bool { return s.closed[i].maxT >= cutoff })
	n := copy(s.closed, s.closed[i:])
	clear(s.closed[n:]) // let the dropped bytes be collected
	s.closed = s.closed[:n]
	if s.openSamples() > 0 && s.openMaxT() < cutoff {
		s.open.Reset()
		i++
	}
	return i
}

// truncate drops the chunks whose newest sample is older than cut and the
// out-of-order samples older than cut, and returns how many chunks it
// dropped. The caller holds the shard's appendMu and mu.
func (s *memSeries) truncate(cut int64) int {
	n := s.dropBefore(cut)
	s.dropOOOBefore(cut)
	return n
}

// empty reports whether the series holds no samples. The caller holds the
// shard's mu.
func (s *memSeries) empty() bool {
	return len(s.closed) == 0 && s.openSamples() == 0 && s.ooo == nil
}

// openSamples returns the number of samples in the open chunk. The caller
// holds the shard's mu.
func (s *memSeries) openSamples() int {
	return s.open.NumSamples()
}
