package loadgen

import (
	"encoding/binary"
	"math"

	"github.com/prometheus/prometheus/model/labels"
)

// The protobuf tags of the remote-write 1.0 messages this package writes
// (prompb.WriteRequest, TimeSeries, Label and Sample): field number << 3 |
// wire type.
const (
	tagTimeSeries = 1<<3 | 2 // WriteRequest.timeseries, a message
	tagLabel      = 1<<3 | 2 // TimeSeries.labels, a message
	tagSample     = 2<<3 | 2 // TimeSeries.samples, a message
	tagName       = 1<<3 | 2 // Label.name, a string
	tagValue      = 2<<3 | 2 // Label.value, a string
	tagSampleV    = 1<<3 | 1 // Sample.value, a double
	tagSampleT    = 2<<3 | 0 // Sample.timestamp, a varint
)

// seriesSet holds the labels of a set of series, already in wire format:
// the encoder copies them into every request without looking at them.
// It is immutable once built and safe for concurrent use.
type seriesSet struct {
	buf []byte // the Label fields of every series, one after the other
	off []int  // series i is buf[off[i]:off[i+1]]
}

// newSeriesSet encodes the labels of series, adding name="value" to each
// when name is not empty. The labels stay sorted by name.
func newSeriesSet(series []labels.Labels, name, value string) *seriesSet {
	s := &seriesSet{off: make([]int, 1, len(series)+1)}
	b := labels.NewBuilder(labels.EmptyLabels())
	for _, ls := range series {
		if name != "" {
			b.Reset(ls)
			ls = b.Set(name, value).Labels()
		}
		ls.Range(func(l labels.Label) { s.buf = appendLabel(s.buf, l.Name, l.Value) })
		s.off = append(s.off, len(s.buf))
	}
	return s
}

// Len returns the number of series.
func (s *seriesSet) Len() int { return len(s.off) - 1 }

// labels returns the wire-format labels of series i.
func (s *seriesSet) labels(i int) []byte { return s.buf[s.off[i]:s.off[i+1]] }

// appendLabel appends one TimeSeries.labels field.
func appendLabel(dst []byte, name, value string) []byte {
	n := 1 + uvarintLen(len(name)) + len(name) + 1 + uvarintLen(len(value)) + len(value)
	dst = append(dst, tagLabel)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = append(dst, tagName)
	dst = binary.AppendUvarint(dst, uint64(len(name)))
	dst = append(dst, name...)
	dst = append(dst, tagValue)
	dst = binary.AppendUvarint(dst, uint64(len(value)))
	return append(dst, value...)
}

// appendRequest appends the WriteRequest body (before compression) of
// series lo to hi-1 of set at the steps of w: series i has the samples
// (w.ts[j], w.vals[j][i]) for every j. It does not allocate when dst has
// room.
func appendRequest(dst []byte, set *seriesSet, lo, hi int, w *window) []byte {
	for i := lo; i < hi; i++ {
		lbls := set.labels(i)
		n := len(lbls)
		for _, t := range w.ts {
			n += 1 + 1 + sampleLen(t)
		}
		dst = append(dst, tagTimeSeries)
		dst = binary.AppendUvarint(dst, uint64(n))
		dst = append(dst, lbls...)
		for j, t := range w.ts {
			dst = appendSample(dst, t, w.vals[j][i])
		}
	}
	return dst
}

// appendSample appends one TimeSeries.samples field.
func appendSample(dst []byte, t int64, v float64) []byte {
	dst = append(dst, tagSample, byte(sampleLen(t)), tagSampleV)
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	dst = append(dst, tagSampleT)
	return binary.AppendUvarint(dst, uint64(t))
}

// sampleLen returns the length of an encoded Sample message (at most 20,
// so its own length fits one byte).
func sampleLen(t int64) int { return 1 + 8 + 1 + uvarintLen(int(t)) }

// uvarintLen returns the length of the varint encoding of uint64(v).
func uvarintLen(v int) int {
	n := 1
	for u := uint64(v); u >= 0x80; u >>= 7 {
		n++
	}
	return n
}
