package tsdb

import (
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/wal"
)

// Options configure a DB. The zero value of every field but Dir is usable.
type Options struct {
	// Dir is the data directory; it holds the WAL (Dir/wal). Required.
	Dir string
	// Shards is the number of head shards, a power of two up to 65536.
	// Default: the smallest power of two ≥ 4×GOMAXPROCS.
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

// Validate reports every problem with the options, joined.
func (o Options) Validate() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, errors.New("tsdb options: Dir is required"))
	}
	if o.Shards < 0 || o.Shards > maxShards || bits.OnesCount(uint(o.Shards)) > 1 {
		errs = append(errs, fmt.Errorf("tsdb options: Shards is %d; use a power of two up to %d, or 0 for the default", o.Shards, maxShards))
	}
	if o.WALSyncInterval < 0 {
		errs = append(errs, fmt.Errorf("tsdb options: WALSyncInterval is %v; use 0 (fsync every batch) or a positive interval", o.WALSyncInterval))
	}
	if o.Retention < 0 {
		errs = append(errs, fmt.Errorf("tsdb options: Retention is %v; use 0 (keep forever) or a positive duration", o.Retention))
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields with their defaults.
func (o Options) withDefaults() Options {
	if o.Shards == 0 {
		o.Shards = 1 << bits.Len(uint(4*runtime.GOMAXPROCS(0)-1))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// DB is Vigil's time-series store: a sharded in-memory head in front of a
// write-ahead log. It is safe for concurrent use. The package documentation
// describes its design.
type DB struct {
	opts   Options
	logger *slog.Logger
	head   *head
	wal    *wal.Log
	lock   *dirLock // held on Dir from Open to Close

	// closeMu makes Close wait for the appends in flight; closed is set
	// under its write lock.
	closeMu sync.RWMutex
	closed  bool

	stop chan struct{} // closed by Close to stop the retention loop
	wg   sync.WaitGroup
}

// Open opens (or creates) the store in opts.Dir and replays its WAL before it
// returns. It locks the directory first, until Close: while one DB has it
// open, another Open of it, from this process or another, fails at once with
// an error wrapping ErrLocked. With Retention > 0 it starts the retention
// loop, which Close stops.
func Open(opts Options) (*DB, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", opts.Dir, err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	db := &DB{opts: opts, logger: opts.Logger, head: newHead(opts.Shards), lock: lock, stop: make(chan struct{})}
	if err := db.head.metrics.register(opts.Registerer); err != nil {
		return nil, errors.Join(err, lock.release())
	}
	if err := db.openWAL(); err != nil {
		db.head.metrics.unregister(opts.Registerer)
		return nil, errors.Join(err, lock.release())
	}
	if opts.Retention > 0 {
		db.wg.Add(1)
		go func() {
			defer db.wg.Done()
			db.runRetention(db.stop, retentionInterval)
		}()
	}
	return db, nil
}

// openWAL opens the WAL, replaying it into the head.
func (db *DB) openWAL() error {
	dir := filepath.Join(db.opts.Dir, "wal")
	r := newReplayer(db.head)
	w, err := wal.Open(dir, wal.Options{
		SyncInterval: db.opts.WALSyncInterval,
		Logger:       db.logger,
		Registerer:   db.opts.Registerer,
	}, r.record)
	if err != nil {
		return fmt.Errorf("open wal %s: %w", dir, err)
	}
	r.finish(db.logger)
	db.wal = w
	return nil
}

// AppendBatch stores a batch: it validates every sample against its series'
// newest one, writes the new series and the accepted samples to the WAL (and
// fsyncs when the sync interval is 0) before any of them becomes visible,
// then appends them to the head. The error is a storage failure, after which
// nothing of the batch is stored; rejected samples are counted in the result
// instead, and FirstError (a *SampleError) names the first. The batch is not
// retained after the call. Appending samples of known series does not
// allocate.
func (db *DB) AppendBatch(b *Batch) (AppendResult, error) {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return AppendResult{}, ErrClosed
	}
	return db.head.appendBatch(b, db.wal)
}

// Querier returns a querier over [mint, maxt] (inclusive, ms). *DB is a
// storage.Queryable.
func (db *DB) Querier(mint, maxt int64) (storage.Querier, error) {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return nil, ErrClosed
	}
	return &querier{h: db.head, mint: mint, maxt: maxt}, nil
}

// NumSeries returns the number of series in the head.
func (db *DB) NumSeries() int {
	return int(db.head.numSeries.Load())
}

// Close waits for the appends in flight, stops the retention loop, syncs and
// closes the WAL, unregisters the metrics and releases the directory lock.
// Later calls return ErrClosed.
func (db *DB) Close() error {
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	if db.closed {
		return ErrClosed
	}
	db.closed = true
	close(db.stop)
	db.wg.Wait()
	db.head.metrics.unregister(db.opts.Registerer)
	var walErr error
	if err := db.wal.Close(); err != nil {
		walErr = fmt.Errorf("close wal: %w", err)
	}
	return errors.Join(walErr, db.lock.release())
}

var _ storage.Queryable = (*DB)(nil)
