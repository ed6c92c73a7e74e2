package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultSegmentSize is the segment size used when Options.SegmentSize is 0.
const DefaultSegmentSize = 128 << 20

// Options configure a Log. The zero value is usable: 128 MiB segments, an
// fsync inside every Log call, slog.Default() and no metrics.
type Options struct {
	// SegmentSize is the size at which the current segment is closed and the
	// next one started. The records of one Log call always share a segment:
	// a call that does not fit in the rest of the current segment starts a
	// new one, and a call larger than SegmentSize gets a segment of its own.
	// Default (0): DefaultSegmentSize.
	SegmentSize int
	// SyncInterval is how often the log is fsynced. 0 means every Log call
	// (and WaitDurable) returns only after an fsync that covers its
	// records; concurrent calls share fsyncs (group commit). A positive
	// interval leaves Log with one write(2) and lets a background goroutine
	// fsync that often when there were writes; Close stops it and syncs.
	// Default: 0.
	SyncInterval time.Duration
	// Logger receives repair warnings and fsync errors.
	// Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the vigil_wal_* metrics. Default (nil): none are
	// registered.
	Registerer prometheus.Registerer
	// ReplayFrom is the first segment Open replays: segments numbered below
	// it are covered by a checkpoint, so Open removes them without reading
	// them. A gap between ReplayFrom and the first segment left is not
	// corruption; when no segment is left, the log starts at segment
	// ReplayFrom. Default (0): every segment is replayed.
	ReplayFrom int
}

// Validate reports every invalid field at once.
func (o Options) Validate() error {
	var errs []error
	if o.SegmentSize < 0 {
		errs = append(errs, fmt.Errorf("wal segment size %d is negative; use 0 for the default %d", o.SegmentSize, DefaultSegmentSize))
	}
	if o.SyncInterval < 0 {
		errs = append(errs, fmt.Errorf("wal sync interval %s is negative; use 0 to fsync every Log call", o.SyncInterval))
	}
	if o.ReplayFrom < 0 {
		errs = append(errs, fmt.Errorf("wal replay-from segment %d is negative; use 0 to replay every segment", o.ReplayFrom))
	}
	return errors.Join(errs...)
}

// withDefaults returns o with every unset field given its default.
func (o Options) withDefaults() Options {
	if o.SegmentSize == 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
