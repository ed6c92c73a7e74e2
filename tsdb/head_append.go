package tsdb

import (
	"fmt"
	"math"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/gorilla"
	"github.com/vigilsre/vigil/tsdb/wal"
)

// recordLog is where the head writes its WAL records: a *wal.Log, or a
// test's fake. Log returns once the records are as durable as the log
// promises.
type recordLog interface {
	Log(recs ...[]byte) error
}

// groupLog is a recordLog that splits Log in two, for group commit: the head
// calls Write under the shard locks, which orders the records, and
// WaitDurable once it has released them, so that concurrent batches share
// fsyncs instead of queueing for one each. *wal.Log is one.
type groupLog interface {
	recordLog
	Write(recs ...[]byte) (wal.Position, error)
	WaitDurable(p wal.Position) error
}

// sampleVerdict is what validation decides for one sample.
type sampleVerdict uint8

const (
	verdictAppend             sampleVerdict = iota // newer than the newest: stored
	verdictDuplicate                               // same timestamp, bit-identical value: ignored
	verdictOutOfOrder                              // older than the newest: rejected
	verdictConflict                                // same timestamp, other value: rejected
	verdictOutOfBounds                             // older than minValidT: rejected
	verdictOutOfOrderAccepted                      // older than the newest, inside the window, new: stored
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
	samples []Sample     // accepted in-order samples, item by item
	ooo     []oooPending // accepted out-of-order samples, in batch order
	created []*memSeries // series this call created, to undo on a WAL error
	missing bool         // some items had no series after lookup
	stale   bool         // some items' Ref named no series

	minValidT  int64            // h.minValidT, read once appendMu is held
	window     int64            // h.oooWindow
	minT, maxT int64            // time range of the accepted samples
	dec        gorilla.Iterator // scratch for looking up stored samples

	hashBuf     []byte       // scratch for hashLabels
	symbols     *symbolTable // the head's, to name a rejected series
	seriesRecs  recordSet    // WAL records of the created series
	samplesRecs recordSet    // WAL records of the accepted samples
	recs        [][]byte     // both, series first, for the one Log call
	pos         wal.Position // where Write put them, for WaitDurable

	res AppendResult
}

// oooPending is a sample of item accepted out of order, applied after the
// WAL write.
type oooPending struct {
	item int32
	smp  Sample
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
	return cap(st.samples) <= maxPooledSamples && cap(st.items) <= maxPooledSamples && cap(st.ooo) <= maxPooledSamples &&
		st.seriesRecs.capBytes()+st.samplesRecs.capBytes() <= maxPooledRecordBytes
}

// reset prepares the state for batch b on a head.
func (st *appendState) reset(h *head, b *Batch) {
	st.items = st.items[:0]
	for i := range b.Series {
		// A ref's low bits are its label hash's, so either names the shard.
		hash := uint64(b.Series[i].Ref)
		if hash == 0 {
			hash, st.hashBuf = hashLabels(st.hashBuf, b.Series[i].Labels)
		}
		st.items = append(st.items, appendItem{hash: hash})
	}
	st.order, st.bounds = groupByShard(len(st.items), len(h.shards), func(i int) int {
		return h.shardOf(st.items[i].hash)
	}, st.order, st.bounds)
	st.samples = st.samples[:0]
	st.ooo = st.ooo[:0]
	st.window = h.oooWindow
	st.symbols = &h.symbols
	st.minT, st.maxT = math.MaxInt64, math.MinInt64
	st.created = st.created[:0]
	st.missing, st.stale = false, false
	st.seriesRecs.reset()
	st.samplesRecs.reset()
	st.pos = 0
	st.res = AppendResult{}
}

// group returns the indexes of the items that fall in shard s.
func (st *appendState) group(s int) []int32 {
	return st.order[st.bounds[s]:st.bounds[s+1]]
}

// appendBatch stores a batch; see DB.AppendBatch and the package doc for the
// protocol. On a WAL write error nothing of the batch remains. With a
// groupLog it waits for the records to be durable after releasing the shard
// locks; if that fails, the batch stays in the head though the call fails.
func (h *head) appendBatch(b *Batch, w recordLog) (AppendResult, error) {
	res, pos, err := h.appendLocked(b, w)
	if err != nil {
		return AppendResult{}, err
	}
	if g, ok := w.(groupLog); ok {
		if err := g.WaitDurable(pos); err != nil {
			return AppendResult{}, fmt.Errorf("sync wal: %w", err)
		}
	}
	return res, nil
}

