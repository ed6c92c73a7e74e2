package ingest

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultMaxBodyBytes is the default of Options.MaxBodyBytes: 32 MiB.
const DefaultMaxBodyBytes = 32 << 20

// Options configure a Handler. The zero value is usable.
type Options struct {
	// MaxBodyBytes limits the size of a request body, both as sent and once
	// decompressed (snappy or gzip); a larger request is answered 413.
	// Default (0): DefaultMaxBodyBytes.
	MaxBodyBytes int64
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
	if o.MaxBodyBytes < 0 {
		return fmt.Errorf("ingest: max body bytes is %d; want 0 (default %d) or more", o.MaxBodyBytes, DefaultMaxBodyBytes)
	}
	return nil
}

// withDefaults fills in the defaults of unset fields.
func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
