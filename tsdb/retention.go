package tsdb

import (
	"slices"

	"github.com/vigilsre/vigil/tsdb/block"
)

// applyRetention deletes whole blocks: those whose newest sample is older
// than Now()-Retention, then the oldest ones while the blocks and the WAL
// take more than RetentionSize bytes. The head is never dropped. The caller
// holds maintainMu.
func (db *DB) applyRetention() {
	blocks := db.blocks.list() // oldest first
	var expired []*block.Block
	if db.opts.Retention > 0 {
		cutoff := db.opts.Now().Add(-db.opts.Retention).UnixMilli()
		for _, b := range blocks {
			if b.Meta().MaxT < cutoff {
				expired = append(expired, b)
			}
		}
	}
	if db.opts.RetentionSize > 0 {
		expired = db.overSize(blocks, expired)
	}
	if len(expired) == 0 {
		return
	}
	db.blocks.replace(expired)
	for _, b := range expired {
		db.metrics.retentionDeleted.Inc()
		db.logger.Info("retention deleted block", "block", b.Meta().ID, "min_time", b.Meta().MinT, "max_time", b.Meta().MaxT, "bytes", b.Size())
		if err := deleteBlock(b); err != nil {
			db.logger.Warn("cannot delete expired block", "block", b.Dir(), "err", err)
		}
	}
}

// overSize adds to expired the oldest blocks not in it until what remains,
// with the WAL, fits RetentionSize.
func (db *DB) overSize(blocks, expired []*block.Block) []*block.Block {
	total := db.wal.Size()
	for _, b := range blocks {
		total += b.Size()
	}
	for _, b := range expired {
		total -= b.Size()
	}
	for _, b := range blocks {
		if total <= db.opts.RetentionSize {
			break
		}
		if !slices.Contains(expired, b) {
			expired = append(expired, b)
			total -= b.Size()
		}
	}
	return expired
}