// appendLocked does the work of appendBatch under the shard locks: it
// returns with the batch applied and its records written, not necessarily
// durable, at pos.
func (h *head) appendLocked(b *Batch, w recordLog) (AppendResult, wal.Position, error) {
	st := getAppendState()
	defer putAppendState(st)
	st.reset(h, b)
	h.lockAppenders(st)
	defer h.unlockAppenders(st)
	st.minValidT = h.minValidT.Load() // after the locks: see setMinValidTime

	h.lookup(st, b)
	if st.stale {
		if err := h.resolveStale(st, b); err != nil {
			return AppendResult{}, 0, err
		}
	}
	if st.missing {
		h.create(st, b)
	}
	st.validate(b)
	if err := st.log(w); err != nil {
		h.undo(st)
		return AppendResult{}, 0, fmt.Errorf("write wal: %w", err)
	}
	h.apply(st)
	h.metrics.observe(st.res, len(st.created))
	for i := range st.items {
		if s := st.items[i].s; s != nil {
			b.Series[i].Ref = s.ref
		}
	}
	return st.res, st.pos, nil
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
		if group := st.group(s); len(group) > 0 {
			h.lookupShard(st, b, &h.shards[s].shardState, group)
		}
	}
}

// lookupShard finds the series of the items of group in shard sh, in two
// passes: the map lookups of the first do not wait on each other's cache
// misses, as they would interleaved with the label comparisons of the
// second (it made known-series appends ~15% faster).
func (h *head) lookupShard(st *appendState, b *Batch, sh *shardState, group []int32) {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	for _, i := range group {
		if ref := b.Series[i].Ref; ref != 0 {
			st.items[i].s = sh.byRef[ref]
		} else {
			st.items[i].s = sh.byHash[st.items[i].hash] // a candidate
		}
	}
	for _, i := range group {
		it := &st.items[i]
		if b.Series[i].Ref != 0 {
			st.stale = st.stale || it.s == nil
			continue
		}
		if it.s == nil || !h.symbols.equal(it.s.syms, b.Series[i].Labels) {
			it.s = sh.get(&h.symbols, it.hash, b.Series[i].Labels)
		}
		st.missing = st.missing || it.s == nil
	}
}

// resolveStale finds the series of the items whose Ref named no series, by
// the labels b.Resolve gives for them; a series not found is created as any
// new one. The labels hash to the shard of the ref, whose appendMu is held.
func (h *head) resolveStale(st *appendState, b *Batch) error {
	for i := range st.items {
		it, bs := &st.items[i], &b.Series[i]
		if bs.Ref == 0 || it.s != nil {
			continue
		}
		if b.Resolve == nil {
			return fmt.Errorf("series ref %d: no such series, and the batch cannot resolve its labels", bs.Ref)
		}
		lset, err := b.Resolve(i)
		if err != nil {
			return fmt.Errorf("resolve the labels of series ref %d: %w", bs.Ref, err)
		}
		hash, buf := hashLabels(st.hashBuf, lset)
		st.hashBuf = buf
		if hash&refShardMask != uint64(bs.Ref)&refShardMask { // a ref carries its series' hash bits
			return fmt.Errorf("series ref %d: labels %s belong to another series", bs.Ref, lset)
		}
		bs.Labels, bs.Ref, it.hash = lset, 0, hash
		sh := &h.shards[h.shardOf(hash)]
		sh.mu.RLock()
		it.s = sh.get(&h.symbols, hash, lset)
		sh.mu.RUnlock()
		st.missing = st.missing || it.s == nil
	}
	return nil
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
		if it.s != nil || !anyInBounds(b.Series[i].Samples, st.minValidT) {
			continue // found, or nothing to store: no series for an empty one
		}
		lset := b.Series[i].Labels
		if it.s = sh.get(&h.symbols, it.hash, lset); it.s == nil {
			it.s = h.createSeries(h.newRef(it.hash), lset, it.hash)
			st.created = append(st.created, it.s)
			rec := st.seriesRecs.current()
			*rec = appendSeriesEntry(*rec, it.s.ref, lset)
		}
	}
}

// anyInBounds reports whether some sample is not older than minValidT.
func anyInBounds(samples []Sample, minValidT int64) bool {
	for _, smp := range samples {
		if smp.T >= minValidT {
			return true
		}
	}
	return false
}

// validate judges every sample in batch order against its series' stored
// samples, counts the verdicts and encodes the accepted samples.
func (st *appendState) validate(b *Batch) {
	for i := range st.items {
		it := &st.items[i]
		it.from, it.to = int32(len(st.samples)), int32(len(st.samples))
		s := it.s
		if s == nil { // a new series with no sample in bounds, or none
			st.rejectUncreated(b.Series[i])
			continue
		}
		it.prevT, it.prevV, it.prevHas = s.lastT, s.lastV, s.hasLast
		for _, smp := range b.Series[i].Samples {
			st.judge(int32(i), s, smp)
		}
		it.to = int32(len(st.samples))
	}
}

// judge decides one sample of item i, whose series is s, and records the
// verdict. A sample older than the newest but inside the out-of-order window
// is looked up among the stored samples and those of this batch not yet
// applied: new, it is accepted out of order.
func (st *appendState) judge(i int32, s *memSeries, smp Sample) {
	if smp.T < st.minValidT {
		st.count(i, s, smp, verdictOutOfBounds, 0)
		return
	}
	v := s.accept(smp.T, smp.V)
	if v != verdictOutOfOrder || !inWindow(s.lastT, smp.T, st.window) {
		st.count(i, s, smp, v, s.lastV)
		return
	}
	old, found, err := s.valueAt(smp.T, &st.dec)
	if err != nil {
		st.res.Conflicts++
		st.reject(s, smp, fmt.Errorf("read stored samples: %w", err))
		return
	}
	if !found {
		old, found = st.pendingAt(i, s, smp.T)
	}
	st.count(i, s, smp, judgeStored(old, found, smp.V), old)
}

