package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Flusher cuts the store's in-memory head into a durable block. Flush
// returns once the block is on disk, with what it holds, or nil when the
// head held no sample. An *Error in the chain of its error sets the answer's
// type (ErrorUnavailable for a closed store, say); a canceled context is
// ErrorCanceled; anything else is ErrorInternal. cmd/vigil adapts the
// store to it, so that this package knows nothing of the store.
type Flusher interface {
	Flush(ctx context.Context) (*Block, error)
}

// Block describes a block a flush wrote, as POST /api/v1/admin/flush
// answers it. Times are Unix milliseconds, inclusive.
type Block struct {
	ID         string `json:"id"`
	MinTime    int64  `json:"minTime"`
	MaxTime    int64  `json:"maxTime"`
	NumSeries  uint64 `json:"numSeries"`
	NumSamples uint64 `json:"numSamples"`
	Level      int    `json:"level"` // 1: cut from the head
}

// flushData is the data of a flush answer; Block is null when the head
// was empty.
type flushData struct {
	Block *Block `json:"block"`
}

// errAdminDisabled answers an admin endpoint when Options.Flusher is nil.
var errAdminDisabled = &Error{Type: ErrorUnavailable, Err: errors.New("admin APIs are disabled; enable them with server.enable_admin_api: true")}

// flush serves POST /api/v1/admin/flush: it cuts the head into a block and
// answers once the block is durable.
func (a *API) flush(r *http.Request) result {
	if a.flusher == nil {
		return result{err: errAdminDisabled}
	}
	b, err := a.flusher.Flush(r.Context())
	if err != nil {
		return result{err: flushError(err)}
	}
	return result{data: flushData{Block: b}}
}

// flushError classifies a failed flush and says what failed.
func flushError(err error) *Error {
	typ, cause := ErrorInternal, err
	if e, ok := errors.AsType[*Error](err); ok && e.Type != "" {
		typ, cause = e.Type, e.Err
	} else if errors.Is(err, context.Canceled) {
		typ = ErrorCanceled
	}
	return &Error{Type: typ, Err: fmt.Errorf("flush head: %w", cause)}
}
