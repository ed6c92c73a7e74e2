package tsdb

import (
	"errors"
	"fmt"

	"github.com/prometheus/prometheus/model/labels"
)

// ErrClosed is returned by a DB that has been closed.
var ErrClosed = errors.New("tsdb: closed")

// SampleError is the rejection of one sample, as AppendResult.FirstError
// reports it. Err is storage.ErrOutOfOrderSample or an error that
// errors.Is(err, storage.ErrDuplicateSampleForTimestamp) recognises, and
// SampleError unwraps to it.
type SampleError struct {
	Labels  labels.Labels // the series (the store's copy; safe to keep)
	T       int64         // timestamp of the rejected sample, ms
	NewestT int64         // timestamp of the series' newest sample, ms
	Err     error
}

// Error names the series, the timestamp and the reason.
func (e *SampleError) Error() string {
	return fmt.Sprintf("series %s, sample at %d (newest stored at %d): %v", e.Labels, e.T, e.NewestT, e.Err)
}

// Unwrap returns the reason, for errors.Is.
func (e *SampleError) Unwrap() error { return e.Err }
