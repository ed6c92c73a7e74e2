package tsdb

import (
	"cmp"
	"slices"

	"github.com/prometheus/prometheus/storage"
)

// replayBatchSamples is how many samples the replay groups by series at
// once (24 bytes each, twice while sorting): at a million series, about
// four samples of each, so each series' memory is fetched once for four.
const replayBatchSamples = 1 << 22

// replayWorkerSamples is the fewest samples a flush gives a worker of its
// own: below it, starting one costs more than it saves.
const replayWorkerSamples = 1 << 16

// pendingSample is a sample read from the WAL and not yet applied.
type pendingSample struct {
	ref storage.SeriesRef
	t   int64
	v   float64
}

// pendingSamples queues samples and hands them out grouped by series,
// keeping each series' samples in the order they were queued.
type pendingSamples struct {
	buf, scratch []pendingSample
	counts       []int
	maxID        uint64 // highest series id in buf
}

// add queues a sample and reports whether the queue is full.
func (p *pendingSamples) add(ref storage.SeriesRef, t int64, v float64) bool {
	p.buf = append(p.buf, pendingSample{ref: ref, t: t, v: v})
	p.maxID = max(p.maxID, uint64(ref)>>refShardBits)
	return len(p.buf) >= replayBatchSamples
}

// mayHold reports whether a queued sample may have ref: new series have
// ids above every queued one, so a series record rarely needs a flush.
func (p *pendingSamples) mayHold(ref storage.SeriesRef) bool {
	return len(p.buf) > 0 && uint64(ref)>>refShardBits <= p.maxID
}

// split sorts the queue by series id, stably, and cuts it into at most n
// parts of at least min samples each, at series boundaries. The parts
// alias the queue: they are valid until reset.
func (p *pendingSamples) split(n, minSamples int) [][]pendingSample {
	p.sort()
	n = max(1, min(n, len(p.buf)/max(minSamples, 1)))
	parts := make([][]pendingSample, 0, n)
	rest := p.buf
	for k := n; k > 1 && len(rest) > 0; k-- {
		cut := max(len(rest)/k, 1)
		for cut < len(rest) && rest[cut].ref == rest[cut-1].ref {
			cut++
		}
		parts, rest = append(parts, rest[:cut]), rest[cut:]
	}
	if len(rest) > 0 || len(parts) == 0 {
		parts = append(parts, rest)
	}
	return parts
}

// reset empties the queue.
func (p *pendingSamples) reset() {
	p.buf, p.maxID = p.buf[:0], 0
}

// runLength returns how many samples at the start of samples share the
// first one's ref.
func runLength(samples []pendingSample) int {
	n := 1
	for n < len(samples) && samples[n].ref == samples[0].ref {
		n++
	}
	return n
}

// sort orders the queue by series id, stably: a counting sort over the
// ids' range, which spans the series written to since the batch began; a
// range much wider than the batch (refs from a damaged WAL) falls back to a
// comparison sort.
func (p *pendingSamples) sort() {
	if len(p.buf) < 2 {
		return
	}
	minID := p.maxID
	for _, smp := range p.buf {
		minID = min(minID, uint64(smp.ref)>>refShardBits)
	}
	span := p.maxID - minID + 1
	if span > uint64(2*len(p.buf)+1<<16) {
		slices.SortStableFunc(p.buf, func(a, b pendingSample) int { return cmp.Compare(a.ref>>refShardBits, b.ref>>refShardBits) })
		return
	}
	counts := slices.Grow(p.counts[:0], int(span)+1)[:span+1]
	clear(counts)
	for _, smp := range p.buf {
		counts[uint64(smp.ref)>>refShardBits-minID+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	sorted := slices.Grow(p.scratch[:0], len(p.buf))[:len(p.buf)]
	for _, smp := range p.buf {
		i := uint64(smp.ref)>>refShardBits - minID
		sorted[counts[i]] = smp
		counts[i]++
	}
	p.buf, p.scratch, p.counts = sorted, p.buf, counts
}

// release drops the buffers once the replay is done.
func (p *pendingSamples) release() {
	*p = pendingSamples{}
}
