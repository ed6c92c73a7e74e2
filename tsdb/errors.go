package tsdb

import (
	"errors"
	"fmt"
	"math"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// ErrClosed is returned by a DB that has been closed.
var ErrClosed = errors.New("tsdb: closed")

// SampleError is the rejection of one sample, as AppendResult.FirstError
// reports it. Err is storage.ErrOutOfOrderSample, storage.ErrOutOfBounds
// (older than the newest block) or an error that errors.Is(err,
// storage.ErrDuplicateSampleForTimestamp) recognises, and SampleError
// unwraps to it.
type SampleError struct {
	Labels  labels.Labels // the series (the store's copy; safe to keep)
	T       int64         // timestamp of the rejected sample, ms
	NewestT int64         // timestamp of the series' newest sample, ms; math.MinInt64 when it has none
	Err     error
}

// Error names the series, the timestamp and the reason.
func (e *SampleError) Error() string {
	reason := e.Err.Error()
	if errors.Is(e.Err, storage.ErrOutOfBounds) {
		reason += " (older than the newest block)"
	}
	if e.NewestT == math.MinInt64 { // a series with no sample in the head
		return fmt.Sprintf("series %s, sample at %d: %s", e.Labels, e.T, reason)
	}
	return fmt.Sprintf("series %s, sample at %d (newest stored at %d): %s", e.Labels, e.T, e.NewestT, reason)
}

// Unwrap returns the reason, for errors.Is.
func (e *SampleError) Unwrap() error { return e.Err }
