package query

import (
	"context"
	"errors"

	"github.com/prometheus/prometheus/promql"
)

// Kinds of query failure. Every error the Engine returns is an *Error whose
// Kind is one of these, so errors.Is(err, ErrTimeout) tells a timeout apart.
var (
	// ErrBadQuery: the expression, matchers or arguments are invalid (a
	// parse error, a range vector in a range query, end before start).
	ErrBadQuery = errors.New("bad query")
	// ErrTimeout: the query ran past its deadline (Options.Timeout or the
	// caller's context).
	ErrTimeout = errors.New("query timed out")
	// ErrCanceled: the caller's context was canceled.
	ErrCanceled = errors.New("query canceled")
	// ErrTooManySamples: the query would hold more than Options.MaxSamples
	// samples in memory.
	ErrTooManySamples = errors.New("query loads too many samples")
	// ErrStorage: the store failed to answer.
	ErrStorage = errors.New("storage failure")
	// ErrExecution: the expression is valid but cannot be evaluated on this
	// data (for example, many-to-many matching in a binary operation).
	ErrExecution = errors.New("query execution error")
)

// Error is a failed query: Kind is one of the sentinels above, Err the cause.
// Its message is the cause's alone, exactly as the promql engine or the store
// wrote it, so that an API can show the message Prometheus would.
type Error struct {
	Kind error
	Err  error
}

// Error returns the cause's message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the kind and the cause, so that errors.Is and errors.As see
// both (errors.Is(err, ErrTimeout), errors.As(err, &promql.ErrQueryTimeout)).
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// newError wraps err as a failure of the given kind.
func newError(kind, err error) *Error { return &Error{Kind: kind, Err: err} }

// constructionError classifies an error from building a query (parsing and
// validating the expression): nearly always a bad query.
func constructionError(err error) error {
	if _, ok := errors.AsType[promql.ErrQueryTimeout](err); ok {
		return newError(ErrTimeout, err)
	}
	if _, ok := errors.AsType[promql.ErrQueryCanceled](err); ok {
		return newError(ErrCanceled, err)
	}
	return newError(ErrBadQuery, err)
}

// execError classifies an error from evaluating a query, in the order
// Prometheus' HTTP API checks them.
func execError(err error) error {
	if kind := contextKind(err); kind != nil {
		return newError(kind, err)
	}
	if _, ok := errors.AsType[promql.ErrTooManySamples](err); ok {
		return newError(ErrTooManySamples, err)
	}
	if _, ok := errors.AsType[promql.ErrStorage](err); ok {
		return newError(ErrStorage, err)
	}
	return newError(ErrExecution, err)
}

// storageError classifies an error from reading the store directly (series
// and label lookups): a context error is a timeout or cancellation, anything
// else a storage failure.
func storageError(err error) error {
	if kind := contextKind(err); kind != nil {
		return newError(kind, err)
	}
	return newError(ErrStorage, err)
}

// contextKind returns ErrCanceled or ErrTimeout when err says the query's
// context ended, and nil otherwise.
func contextKind(err error) error {
	if _, ok := errors.AsType[promql.ErrQueryCanceled](err); ok {
		return ErrCanceled
	}
	if _, ok := errors.AsType[promql.ErrQueryTimeout](err); ok {
		return ErrTimeout
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ErrCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return ErrTimeout
	}
	return nil
}
