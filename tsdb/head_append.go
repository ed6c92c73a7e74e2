package tsdb

import (
	"fmt"
	"math"
	"sync"

	"github.com/prometheus/prometheus/storage"
)

// recordLog is where the head writes its WAL records: a *wal.Log.
type recordLog interface {
	Log(recs ...[]byte) error
}

// sampleVerdict is what validation decides for one sample.
type sampleVerdict uint8

const (
	verdictAppend     sampleVerdict = iota // newer than the newest: stored
	verdictDuplicate                       // same timestamp, bit-identical value: ignored
	verdictOutOfOrder                      // older than the newest: rejected
	verdictConflict                        // same timestamp, other value: rejected
)

// judge applies Prometheus' in-order rules to sample (t, v) of a series whose
// newest sample is (lastT, lastV), if it has one.
func judge(lastT int64, lastV float64, hasLast bool, t int64, v float64) sampleVerdict {
	switch {
	case !hasLast || t > lastT:
		return verdictAppend
	case t < lastT:
		return verdictOutOfOrder
	case math.Float64bits(v) == math.Float64bits(lastV):
		return verdictDuplicate
	default:
		return verdictConflict
	}
}

// appendState is the scratch memory of one AppendBatch call. It is pooled, so
// that appending to known series does not allocate.
type appendState struct {
	items   []appendItem // one per batch series, in batch order
	order   []int32      // item indexes grouped by shard
	bounds  []int32      // shard s's items are order[bounds[s]:bounds[s+1]]
	samples []Sample     // accepted samples, item by item
	created []*memSeries // series this call created, to undo on a WAL error
	missing bool         // some items had no series after lookup

	hashBuf     []byte    // scratch for hashLabels
	seriesRecs  recordSet // WAL records of the created series
	samplesRecs recordSet // WAL records of the accepted samples
	recs        [][]byte  // both, series first, for the one Log call

	res AppendResult
}

// appendItem is one series of the batch on its way in.
type appendItem struct {
	s        *memSeries
	hash     uint64
	from, to int32 // its accepted samples: samples[from:to]

	// The series' newest accepted sample before this item, to undo.
	prevT   int64
	prevV   float64
	prevHas bool
}

// maxPooledSamples and maxPooledRecordBytes cap the memory a pooled
// appendState keeps, so that one huge batch does not pin its scratch memory
// forever.
const (
	maxPooledSamples     = 1 << 20
	maxPooledRecordBytes = 32 << 20
)

var appendStates = sync.Pool{New: func() any { return new(appendState) }}

func getAppendState() *appendState {
	return appendStates.Get().(*appendState)
}

func putAppendState(st *appendState) {
	if !st.fitsPool() {
		return
	}
	clear(st.items) // drop series pointers
	clear(st.created)
	appendStates.Put(st)
}

// fitsPool reports whether the state is small enough to go back to the pool.
func (st *appendState) fitsPool() bool {
	return cap(st.samples) <= maxPooledSamples && cap(st.items) <= maxPooledSamples &&
		st.seriesRecs.capBytes()+st.samplesRecs.capBytes() <= maxPooledRecordBytes
}

// reset prepares the state for batch b on a head.
func (st *appendState) reset(h *head, b *Batch) {
	st.items = st.items[:0]
	for i := range b.Series {
		var hash uint64
		hash, st.hashBuf = hashLabels(st.hashBuf, b.Series[i].Labels)
		st.items = append(st.items, appendItem{hash: hash})
	}
	st.order, st.bounds = groupByShard(len(st.items), len(h.shards), func(i int) int {
		return h.shardOf(st.items[i].hash)
	}, st.order, st.bounds)
	st.samples = st.samples[:0]
	st.created = st.created[:0]
	st.missing = false
	st.seriesRecs.reset()
	st.samplesRecs.reset()
	st.res = AppendResult{}
}

// group returns the indexes of the items that fall in shard s.
func (st *appendState) group(s int) []int32 {
	return st.order[st.bounds[s]:st.bounds[s+1]]
}

// appendBatch stores a batch; see DB.AppendBatch and the package doc for the
// protocol. On a WAL error nothing of the batch remains.
func (h *head) appendBatch(b *Batch, wal recordLog) (AppendResult, error) {
	st := getAppendState()
	defer putAppendState(st)
	st.reset(h, b)
	h.lockAppenders(st)
	defer h.unlockAppenders(st)

	h.lookup(st, b)
	if st.missing {
		h.create(st, b)
	}
	st.validate(b)
	if err := st.log(wal); err != nil {
		h.undo(st)
		return AppendResult{}, fmt.Errorf("write wal: %w", err)
	}
	h.apply(st)
	h.metrics.observe(st.res, len(st.created))
	return st.res, nil
}

// lockAppenders takes appendMu of every shard the batch touches, in shard
// order.
func (h *head) lockAppenders(st *appendState) {
	for s := range h.shards {
		if len(st.group(s)) > 0 {
			h.shards[s].appendMu.Lock()
		}
	}
}

func (h *head) unlockAppenders(st *appendState) {
	for s := range h.shards {
		if len(st.group(s)) > 0 {
			h.shards[s].appendMu.Unlock()
		}
	}
}