// pendingAt looks for a sample at t that this batch accepted for s, item i
// or an earlier one, and has not applied yet. Only out-of-order samples get
// here, so the linear scans cost in-order appends nothing.
func (st *appendState) pendingAt(i int32, s *memSeries, t int64) (float64, bool) {
	for j := int32(0); j <= i; j++ {
		it := &st.items[j]
		if it.s != s {
			continue
		}
		to := it.to
		if j == i {
			to = int32(len(st.samples))
		}
		for _, smp := range st.samples[it.from:to] {
			if smp.T == t {
				return smp.V, true
			}
		}
	}
	for _, p := range st.ooo {
		if p.smp.T == t && st.items[p.item].s == s {
			return p.smp.V, true
		}
	}
	return 0, false
}

// count records the verdict on one sample of item i, series s; old is the
// stored value a conflicting sample met.
func (st *appendState) count(i int32, s *memSeries, smp Sample, v sampleVerdict, old float64) {
	switch v {
	case verdictAppend:
		st.samples = append(st.samples, smp)
		st.accepted(s, smp)
	case verdictOutOfOrderAccepted:
		st.ooo = append(st.ooo, oooPending{item: i, smp: smp})
		st.accepted(s, smp)
	case verdictDuplicate:
		st.res.Duplicates++
	case verdictOutOfOrder:
		st.res.OutOfOrder++
		st.reject(s, smp, storage.ErrOutOfOrderSample)
	case verdictOutOfBounds:
		st.res.OutOfOrder++
		st.reject(s, smp, storage.ErrOutOfBounds)
	case verdictConflict:
		st.res.Conflicts++
		st.reject(s, smp, storage.NewDuplicateFloatErr(smp.T, old, smp.V))
	}
}

// accepted encodes an accepted sample of s and counts it.
func (st *appendState) accepted(s *memSeries, smp Sample) {
	rec := st.samplesRecs.current()
	*rec = appendSampleEntry(*rec, s.ref, smp.T, smp.V)
	st.res.Appended++
	st.minT, st.maxT = min(st.minT, smp.T), max(st.maxT, smp.T)
}

// reject keeps the first rejection of the batch as its FirstError.
func (st *appendState) reject(s *memSeries, smp Sample, err error) {
	if st.res.FirstError == nil {
		var lb labels.ScratchBuilder // the series is live: appendMu keeps it so
		st.res.FirstError = &SampleError{Labels: st.symbols.labels(&lb, s.syms), T: smp.T, NewestT: s.lastT, Err: err}
	}
}

// rejectUncreated rejects the samples of a series that was not created
// because none of them is in bounds.
func (st *appendState) rejectUncreated(bs BatchSeries) {
	st.res.OutOfOrder += len(bs.Samples)
	if st.res.FirstError == nil && len(bs.Samples) > 0 {
		st.res.FirstError = &SampleError{Labels: bs.Labels.Copy(), T: bs.Samples[0].T, NewestT: math.MinInt64, Err: storage.ErrOutOfBounds}
	}
}

// log writes all the batch's records to the WAL in one call, the series
// records first, so that replay meets every series before its samples. A
// big batch has several records of each kind (see recordSplitSize): one
// write(2) either way, and on return all of them are in the WAL; a crash
// during the call can leave only a prefix of them (docs/records.md). A
// groupLog only writes them, and st.pos is where, for the wait after the
// locks; a batch with nothing to log gets the position of the last write,
// as its verdicts (duplicates) may rest on samples not yet durable.
func (st *appendState) log(w recordLog) error {
	st.recs = append(st.recs[:0], st.seriesRecs.records()...)
	st.recs = append(st.recs, st.samplesRecs.records()...)
	if g, ok := w.(groupLog); ok {
		var err error
		st.pos, err = g.Write(st.recs...)
		return err
	}
	if len(st.recs) == 0 {
		return nil
	}
	return w.Log(st.recs...)
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
		sh := &h.shards[h.shardOf(uint64(s.ref))]
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
		st.applyOOO(h, s)
		sh.mu.Unlock()
		h.numChunks.Add(int64(newChunks))
	}
	h.observeRange(st.minT, st.maxT)
}

// applyOOO inserts the accepted out-of-order samples of shard s into their
// series' buffers. The caller holds the shard's mu.
func (st *appendState) applyOOO(h *head, s int) {
	for _, p := range st.ooo {
		if it := &st.items[p.item]; h.shardOf(it.hash) == s {
			it.s.insertOOO(p.smp)
		}
	}
}
