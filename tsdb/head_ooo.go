package tsdb

import (
	"math"
	"slices"
	"sort"

	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// oooBuffer holds the samples a series accepted out of order, sorted by
// timestamp, uncompressed (16 bytes each). A series gets one with its first
// out-of-order sample, so in-order series pay only a nil pointer.
//
// What bounds it: a sample enters only if it is at most oooWindow behind
// the series' newest sample and not older than minValidT, and truncateBefore
// drops the samples older than each cut. So it holds at most the distinct
// timestamps between the last cut and the newest sample that arrived late —
// at most one block period plus the window of them — and in practice the
// few that did arrive late.
type oooBuffer struct {
	samples []Sample
}

// inWindow reports whether t, older than lastT, is at most window behind it.
// The unsigned difference is exact whatever the two timestamps.
func inWindow(lastT, t, window int64) bool {
	return window > 0 && uint64(lastT)-uint64(t) <= uint64(window)
}

// oooSamples returns the series' out-of-order samples. The caller holds the
// shard's appendMu or mu and must not keep the slice past it.
func (s *memSeries) oooSamples() []Sample {
	if s.ooo == nil {
		return nil
	}
	return s.ooo.samples
}

// insertOOO adds a sample that validation accepted out of order; no sample
// with its timestamp exists. The caller holds the shard's appendMu and mu.
func (s *memSeries) insertOOO(smp Sample) {
	if s.ooo == nil {
		s.ooo = &oooBuffer{}
	}
	i := sort.Search(len(s.ooo.samples), func(i int) bool { return s.ooo.samples[i].T >= smp.T })
	s.ooo.samples = slices.Insert(s.ooo.samples, i, smp)
}

// dropOOOBefore drops the out-of-order samples older than cut, and the
// buffer when none is left. The caller holds the shard's appendMu and mu.
func (s *memSeries) dropOOOBefore(cut int64) {
	ooo := s.oooSamples()
	i := sort.Search(len(ooo), func(i int) bool { return ooo[i].T >= cut })
	if i == 0 {
		return
	}
	if i == len(ooo) {
		s.ooo = nil
		return
	}
	s.ooo.samples = slices.Clone(ooo[i:]) // let the dropped part's memory go
}

// appendOOO appends the out-of-order samples in [mint, maxt] to dst. The
// caller holds the shard's appendMu or mu.
func (s *memSeries) appendOOO(dst []Sample, mint, maxt int64) []Sample {
	ooo := s.oooSamples()
	i := sort.Search(len(ooo), func(i int) bool { return ooo[i].T >= mint })
	for ; i < len(ooo) && ooo[i].T <= maxt; i++ {
		dst = append(dst, ooo[i])
	}
	return dst
}

// hasOOO reports whether some out-of-order sample is in [mint, maxt]. The
// caller holds the shard's appendMu or mu.
func (s *memSeries) hasOOO(mint, maxt int64) bool {
	ooo := s.oooSamples()
	i := sort.Search(len(ooo), func(i int) bool { return ooo[i].T >= mint })
	return i < len(ooo) && ooo[i].T <= maxt
}

// valueAt looks for a stored sample at t, in the out-of-order buffer and in
// the chunks (decoding only those whose range holds t), with dec as scratch.
// The caller holds the shard's appendMu: chunks change only under it. An
// error means a chunk of the head does not decode.
func (s *memSeries) valueAt(t int64, dec *gorilla.Iterator) (v float64, found bool, err error) {
	ooo := s.oooSamples()
	if i := sort.Search(len(ooo), func(i int) bool { return ooo[i].T >= t }); i < len(ooo) && ooo[i].T == t {
		return ooo[i].V, true, nil
	}
	i := sort.Search(len(s.closed), func(i int) bool { return s.closed[i].maxT >= t })
	if i < len(s.closed) && s.closed[i].minT <= t {
		return chunkValueAt(s.closed[i].data, t, dec)
	}
	if s.openSamples() > 0 && s.openMinT <= t && t <= s.openMaxT() {
		return chunkValueAt(s.open.Bytes(), t, dec)
	}
	return 0, false, nil
}

// chunkValueAt decodes chunk data up to t and returns the value at t.
func chunkValueAt(data []byte, t int64, dec *gorilla.Iterator) (float64, bool, error) {
	dec.Reset(data)
	if !dec.SeekTo(t) {
		return 0, false, dec.Err()
	}
	ct, v := dec.At()
	return v, ct == t, nil
}

// judgeStored decides a sample that is older than its series' newest and
// inside the window, given the value stored at its timestamp, if any.
func judgeStored(old float64, found bool, v float64) sampleVerdict {
	switch {
	case !found:
		return verdictOutOfOrderAccepted
	case math.Float64bits(old) == math.Float64bits(v):
		return verdictDuplicate
	default:
		return verdictConflict
	}
}
