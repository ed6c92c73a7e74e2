package tsdb

import (
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// replayer rebuilds the head from the WAL records, in the order they were
// written. It runs before Open returns, so it takes no locks: records are
// read on one goroutine, and the only other goroutines, flush's, each own
// the series they apply samples to while the reader waits for them.
//
// Samples older than the head's minValidTime are skipped: they are in
// blocks. Every other sample meets the rules AppendBatch applied, except
// that an older sample is looked up among the stored ones whatever the
// out-of-order window: the WAL holds only samples that were accepted, so a
// new one was accepted out of order (perhaps under a wider window before a
// restart), and one already stored was written both before and after a
// checkpoint captured its shard (see writeCheckpoint): a duplicate.
//
// Samples are applied in batches grouped by series (see pendingSamples):
// a WAL record holds one sample of each of many series, and applying them
// in that order touches a different series, map entry and chunk buffer at
// every sample, which at a million series means cache misses on each.
type replayer struct {
	h        *head
	sb       labels.ScratchBuilder
	hashBuf  []byte
	pending  pendingSamples
	appliers []sampleApplier // one per flush worker

	maxID  uint64
	series int
	replayCounts
}

// replayCounts is what applying samples did.
type replayCounts struct {
	minT, maxT int64 // time range of the samples stored

	samples, unknownRefs, refused, duplicates, outOfBounds int
}

// add adds the counts of o to c.
func (c *replayCounts) add(o replayCounts) {
	c.minT, c.maxT = min(c.minT, o.minT), max(c.maxT, o.maxT)
	c.samples += o.samples
	c.unknownRefs += o.unknownRefs
	c.refused += o.refused
	c.duplicates += o.duplicates
	c.outOfBounds += o.outOfBounds
}

// noCounts returns replayCounts before any sample.
func noCounts() replayCounts {
	return replayCounts{minT: math.MaxInt64, maxT: math.MinInt64}
}

// sampleApplier applies the samples of some series: a flush worker.
type sampleApplier struct {
	h   *head
	dec gorilla.Iterator // scratch for looking up stored samples
	replayCounts
}

func newReplayer(h *head) *replayer {
	r := &replayer{h: h, sb: labels.NewScratchBuilder(8), replayCounts: noCounts()}
	r.appliers = make([]sampleApplier, max(1, runtime.GOMAXPROCS(0)))
	for i := range r.appliers {
		r.appliers[i].h = h
	}
	return r
}

// record applies one WAL record; rec is valid only during the call.
func (r *replayer) record(rec []byte) error {
	if len(rec) == 0 {
		return fmt.Errorf("replay wal: empty record")
	}
	switch rec[0] {
	case recordSeries:
		return decodeSeriesRecord(rec[1:], &r.sb, r.addSeries)
	case recordSamples:
		return decodeSamplesRecord(rec[1:], r.addPending)
	default:
		return fmt.Errorf("replay wal: unknown record type %d", rec[0])
	}
}

// addSeries restores a series with its ref. A series record for labels that
// are already in the head means the series was dropped by retention and made
// anew under a new ref before the restart: it keeps the new ref.
func (r *replayer) addSeries(ref storage.SeriesRef, lset labels.Labels) error {
	var hash uint64
	hash, r.hashBuf = hashLabels(r.hashBuf, lset)
	if uint64(ref)&refShardMask != hash&refShardMask {
		return fmt.Errorf("replay wal: series %s: ref %d does not carry its label hash %#x", lset, ref, hash)
	}
	r.series++
	r.maxID = max(r.maxID, uint64(ref)>>refShardBits)
	sh := &r.h.shards[r.h.shardOf(hash)]
	if other := sh.byRef[ref]; other != nil && !r.h.symbols.equal(other.syms, lset) {
		return fmt.Errorf("replay wal: ref %d names both %s and %s", ref, r.h.labelsOf(other), lset)
	}
	if old := sh.get(&r.h.symbols, hash, lset); old != nil {
		r.flush() // pending samples of the old ref were written before
		r.h.rekey(old, ref, lset, hash)
		return nil
	}
	if r.pending.mayHold(ref) {
		r.flush() // pending samples of ref were written before its series
	}
	r.h.createSeries(ref, lset, hash)
	return nil
}

// addPending queues one sample; a full queue is applied.
func (r *replayer) addPending(ref storage.SeriesRef, t int64, v float64) {
	if r.pending.add(ref, t, v) {
		r.flush()
	}
}

// flush applies the pending samples, series by series, each series' in
// WAL order, the order they are judged in; the series records since the
// first of them changed nothing they refer to (see addSeries). A large
// queue is split between workers at series boundaries: a series' samples
// go to one worker; the workers share only the shard maps, which they
// read and no one writes meanwhile, and the head's atomic counters.
func (r *replayer) flush() {
	parts := r.pending.split(len(r.appliers), replayWorkerSamples)
	if len(parts) == 1 {
		r.appliers[0].apply(parts[0])
	} else {
		var wg sync.WaitGroup
		for i, part := range parts {
			wg.Go(func() { r.appliers[i].apply(part) })
		}
		wg.Wait()
	}
	for i := range parts {
		r.replayCounts.add(r.appliers[i].replayCounts)
	}
	r.pending.reset()
}

// apply applies part, sorted by series, counting afresh.
func (a *sampleApplier) apply(part []pendingSample) {
	a.replayCounts = noCounts()
	for len(part) > 0 {
		n := runLength(part)
		a.applyRun(part[:n])
		part = part[n:]
	}
}

// applyRun applies the samples of one ref.
func (a *sampleApplier) applyRun(samples []pendingSample) {
	ref := samples[0].ref
	s := a.h.shards[a.h.shardOf(uint64(ref))].byRef[ref]
	if s == nil {
		a.unknownRefs += len(samples)
		return
	}
	minValid := a.h.minValidT.Load()
	for _, smp := range samples {
		if smp.t < minValid {
			a.outOfBounds++
			continue
		}
		a.store(s, smp.t, smp.v)
	}
}

// store judges and stores one sample of s.
func (a *sampleApplier) store(s *memSeries, t int64, v float64) {
	verdict := s.accept(t, v)
	if verdict == verdictOutOfOrder {
		old, found, err := s.valueAt(t, &a.dec)
		if verdict = judgeStored(old, found, v); err != nil {
			verdict = verdictConflict
		}
	}
	switch verdict {
	case verdictAppend:
		if s.append(t, v) {
			a.h.numChunks.Add(1)
		}
	case verdictOutOfOrderAccepted:
		s.insertOOO(Sample{T: t, V: v})
	case verdictDuplicate:
		a.duplicates++
		return
	default:
		a.refused++
		return
	}
	a.samples++
	a.minT, a.maxT = min(a.minT, t), max(a.maxT, t)
}

// finish makes new series ids continue after the replayed ones (and those of
// a checkpoint loaded before) and logs what the replay did.
func (r *replayer) finish(logger *slog.Logger) {
	r.flush()
	r.pending.release()
	r.h.nextID = max(r.h.nextID, r.maxID)
	r.h.observeRange(r.minT, r.maxT)
	logger.Info("wal replayed", "series", r.h.numSeries.Load(), "series_records", r.series, "samples", r.samples,
		"duplicates", r.duplicates, "below_min_valid_time", r.outOfBounds)
	if r.unknownRefs > 0 || r.refused > 0 {
		logger.Warn("wal replay skipped samples", "unknown_series", r.unknownRefs, "conflict", r.refused)
	}
}

// rekey gives series s, with labels lset and label hash hash, a new ref, in
// its shard and in the postings.
func (h *head) rekey(s *memSeries, ref storage.SeriesRef, lset labels.Labels, hash uint64) {
	if s.ref == ref {
		return
	}
	h.unindex(s)
	s.syms = h.symbols.intern(lset) // unindex released the old one
	s.ref = ref
	h.shards[h.shardOf(uint64(ref))].put(s, hash)
	h.index.add(s.ref, lset, h.symbols.interned)
}
