package tsdb

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"
)

// blockSource returns every series of the head with samples in [mint,
// maxt], sorted by labels, with its samples in that range, out-of-order ones
// merged in: what block.Write reads to cut a block. The set holds the list
// of series from the start but reads each one's chunks only when it reaches
// it (closed chunks shared, the open chunk's bytes and the out-of-order
// samples copied under the shard's read lock), so beyond the list it holds
// one series' chunks at a time. Samples appended meanwhile may or may not
// be included; the caller reads up to a time appends can no longer reach
// (setMinValidTime). The read start of the head bounds mint.
func (h *head) blockSource(mint, maxt int64) storage.SeriesSet {
	var all []*memSeries
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.RLock()
		for _, s := range sh.byRef {
			all = append(all, s)
		}
		sh.mu.RUnlock()
	}
	slices.SortFunc(all, func(a, b *memSeries) int { return h.symbols.compare(a.syms, b.syms) })
	return &headSource{h: h, series: all, mint: max(mint, h.readMinT.Load()), maxt: maxt}
}

// headSource is the storage.SeriesSet of blockSource.
type headSource struct {
	h          *head
	series     []*memSeries // not yet read
	mint, maxt int64
	cur        *blockSeries
}

// Next reads the next series with samples in the range.
func (hs *headSource) Next() bool {
	for len(hs.series) > 0 {
		s := hs.series[0]
		hs.series[0] = nil // let a series removed meanwhile go
		hs.series = hs.series[1:]
		if hs.cur = hs.read(s); hs.cur != nil {
			return true
		}
	}
	hs.cur = nil
	return false
}

// read takes what s holds in the range, or nil when it holds nothing.
func (hs *headSource) read(s *memSeries) *blockSeries {
	sh := &hs.h.shards[hs.h.shardOf(uint64(s.ref))]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	chunks := s.appendChunks(nil, hs.mint, hs.maxt, false)
	ooo := s.appendOOO(nil, hs.mint, hs.maxt)
	if len(chunks) == 0 && len(ooo) == 0 {
		return nil
	}
	return &blockSeries{lset: hs.h.labelsOf(s), chunks: chunks, ooo: ooo, mint: hs.mint, maxt: hs.maxt}
}

// At returns the current series; it stays iterable after Next.
func (hs *headSource) At() storage.Series { return hs.cur }

// Err returns nil: reading the head does not fail (a chunk that does not
// decode is reported by the series' iterator).
func (*headSource) Err() error { return nil }

// Warnings returns nil.
func (*headSource) Warnings() annotations.Annotations { return nil }

// blockSeries is one series of a blockSource, trimmed to its range.
type blockSeries struct {
	lset       labels.Labels
	chunks     []chunkMeta
	ooo        []Sample
	mint, maxt int64
}

// Labels returns the series' labels.
func (s *blockSeries) Labels() labels.Labels { return s.lset }

// Iterator returns an iterator over the series' samples in the range, in
// timestamp order, reusing it when it is one of ours.
func (s *blockSeries) Iterator(reuse chunkenc.Iterator) chunkenc.Iterator {
	it, ok := reuse.(*sampleIterator)
	if !ok {
		it = &sampleIterator{}
	}
	it.reset(s.chunks, s.ooo, s.mint, s.maxt)
	return it
}
