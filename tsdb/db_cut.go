package tsdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/vigilsre/vigil/tsdb/block"
)

// Flush cuts everything in the head into blocks now, one per BlockDuration
// window it spans, and writes a head checkpoint; it returns once the blocks
// are durable, with the meta of the newest (a zero Meta when the head was
// empty). Afterwards a sample older than the newest flushed one is out of
// bounds (ErrOutOfBounds), as it would be after any cut.
func (db *DB) Flush(ctx context.Context) (block.Meta, error) {
	db.maintainMu.Lock()
	defer db.maintainMu.Unlock()
	if err := db.open(); err != nil {
		return block.Meta{}, err
	}
	_, maxt, ok := db.head.timeRange()
	if !ok {
		return block.Meta{}, nil
	}
	meta, err := db.cutUpTo(ctx, max(maxt+1, maxt)) // max: a sample at MaxInt64 stays
	if err != nil {
		return block.Meta{}, err
	}
	return meta, db.checkpoint()
}

// open returns ErrClosed once Close has begun.
func (db *DB) open() error {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	return nil
}

// cutUpTo cuts the head's samples older than end into blocks aligned to
// BlockDuration, oldest first, and returns the meta of the last block
// written. The caller holds maintainMu.
func (db *DB) cutUpTo(ctx context.Context, end int64) (block.Meta, error) {
	var last block.Meta
	from := int64(math.MinInt64)
	for {
		mint, _, ok := db.head.timeRange()
		if mint = max(mint, from); !ok || mint >= end {
			return last, nil
		}
		if err := ctx.Err(); err != nil {
			return last, err
		}
		cut := min(alignDown(mint, db.blockRange())+db.blockRange(), end)
		meta, next, err := db.cutWindow(mint, cut)
		if err != nil {
			return last, err
		}
		if meta.NumSamples > 0 {
			last = meta
		}
		from = next
	}
}

// cutWindow is cutHead, and returns where the next window should start: at
// cut, or, when the window held no sample, at the head's next sample after
// it (math.MaxInt64 when there is none).
func (db *DB) cutWindow(mint, cut int64) (block.Meta, int64, error) {
	meta, err := db.cutHead(mint, cut)
	if err != nil || meta.NumSamples > 0 {
		return meta, cut, err
	}
	next, ok := db.head.firstSampleFrom(cut)
	if !ok {
		next = math.MaxInt64
	}
	return meta, next, nil
}

// maybeCut cuts the head while it spans more than 1.5 block ranges, as
// Prometheus does: the newest half range stays in the head, so samples
// that arrive a little late are never out of bounds. A sample from the
// future counts as now, so it cannot make the head cut the present away.
// It reports whether it cut anything. The caller holds maintainMu.
func (db *DB) maybeCut() (bool, error) {
	cut := false
	from := int64(math.MinInt64)
	for {
		mint, maxt, ok := db.head.timeRange()
		mint, maxt = max(mint, from), min(maxt, db.opts.Now().UnixMilli())
		if !ok || maxt-mint <= db.blockRange()*3/2 {
			return cut, nil
		}
		_, next, err := db.cutWindow(mint, alignDown(mint, db.blockRange())+db.blockRange())
		if err != nil {
			return cut, err
		}
		cut, from = true, next
	}
}

// cutHead writes the head's samples in [mint, cut) as a block, adds it to
// the block set and truncates the head before cut. Appends below cut are
// refused from the first step on, so the block holds every sample the head
// drops. With no sample in the range it writes no block. The caller holds
// maintainMu.
func (db *DB) cutHead(mint, cut int64) (block.Meta, error) {
	start := time.Now()
	db.head.setMinValidTime(cut)
	id := db.newBlockID(mint, cut-1)
	meta, err := block.Write(db.blocksDir(), id, db.head.blockSource(mint, cut-1), block.WriteOptions{})
	if err != nil {
		db.metrics.cutsFailed.Inc()
		return block.Meta{}, errors.Join(fmt.Errorf("cut head into block %s: %w", id, err), db.removeFailed(id))
	}
	if meta.NumSeries > 0 {
		if err := db.addBlock(id); err != nil {
			db.metrics.cutsFailed.Inc()
			return block.Meta{}, err
		}
	} else if err := os.RemoveAll(filepath.Join(db.blocksDir(), id)); err != nil {
		return block.Meta{}, fmt.Errorf("remove empty block %s: %w", id, err)
	}
	db.readers.advance() // queriers that do not read the new block are done
	chunks, series := db.head.truncateBefore(cut)
	db.metrics.cuts.Inc()
	db.logger.Info("cut head into block", "block", id, "series", meta.NumSeries, "samples", meta.NumSamples,
		"head_chunks_dropped", chunks, "head_series_dropped", series, "duration", time.Since(start))
	return meta, nil
}

// addBlock opens a block just written and adds it to the set.
func (db *DB) addBlock(id string) error {
	b, err := openBlock(db.blocksDir(), id)
	if err != nil {
		return err
	}
	db.blocks.replace(nil, b)
	return nil
}

// openBlock opens a block the DB has just written.
func openBlock(dir, id string) (*block.Block, error) {
	b, err := block.Open(filepath.Join(dir, id))
	if err != nil {
		return nil, fmt.Errorf("open new block %s: %w", id, err)
	}
	return b, nil
}

// checkpoint writes the head's state so that the WAL before it can be
// removed. The caller holds maintainMu, or is Close.
func (db *DB) checkpoint() error {
	start := time.Now()
	if err := db.head.writeCheckpoint(db.walDir(), db.wal); err != nil {
		db.metrics.checkpointsFailed.Inc()
		return fmt.Errorf("write head checkpoint: %w", err)
	}
	db.metrics.checkpoints.Inc()
	db.walAtCheckpoint.Store(db.wal.Size())
	db.logger.Debug("wrote head checkpoint", "series", db.head.numSeries.Load(), "duration", time.Since(start))
	return nil
}

// blockRange is BlockDuration in milliseconds.
func (db *DB) blockRange() int64 { return db.opts.BlockDuration.Milliseconds() }

// alignDown returns the multiple of r at or below t.
func alignDown(t, r int64) int64 {
	if t >= 0 {
		return t - t%r
	}
	return t - (r+t%r)%r
}

// newBlockID names a block by its time range and the time it was made, so
// names sort by time and are never reused: a compaction's meta names its
// parents, and a later block must never be mistaken for one of them.
func (db *DB) newBlockID(mint, maxt int64) string {
	for {
		id := fmt.Sprintf("%s-%s-%x", blockTime(mint), blockTime(maxt), time.Now().UnixNano())
		if _, err := os.Stat(filepath.Join(db.blocksDir(), id)); os.IsNotExist(err) {
			return id
		}
	}
}

// removeFailed removes what a failed block write may have left: its
// temporary directory, or the block itself when only the last fsync failed.
func (db *DB) removeFailed(id string) error {
	return errors.Join(os.RemoveAll(filepath.Join(db.blocksDir(), id+".tmp")), os.RemoveAll(filepath.Join(db.blocksDir(), id)))
}

// blockTime formats a block bound for a directory name, in UTC.
func blockTime(t int64) string {
	return time.UnixMilli(t).UTC().Format("20060102T150405.000Z")
}
