package ingest

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultMaxBodyBytes is the default of Options.MaxBodyBytes: 32 MiB.
const DefaultMaxBodyBytes = 32 << 20

// MaxBodyBytesLimit is the largest Options.MaxBodyBytes: 1 GiB. A request
// alone on the server is always served, however large, and a push decodes
// to several times its size in memory, so a larger limit would let one
// request take the server's memory.
const MaxBodyBytesLimit = 1 << 30

// DefaultMaxInflightBytes is the default of Options.MaxInflightBytes: 64 MiB.
const DefaultMaxInflightBytes = 64 << 20

// DefaultMaxInflightRequests returns the default of
// Options.MaxInflightRequests: 16 per GOMAXPROCS, at least 64. Requests are
// mostly waiting (for their body, or for the WAL's group commit), so the
// bound is well above the cores; 64 leaves room for Prometheus' default of
// at most 50 remote-write shards per sender.
func DefaultMaxInflightRequests() int {
	return max(64, 16*runtime.GOMAXPROCS(0))
}

// Options configure a Handler. The zero value is usable.
type Options struct {
	// MaxBodyBytes limits the size of a request body, both as sent and once
	// decompressed (snappy or gzip); a larger request is answered 413.
	// Default (0): DefaultMaxBodyBytes; at most MaxBodyBytesLimit.
	MaxBodyBytes int64
	// MaxInflightRequests bounds the push requests served at once; one more
	// is answered 429 with Retry-After: 1 before its body is read. Default
	// (0): DefaultMaxInflightRequests(). There is no "unlimited": set a large
	// number instead.
	MaxInflightRequests int
	// MaxInflightBytes bounds the request bodies held at once, counted as
	// sent and once decompressed; a request that would go past it is
	// answered 429 with Retry-After: 1, before its body is read when it has
	// a Content-Length. A request alone on the server is always served, so
	// a value below twice MaxBodyBytes slows big requests down rather than
	// refusing them. Default (0): DefaultMaxInflightBytes.
	MaxInflightBytes int64
	// SeriesCacheEntries bounds the series cache, which maps the raw label
	// bytes of known series to their reference in the store so that their
	// labels are not decoded again: each of its two generations holds at
	// most this many entries, 35–56 bytes each (3.3 MiB for 100k series;
	// at most ~90 MiB with the default, reached only when more label
	// encodings than that come in one generation's life). Default (0):
	// DefaultSeriesCacheEntries; negative: no cache.
	SeriesCacheEntries int
	// Logger receives the handler's logs. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the vigil_ingest_* metrics. Default: none are
	// registered.
	Registerer prometheus.Registerer
	// Now is the clock: the arrival time of text samples without a
	// timestamp, and request durations. Default: time.Now.
	Now func() time.Time
}

// Validate reports options that cannot be used.
func (o Options) Validate() error {
	var errs []error
	if o.MaxBodyBytes < 0 || o.MaxBodyBytes > MaxBodyBytesLimit {
		errs = append(errs, fmt.Errorf("ingest: max body bytes is %d; want 0 (default %d) to %d", o.MaxBodyBytes, DefaultMaxBodyBytes, MaxBodyBytesLimit))
	}
	if o.MaxInflightRequests < 0 {
		errs = append(errs, fmt.Errorf("ingest: max in-flight requests is %d; want 0 (default %d) or more", o.MaxInflightRequests, DefaultMaxInflightRequests()))
	}
	if o.MaxInflightBytes < 0 {
		errs = append(errs, fmt.Errorf("ingest: max in-flight bytes is %d; want 0 (default %d) or more", o.MaxInflightBytes, DefaultMaxInflightBytes))
	}
	return errors.Join(errs...)
}

// withDefaults fills in the defaults of unset fields.
func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	o.MaxBodyBytes = min(o.MaxBodyBytes, MaxBodyBytesLimit)
	if o.MaxInflightRequests <= 0 {
		o.MaxInflightRequests = DefaultMaxInflightRequests()
	}
	if o.MaxInflightBytes <= 0 {
		o.MaxInflightBytes = DefaultMaxInflightBytes
	}
	if o.SeriesCacheEntries == 0 {
		o.SeriesCacheEntries = DefaultSeriesCacheEntries
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
