package tsdb

// TEMPORARY CONTRACT STUB: the tsdb helper replaces this file with the real
// implementation. It exists so ingest, query and cmd compile against the API.

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/storage"
)

// Options configure a DB. The zero value of every field but Dir is usable.
type Options struct {
	// Dir is the data directory; it holds the WAL (Dir/wal). Required.
	Dir string
	// Shards is the number of head shards, a power of two. Default: the
	// smallest power of two ≥ 4×GOMAXPROCS.
	Shards int
	// WALSyncInterval is how often the WAL is fsynced. 0 means fsync after
	// every batch, before AppendBatch returns ("wal_sync: always").
	WALSyncInterval time.Duration
	// Retention is how long samples are kept; 0 keeps them forever.
	Retention time.Duration
	// Logger receives the store's logs. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the store's metrics. Default: none are registered.
	Registerer prometheus.Registerer
	// Now is the clock, for retention. Default: time.Now.
	Now func() time.Time
}

// DB is Vigil's time-series store. It is safe for concurrent use.
type DB struct{}

// Open opens (or creates) the store in opts.Dir and replays its WAL before it
// returns.
func Open(opts Options) (*DB, error) { return nil, errors.New("tsdb: not implemented") }

// AppendBatch stores a batch: it writes it to the WAL (and fsyncs it when the
// sync interval is 0) before any sample becomes visible, then appends to the
// head. The error is a storage failure; rejected samples are counted in the
// result instead. The batch is not retained after the call.
func (db *DB) AppendBatch(b *Batch) (AppendResult, error) { return AppendResult{}, nil }

// Querier implements storage.Queryable.
func (db *DB) Querier(mint, maxt int64) (storage.Querier, error) { return nil, nil }

// NumSeries returns the number of series in the head.
func (db *DB) NumSeries() int { return 0 }

// Close flushes and syncs the WAL, stops background work and releases files.
func (db *DB) Close() error { return nil }

var _ storage.Queryable = (*DB)(nil)
var _ = context.Background
