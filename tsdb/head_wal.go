package tsdb

import (
	"fmt"
	"log/slog"
	"math"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// replayer rebuilds the head from the WAL records, in the order they were
// written. It runs before Open returns, on one goroutine, so it takes no
// locks.
//
// Samples older than the head's minValidTime are skipped: they are in
// blocks. Every other sample meets the rules AppendBatch applied, except
// that an older sample is looked up among the stored ones whatever the
// out-of-order window: the WAL holds only samples that were accepted, so a
// new one was accepted out of order (perhaps under a wider window before a
// restart), and one already stored was written both before and after a
// checkpoint captured its shard (see writeCheckpoint): a duplicate.
type replayer struct {
	h       *head
	sb      labels.ScratchBuilder
	hashBuf []byte
	dec     gorilla.Iterator // scratch for looking up stored samples

	maxID      uint64
	minT, maxT int64 // time range of the samples stored

	series, samples, unknownRefs, refused int
	duplicates, outOfBounds               int
}

func newReplayer(h *head) *replayer {
	return &replayer{h: h, sb: labels.NewScratchBuilder(8), minT: math.MaxInt64, maxT: math.MinInt64}
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
		return decodeSamplesRecord(rec[1:], r.addSample)
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
		r.h.rekey(old, ref, lset, hash)
		return nil
	}
	r.h.createSeries(ref, lset, hash)
	return nil
}

// addSample applies one sample with the rules described on replayer.
func (r *replayer) addSample(ref storage.SeriesRef, t int64, v float64) {
	s := r.h.shards[r.h.shardOf(uint64(ref))].byRef[ref]
	switch {
	case s == nil:
		r.unknownRefs++
	case t < r.h.minValidT.Load():
		r.outOfBounds++
	default:
		r.store(s, t, v)
	}
}

// store judges and stores one sample of s.
func (r *replayer) store(s *memSeries, t int64, v float64) {
	verdict := s.accept(t, v)
	if verdict == verdictOutOfOrder {
		old, found, err := s.valueAt(t, &r.dec)
		if verdict = judgeStored(old, found, v); err != nil {
			verdict = verdictConflict
		}
	}
	switch verdict {
	case verdictAppend:
		if s.append(t, v) {
			r.h.numChunks.Add(1)
		}
	case verdictOutOfOrderAccepted:
		s.insertOOO(Sample{T: t, V: v})
	case verdictDuplicate:
		r.duplicates++
		return
	default:
		r.refused++
		return
	}
	r.samples++
	r.minT, r.maxT = min(r.minT, t), max(r.maxT, t)
}

// finish makes new series ids continue after the replayed ones (and those of
// a checkpoint loaded before) and logs what the replay did.
func (r *replayer) finish(logger *slog.Logger) {
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
