package tsdb

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// replayer rebuilds the head from the WAL records, in the order they were
// written. It runs before Open returns, on one goroutine, so it takes no
// locks.
type replayer struct {
	h       *head
	sb      labels.ScratchBuilder
	hashBuf []byte

	maxID                                 uint64
	series, samples, unknownRefs, refused int
}

func newReplayer(h *head) *replayer {
	return &replayer{h: h, sb: labels.NewScratchBuilder(8)}
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
	if other := sh.byRef[ref]; other != nil && !labels.Equal(other.lset, lset) {
		return fmt.Errorf("replay wal: ref %d names both %s and %s", ref, other.lset, lset)
	}
	if old := sh.get(hash, lset); old != nil {
		r.h.rekey(old, ref)
		return nil
	}
	r.h.createSeries(ref, lset, hash)
	return nil
}

// addSample applies one sample with the rules AppendBatch applied to it.
func (r *replayer) addSample(ref storage.SeriesRef, t int64, v float64) {
	s := r.h.shards[r.h.shardOf(uint64(ref))].byRef[ref]
	switch {
	case s == nil:
		r.unknownRefs++
	case s.accept(t, v) != verdictAppend:
		r.refused++
	default:
		r.samples++
		if s.append(t, v) {
			r.h.numChunks.Add(1)
		}
	}
}

// finish makes new series ids continue after the replayed ones and logs what
// the replay did.
func (r *replayer) finish(logger *slog.Logger) {
	r.h.nextID = r.maxID
	logger.Info("wal replayed", "series", r.h.numSeries.Load(), "series_records", r.series, "samples", r.samples)
	if r.unknownRefs > 0 || r.refused > 0 {
		logger.Warn("wal replay skipped samples", "unknown_series", r.unknownRefs, "out_of_order_or_conflict", r.refused)
	}
}

// rekey gives series s a new ref, in its shard and in the postings.
func (h *head) rekey(s *memSeries, ref storage.SeriesRef) {
	if s.ref == ref {
		return
	}
	h.deleteSeries(s)
	s.ref = ref
	h.shards[h.shardOf(s.hash)].put(s)
	h.index.add(s.ref, s.lset)
	h.numSeries.Add(1)
}
