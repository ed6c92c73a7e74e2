package tsdb

// truncateBefore makes the head's reads start at cut and drops what is older
// than cut, shard by shard: the chunks whose newest sample is older, the
// open chunk likewise, the out-of-order samples older than cut, and then the
// series left without samples, from the shard maps and the postings (series
// GC). It returns how many chunks and series it dropped. The data must be
// in blocks already, and setMinValidTime(cut) called before, so that no
// sample older than cut arrives again: a removed series that receives a
// sample later is created anew under a new ref. The label strings no series
// uses any more since the previous call are forgotten.
func (h *head) truncateBefore(cut int64) (chunks, series int) {
	atomicMax(&h.readMinT, cut)
	h.index.mu.Lock()
	h.symbols.recycle() // before this call removes series: see recycle
	h.index.mu.Unlock()
	for i := range h.shards {
		c, s := h.truncateShard(&h.shards[i], cut)
		chunks += c
		series += s
	}
	return chunks, series
}

// truncateShard truncates one shard. Holding its appendMu keeps appenders
// out, so a series found empty stays empty until it is removed.
func (h *head) truncateShard(sh *headShard, cut int64) (chunks, series int) {
	sh.appendMu.Lock()
	defer sh.appendMu.Unlock()
	sh.mu.Lock()
	var empty []*memSeries
	for _, s := range sh.byRef {
		chunks += s.truncate(cut)
		if s.empty() {
			empty = append(empty, s)
		}
	}
	sh.mu.Unlock()
	h.numChunks.Add(-int64(chunks))
	h.removeSeries(sh, empty)
	return chunks, len(empty)
}

// removeSeries removes series of shard sh from the head. The caller holds
// the shard's appendMu.
func (h *head) removeSeries(sh *headShard, series []*memSeries) {
	if len(series) == 0 {
		return
	}
	h.index.mu.Lock()
	defer h.index.mu.Unlock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, s := range series {
		h.deleteSeries(s)
	}
}
