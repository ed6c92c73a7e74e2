package ingest

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/klauspost/compress/snappy"
)

// admission bounds what the push endpoints hold at once: the requests being
// served and the bytes of their bodies. A request that would go past either
// bound is refused with ErrOverloaded (429) instead of growing memory.
//
// Bytes are reserved as they become known: the Content-Length before the
// body is read (or the bytes as they are read when there is none), then the
// decompressed size (from the snappy header, or as gzip is read). A request
// alone on the server is always let through, so one request larger than
// MaxInflightBytes is slow rather than refused for ever; memory is then
// bounded by the larger of MaxInflightBytes and one request (at most twice
// MaxBodyBytes).
//
// It is safe for concurrent use; its counters are the only state.
type admission struct {
	maxRequests, maxBytes int64
	requests, bytes       atomic.Int64
}

func newAdmission(maxRequests, maxBytes int64) *admission {
	return &admission{maxRequests: maxRequests, maxBytes: maxBytes}
}

// acquire takes a request slot, or returns ErrOverloaded when all
// maxRequests are taken. A nil error must be paired with release.
func (a *admission) acquire() error {
	if n := a.requests.Add(1); n > a.maxRequests {
		a.requests.Add(-1)
		return fmt.Errorf("%w: %d push requests are in flight, the limit (ingest.max_inflight_requests); retry later",
			ErrOverloaded, a.maxRequests)
	}
	return nil
}

// release gives back a request slot and the bytes it reserved.
func (a *admission) release(reserved int64) {
	a.bytes.Add(-reserved)
	a.requests.Add(-1)
}

// reserve adds n bytes to the request whose reservation so far is *own, or
// returns ErrOverloaded when that would take the total past maxBytes and
// other requests hold bytes too.
func (a *admission) reserve(own *int64, n int64) error {
	if n <= 0 {
		return nil
	}
	for {
		cur := a.bytes.Load()
		if cur+n > a.maxBytes && cur > *own {
			return fmt.Errorf("%w: %d bytes of push requests are in flight and this one needs %d more, over the limit of %d (ingest.max_inflight_bytes); retry later",
				ErrOverloaded, cur, n, a.maxBytes)
		}
		if a.bytes.CompareAndSwap(cur, cur+n) {
			*own += n
			return nil
		}
	}
}

// inflight returns the requests and bytes in flight, for the metrics.
func (a *admission) inflight() (requests, bytes int64) {
	return a.requests.Load(), a.bytes.Load()
}

// meteredReader reserves the bytes read through it, for bodies whose size
// is not known in advance: a body without Content-Length, or gzip output.
// A refused reservation ends the read with ErrOverloaded.
type meteredReader struct {
	r   io.Reader
	adm *admission
	own *int64
}

func (m *meteredReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if rerr := m.adm.reserve(m.own, int64(n)); rerr != nil {
		return n, rerr
	}
	return n, err
}

// snappyLen returns the decompressed length of a snappy block, or 0 when
// the header is malformed (the decoder then says why).
func snappyLen(body []byte) int64 {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return 0
	}
	return int64(n)
}