// lookup finds the series of every item, one read lock per shard.
func (h *head) lookup(st *appendState, b *Batch) {
	for s := range h.shards {
		group := st.group(s)
		if len(group) == 0 {
			continue
		}
		sh := &h.shards[s]
		sh.mu.RLock()
		for _, i := range group {
			it := &st.items[i]
			it.s = sh.get(it.hash, b.Series[i].Labels)
			st.missing = st.missing || it.s == nil
		}
		sh.mu.RUnlock()
	}
}

// create makes the series that lookup did not find and encodes them into
// series records. A series that appears twice in the batch is created once.
func (h *head) create(st *appendState, b *Batch) {
	h.index.mu.Lock()
	defer h.index.mu.Unlock()
	for s := range h.shards {
		if st.hasMissing(s) {
			h.createInShard(st, b, s)
		}
	}
}

// hasMissing reports whether some item of shard s has no series yet.
func (st *appendState) hasMissing(s int) bool {
	for _, i := range st.group(s) {
		if st.items[i].s == nil {
			return true
		}
	}
	return false
}

// createInShard creates the missing series of shard s under its write lock.
// The caller holds index.mu.
func (h *head) createInShard(st *appendState, b *Batch, s int) {
	sh := &h.shards[s]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, i := range st.group(s) {
		it := &st.items[i]
		if it.s != nil || len(b.Series[i].Samples) == 0 {
			continue // found, or nothing to store: no series for an empty one
		}
		lset := b.Series[i].Labels
		if it.s = sh.get(it.hash, lset); it.s == nil {
			it.s = h.createSeries(h.newRef(it.hash), lset, it.hash)
			st.created = append(st.created, it.s)
			rec := st.seriesRecs.current()
			*rec = appendSeriesEntry(*rec, it.s.ref, it.s.lset)
		}
	}
}

// validate judges every sample in batch order against its series' newest
// accepted one, counts the verdicts and encodes the accepted samples.
func (st *appendState) validate(b *Batch) {
	for i := range st.items {
		it := &st.items[i]
		it.from, it.to = int32(len(st.samples)), int32(len(st.samples))
		s := it.s
		if s == nil { // a new series without samples
			continue
		}
		it.prevT, it.prevV, it.prevHas = s.lastT, s.lastV, s.hasLast
		for _, smp := range b.Series[i].Samples {
			st.count(s, smp, s.accept(smp.T, smp.V))
		}
		it.to = int32(len(st.samples))
	}
}

// count records the verdict on one sample of series s.
func (st *appendState) count(s *memSeries, smp Sample, v sampleVerdict) {
	switch v {
	case verdictAppend:
		st.samples = append(st.samples, smp)
		rec := st.samplesRecs.current()
		*rec = appendSampleEntry(*rec, s.ref, smp.T, smp.V)
		st.res.Appended++
	case verdictDuplicate:
		st.res.Duplicates++
	case verdictOutOfOrder:
		st.res.OutOfOrder++
		st.reject(s, smp, storage.ErrOutOfOrderSample)
	case verdictConflict:
		st.res.Conflicts++
		st.reject(s, smp, storage.NewDuplicateFloatErr(smp.T, s.lastV, smp.V))
	}
}

// reject keeps the first rejection of the batch as its FirstError.
func (st *appendState) reject(s *memSeries, smp Sample, err error) {
	if st.res.FirstError == nil {
		st.res.FirstError = &SampleError{Labels: s.lset, T: smp.T, NewestT: s.lastT, Err: err}
	}
}

// log writes all the batch's records to the WAL in one call, the series
// records first, so that replay meets every series before its samples. A
// big batch has several records of each kind (see recordSplitSize): one
// write(2) either way, and on return all of them are in the WAL; a crash
// during the call can leave only a prefix of them (docs/records.md).
func (st *appendState) log(wal recordLog) error {
	st.recs = append(st.recs[:0], st.seriesRecs.records()...)
	st.recs = append(st.recs, st.samplesRecs.records()...)
	if len(st.recs) == 0 {
		return nil
	}
	return wal.Log(st.recs...)
}

// undo forgets a batch whose WAL write failed: the validation state of its
// series and the series it created.
func (h *head) undo(st *appendState) {
	for i := len(st.items) - 1; i >= 0; i-- {
		if it := &st.items[i]; it.s != nil {
			it.s.lastT, it.s.lastV, it.s.hasLast = it.prevT, it.prevV, it.prevHas
		}
	}
	if len(st.created) == 0 {
		return
	}
	h.index.mu.Lock()
	defer h.index.mu.Unlock()
	for _, s := range st.created {
		sh := &h.shards[h.shardOf(s.hash)]
		sh.mu.Lock()
		h.deleteSeries(s)
		sh.mu.Unlock()
	}
}

// apply appends the accepted samples to the chunks, one write lock per shard.
func (h *head) apply(st *appendState) {
	for s := range h.shards {
		group := st.group(s)
		if len(group) == 0 {
			continue
		}
		sh := &h.shards[s]
		sh.mu.Lock()
		newChunks := 0
		for _, i := range group {
			it := &st.items[i]
			for _, smp := range st.samples[it.from:it.to] {
				if it.s.append(smp.T, smp.V) {
					newChunks++
				}
			}
		}
		sh.mu.Unlock()
		h.numChunks.Add(int64(newChunks))
	}
}
