package tsdb

import (
	"github.com/prometheus/client_golang/prometheus"
)

// dbMetrics are the metrics of the blocks and their maintenance. Like the
// head's metrics they always exist; Open registers them only when
// Options.Registerer is set.
type dbMetrics struct {
	cuts, cutsFailed               prometheus.Counter
	checkpoints, checkpointsFailed prometheus.Counter
	compactions, compactionsFailed prometheus.Counter
	corruptBlocks                  prometheus.Counter
	retentionDeleted               prometheus.Counter
	blocks, blockBytes             prometheus.GaugeFunc
}

func newDBMetrics(db *DB) *dbMetrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	return &dbMetrics{
		cuts:              counter("vigil_tsdb_head_cuts_total", "Times the head was cut into a block."),
		cutsFailed:        counter("vigil_tsdb_head_cuts_failed_total", "Head cuts that failed; the head keeps the data and the next run retries."),
		checkpoints:       counter("vigil_tsdb_checkpoints_total", "Head checkpoints written; each lets the WAL before it be removed."),
		checkpointsFailed: counter("vigil_tsdb_checkpoints_failed_total", "Head checkpoints that failed; the WAL is kept."),
		compactions:       counter("vigil_tsdb_compactions_total", "Compactions that merged blocks into one."),
		compactionsFailed: counter("vigil_tsdb_compactions_failed_total", "Compactions that failed; the source blocks are kept."),
		corruptBlocks:     counter("vigil_tsdb_blocks_corrupt_total", "Blocks that failed to open (a checksum mismatch or a missing file) and were moved to the quarantine directory."),
		retentionDeleted:  counter("vigil_tsdb_retention_blocks_deleted_total", "Blocks deleted by retention, by time or by size."),
		blocks: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vigil_tsdb_blocks",
			Help: "Blocks on disk being served.",
		}, func() float64 { return float64(len(db.blocks.metas())) }),
		blockBytes: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vigil_tsdb_block_bytes",
			Help: "Bytes on disk of the blocks being served.",
		}, func() float64 { return float64(db.blocks.size()) }),
	}
}

func (m *dbMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.cuts, m.cutsFailed, m.checkpoints, m.checkpointsFailed,
		m.compactions, m.compactionsFailed, m.corruptBlocks, m.retentionDeleted, m.blocks, m.blockBytes}
}

// collectors are the head's and the blocks' metrics.
func (db *DB) collectors() []prometheus.Collector {
	return append(db.head.metrics.collectors(), db.metrics.collectors()...)
}

// registerMetrics registers the head's and the blocks' metrics, or none.
func (db *DB) registerMetrics() error {
	return registerAll(db.opts.Registerer, db.collectors())
}

// unregisterMetrics removes what registerMetrics added.
func (db *DB) unregisterMetrics() {
	unregisterAll(db.opts.Registerer, db.collectors())
}
