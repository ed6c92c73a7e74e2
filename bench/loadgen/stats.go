package loadgen

import (
	"sync"
	"sync/atomic"
)

// stats counts what the workers sent. It is safe for concurrent use.
type stats struct {
	requests     atomic.Int64 // HTTP requests sent, retries included
	samples      atomic.Int64 // samples of the requests, each counted once
	accepted     atomic.Int64 // samples the server took
	failed       atomic.Int64 // requests given up on
	failedSmpl   atomic.Int64 // samples of the requests given up on, not stored
	throttled    atomic.Int64 // 429 answers
	serverErrors atomic.Int64 // 5xx answers
	retries      atomic.Int64 // requests sent again
	firstErr     errOnce
}

// errOnce keeps the first error it is given.
type errOnce struct {
	mu  sync.Mutex
	err error
}

// set records err if it is the first.
func (e *errOnce) set(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
}

// get returns the first error, or nil.
func (e *errOnce) get() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// Counts are what was pushed in one phase of a run.
type Counts struct {
	// SamplesSent is the samples in the requests sent, each counted once
	// however often its request was retried.
	SamplesSent int64 `json:"samples_sent"`
	// SamplesAccepted is the samples the server took: all those of a 2xx
	// answer, or the count in its X-Prometheus-Remote-Write-Samples-Written
	// header when it has one (a 400 may have stored some).
	SamplesAccepted int64 `json:"samples_accepted"`
	// SamplesFailed is the samples of the requests given up on, less those
	// their last answer counted as stored.
	SamplesFailed int64 `json:"samples_failed"`
	// Requests is the HTTP requests sent, retries included.
	Requests int64 `json:"requests"`
	// Errors is the requests given up on: a 4xx answer other than 429, or
	// no success after the retries.
	Errors int64 `json:"errors"`
	// Throttled is the 429 answers.
	Throttled int64 `json:"throttled"`
	// ServerErrors is the 5xx answers.
	ServerErrors int64 `json:"server_errors"`
	// Retries is the requests sent again after a 429, a 5xx or a connection error.
	Retries int64 `json:"retries"`
	// FirstError describes the first request given up on, if any.
	FirstError string `json:"first_error,omitempty"`
}

// counts returns a snapshot of the counters.
func (s *stats) counts() Counts {
	c := Counts{SamplesSent: s.samples.Load(), SamplesAccepted: s.accepted.Load(), SamplesFailed: s.failedSmpl.Load(),
		Requests: s.requests.Load(), Errors: s.failed.Load(), Throttled: s.throttled.Load(),
		ServerErrors: s.serverErrors.Load(), Retries: s.retries.Load()}
	if err := s.firstErr.get(); err != nil {
		c.FirstError = err.Error()
	}
	return c
}
