package tsdb

import (
	"time"
)

// retentionInterval is how often the retention loop runs.
const retentionInterval = time.Minute

// runRetention drops expired data now and then every interval until stop is
// closed. It is the goroutine Open starts when Options.Retention > 0.
func (db *DB) runRetention(stop <-chan struct{}, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		db.applyRetention()
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
	}
}

// applyRetention drops the data older than the retention period.
func (db *DB) applyRetention() {
	cutoff := db.opts.Now().Add(-db.opts.Retention).UnixMilli()
	chunks, series := db.head.dropBefore(cutoff)
	if chunks > 0 {
		db.logger.Debug("retention dropped data", "chunks", chunks, "series", series, "cutoff_ms", cutoff)
	}
}

// dropBefore drops every chunk whose newest sample is older than cutoff and
// every series left without samples, shard by shard. It returns how many
// chunks and series it dropped.
func (h *head) dropBefore(cutoff int64) (chunks, series int) {
	for i := range h.shards {
		c, s := h.dropShardBefore(i, cutoff)
		chunks += c
		series += s
	}
	return chunks, series
}

// dropShardBefore drops the expired data of one shard. Holding the shard's
// appendMu keeps appenders out, so a series found empty stays empty until it
// is removed.
func (h *head) dropShardBefore(shard int, cutoff int64) (chunks, series int) {
	sh := &h.shards[shard]
	sh.appendMu.Lock()
	defer sh.appendMu.Unlock()
	sh.mu.Lock()
	var empty []*memSeries
	for _, s := range sh.byRef {
		chunks += s.dropBefore(cutoff)
		if s.empty() {
			empty = append(empty, s)
		}
	}
	sh.mu.Unlock()
	h.numChunks.Add(-int64(chunks))
	h.deleteEmpty(sh, empty)
	return chunks, len(empty)
}

// deleteEmpty removes series from the head. The caller holds the shard's
// appendMu.
func (h *head) deleteEmpty(sh *headShard, empty []*memSeries) {
	if len(empty) == 0 {
		return
	}
	h.index.mu.Lock()
	defer h.index.mu.Unlock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, s := range empty {
		h.deleteSeries(s)
	}
}
