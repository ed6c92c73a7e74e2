package tsdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsre/vigil/tsdb/block"
)

// compactionFactors are the block ranges compaction builds, as multiples of
// BlockDuration: with the default 2h, blocks merge into 12h and then 2d.
var compactionFactors = [...]int64{6, 24}

// Compact runs the compaction plan until nothing is left to merge: blocks
// that overlap are merged first, then the blocks inside each complete
// window of 6 and then 24 block ranges. A window is complete once the head
// refuses samples in it. One compaction runs at a time, on the calling
// goroutine, reading its sources a page at a time, so ingestion and
// queries keep their share of the machine.
func (db *DB) Compact(ctx context.Context) error {
	db.maintainMu.Lock()
	defer db.maintainMu.Unlock()
	if err := db.open(); err != nil {
		return err
	}
	return db.compact(ctx)
}

// compact is Compact; the caller holds maintainMu.
func (db *DB) compact(ctx context.Context) error {
	for {
		group := db.compactionPlan()
		if len(group) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := db.compactGroup(group); err != nil {
			return err
		}
	}
}

// compactGroup merges group into one new block, swaps it in and deletes the
// sources. A crash after the new block is written and before the sources
// are deleted is repaired at Open: the sources are its parents.
func (db *DB) compactGroup(group []*block.Block) error {
	start := time.Now()
	mint, maxt := group[0].Meta().MinT, group[0].Meta().MaxT
	for _, b := range group[1:] {
		mint, maxt = min(mint, b.Meta().MinT), max(maxt, b.Meta().MaxT)
	}
	id := db.newBlockID(mint, maxt)
	meta, err := block.Compact(db.blocksDir(), id, group, block.WriteOptions{})
	if err != nil {
		db.metrics.compactionsFailed.Inc()
		return errors.Join(fmt.Errorf("compact %d blocks into %s: %w", len(group), id, err), db.removeFailed(id))
	}
	if err := db.addCompacted(id, group); err != nil {
		db.metrics.compactionsFailed.Inc()
		return err
	}
	db.metrics.compactions.Inc()
	db.logger.Info("compacted blocks", "block", id, "sources", meta.Parents, "series", meta.NumSeries,
		"samples", meta.NumSamples, "level", meta.Level, "duration", time.Since(start))
	return nil
}

// addCompacted opens the block compaction wrote, puts it in place of its
// sources and deletes them.
func (db *DB) addCompacted(id string, sources []*block.Block) error {
	b, err := openBlock(db.blocksDir(), id)
	if err != nil {
		return err
	}
	db.blocks.replace(sources, b)
	for _, src := range sources {
		if err := deleteBlock(src); err != nil {
			db.logger.Warn("cannot delete compacted block; it is deleted at the next start", "block", src.Dir(), "err", err)
		}
	}
	return nil
}

// compactionPlan returns the next blocks to merge, or nil.
func (db *DB) compactionPlan() []*block.Block {
	blocks := db.blocks.list() // sorted by MinT
	metas := make([]block.Meta, len(blocks))
	for i, b := range blocks {
		metas[i] = b.Meta()
	}
	if i, j := overlapping(metas); j > i {
		return blocks[i:j]
	}
	complete := db.head.minValidTime()
	for _, f := range compactionFactors {
		if i, j := windowGroup(metas, f*db.blockRange(), complete); j > i {
			return blocks[i:j]
		}
	}
	return nil
}

// overlapping returns the first run metas[i:j] of two or more blocks
// (sorted by MinT) whose time ranges overlap, or i == j.
func overlapping(metas []block.Meta) (int, int) {
	for i := 0; i < len(metas); {
		end := metas[i].MaxT
		j := i + 1
		for j < len(metas) && metas[j].MinT <= end {
			end = max(end, metas[j].MaxT)
			j++
		}
		if j-i > 1 {
			return i, j
		}
		i = j
	}
	return 0, 0
}

// windowGroup returns the first run metas[i:j] of two or more blocks (sorted
// by MinT, not overlapping) that lie inside one aligned window of width r
// ending at or before complete, or i == j.
func windowGroup(metas []block.Meta, r, complete int64) (int, int) {
	for i := 0; i < len(metas); {
		w := alignDown(metas[i].MinT, r)
		j := i
		for j < len(metas) && metas[j].MaxT < w+r && alignDown(metas[j].MinT, r) == w {
			j++
		}
		if j-i > 1 && w+r <= complete {
			return i, j
		}
		i = max(j, i+1)
	}
	return 0, 0
}
