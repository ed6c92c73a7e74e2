package tsdb

import (
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// Sample is one float value at a timestamp in milliseconds since the epoch.
type Sample struct {
	T int64
	V float64
}

// Batch is one write request, decoded and validated: a list of series, each
// with its samples in the order they arrived. The decoders in ingest fill it
// and DB.AppendBatch stores it.
//
// A Batch is meant to be reused: Reset keeps every slice it has grown, so a
// pooled Batch reaches a steady state with no allocation per request.
type Batch struct {
	Series []BatchSeries

	// Resolve returns the labels of Series[i] when its Ref names no series
	// of the head any more (the series was dropped after a cut while its
	// sender was silent). It is required when some series have a Ref and
	// no Labels; AppendBatch calls it rarely, with the head's locks held.
	Resolve func(i int) (labels.Labels, error)
}

// BatchSeries is one series of a Batch. Labels are sorted by name, have valid
// names, no duplicate names and no empty values.
//
// Ref, when not zero, is what an earlier AppendBatch of the same DB
// reported for these labels: the series is then found by its reference
// alone, and Labels may be empty (see Batch.Resolve). References are
// valid for the DB that reported them only (and survive its restarts);
// one from another DB would name another series. AppendBatch sets Ref of every series it
// stored a sample of, or found, so a caller can remember it.
type BatchSeries struct {
	Labels  labels.Labels
	Ref     storage.SeriesRef
	Samples []Sample
}

// Reset empties the batch and keeps its memory for the next request.
func (b *Batch) Reset() {
	b.Series = b.Series[:0]
}

// Next extends the batch by one series and returns it, reusing the memory of
// a series that an earlier request left behind. The caller sets Labels and
// appends to Samples.
func (b *Batch) Next() *BatchSeries {
	if len(b.Series) < cap(b.Series) {
		b.Series = b.Series[:len(b.Series)+1]
	} else {
		b.Series = append(b.Series, BatchSeries{})
	}
	s := &b.Series[len(b.Series)-1]
	s.Labels, s.Ref = labels.EmptyLabels(), 0
	s.Samples = s.Samples[:0]
	return s
}

// Samples returns the number of samples in the batch.
func (b *Batch) Samples() int {
	n := 0
	for i := range b.Series {
		n += len(b.Series[i].Samples)
	}
	return n
}

// AppendResult says what DB.AppendBatch did with each sample of a batch.
// Rejections follow Prometheus: a sample older than its series' newest one is
// out of order; a sample at the newest timestamp with another value is a
// conflict; the same sample sent twice is a duplicate and is not an error.
type AppendResult struct {
	Appended   int   // samples stored
	Duplicates int   // identical to a stored sample; ignored, not an error
	OutOfOrder int   // older than the newest sample of the series; rejected
	Conflicts  int   // same timestamp as the newest sample, other value; rejected
	FirstError error // the first rejection, naming its series and timestamp; nil when none
}

// Rejected returns the number of samples that were not stored and are errors.
func (r AppendResult) Rejected() int {
	return r.OutOfOrder + r.Conflicts
}
