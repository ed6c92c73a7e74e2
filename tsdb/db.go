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
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/block"
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
	// Retention is how long samples are kept: a block is deleted once its
	// newest sample is older than Now()-Retention. 0 keeps them forever.
	Retention time.Duration
	// RetentionSize caps the bytes on disk of the blocks and the WAL
	// segments (not the head checkpoint): the oldest blocks are deleted
	// until they fit. The head is never dropped.
	// 0 means no limit.
	RetentionSize int64
	// BlockDuration is the time range of the blocks the head is cut into,
	// aligned to multiples of it. Compaction merges them into blocks of 6×
	// and 24× this range. Default: 2h.
	BlockDuration time.Duration
	// OutOfOrderWindow accepts a sample older than its series' newest one
	// by at most this much (and not older than the newest block). 0, the
	// default, rejects every out-of-order sample. At most BlockDuration/2.
	OutOfOrderWindow time.Duration
	// Logger receives the store's logs. Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the store's metrics. Default: none are registered.
	Registerer prometheus.Registerer
	// Now is the clock, for retention. Default: time.Now.
	Now func() time.Time

	// noMaintenance keeps Open from starting the maintenance loop: the
	// package's tests call maintain when they mean it, so that a pass at
	// a random moment cannot cut or compact under them.
	noMaintenance bool
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
	if o.RetentionSize < 0 {
		errs = append(errs, fmt.Errorf("tsdb options: RetentionSize is %d; use 0 (no limit) or a positive number of bytes", o.RetentionSize))
	}
	errs = append(errs, o.validateBlocks()...)
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
	if o.BlockDuration == 0 {
		o.BlockDuration = DefaultBlockDuration
	}
	return o
}

// DefaultBlockDuration is the block range when Options.BlockDuration is 0.
const DefaultBlockDuration = 2 * time.Hour

// validateBlocks checks the block duration and the out-of-order window.
func (o Options) validateBlocks() []error {
	var errs []error
	if o.BlockDuration < 0 || o.BlockDuration%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("tsdb options: BlockDuration is %v; use a positive whole number of milliseconds, or 0 for the default %v", o.BlockDuration, DefaultBlockDuration))
	}
	bd := o.BlockDuration
	if bd == 0 {
		bd = DefaultBlockDuration
	}
	if o.OutOfOrderWindow < 0 || o.OutOfOrderWindow > bd/2 {
		errs = append(errs, fmt.Errorf("tsdb options: OutOfOrderWindow is %v; use 0 (reject out-of-order samples) up to half the block duration (%v)", o.OutOfOrderWindow, bd/2))
	}
	return errs
}

// DB is Vigil's time-series store: immutable blocks on disk and a sharded
// in-memory head in front of a write-ahead log. It is safe for concurrent
// use. The package documentation describes its design.
type DB struct {
	opts    Options
	logger  *slog.Logger
	head    *head
	wal     *wal.Log
	lock    *dirLock // held on Dir from Open to Close
	metrics *dbMetrics

	blocks          blockSet
	walAtCheckpoint atomic.Int64 // WAL bytes when the last checkpoint was written

	// maintainMu serializes the work that changes the blocks or the WAL's
	// beginning: cuts, flushes, checkpoints, compactions and retention.
	maintainMu sync.Mutex

	// closeMu makes Close wait for the appends in flight; closed is set
	// under its write lock.
	closeMu sync.RWMutex
	closed  bool

	readers readerEpochs // head queriers, which a cut waits for before it truncates

	stop     chan struct{} // closed by Close to stop the maintenance loop
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// Open opens (or creates) the store in opts.Dir: it opens the blocks (a
// corrupt one is moved to Dir/quarantine and logged), loads the newest head
// checkpoint and replays the WAL after it before it returns. It locks the
// directory first, until Close: while one DB has it open, another Open of
// it, from this process or another, fails at once with an error wrapping
// ErrLocked. It starts the maintenance loop (cuts, compaction, retention),
// which Close stops.
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
	db.head.oooWindow = opts.OutOfOrderWindow.Milliseconds()
	db.metrics = newDBMetrics(db)
	if err := db.registerMetrics(); err != nil {
		return nil, errors.Join(err, lock.release())
	}
	if err := db.load(); err != nil {
		db.unregisterMetrics()
		return nil, errors.Join(err, db.blocks.closeAll(), lock.release())
	}
	db.walAtCheckpoint.Store(db.wal.Size())
	if !opts.noMaintenance {
		db.wg.Go(func() { db.runMaintenance(db.stop, maintenanceInterval) })
	}
	return db, nil
}

// load opens the blocks, then restores the head from the newest checkpoint
// and the WAL segments after it. Samples older than the newest block are in
// blocks already, so the head refuses them on replay and drops the ones a
// checkpoint older than the block still holds (a crash between a cut and
// its checkpoint leaves such a checkpoint): a sample is never counted twice.
func (db *DB) load() error {
	if err := db.openBlocks(); err != nil {
		return err
	}
	blocksMaxT, haveBlocks := db.blocks.maxTime()
	if haveBlocks {
		db.head.setMinValidTime(blocksMaxT + 1)
	}
	segment, ok, err := db.head.loadCheckpoint(db.walDir())
	if err != nil {
		return fmt.Errorf("open wal %s: load head checkpoint: %w", db.walDir(), err)
	}
	replayFrom := 0
	if ok {
		replayFrom = segment
	}
	if err := db.openWAL(replayFrom); err != nil {
		return err
	}
	if haveBlocks {
		db.head.truncateBefore(blocksMaxT + 1)
	}
	return nil
}

// walDir is where the WAL and the head checkpoints live.
func (db *DB) walDir() string { return filepath.Join(db.opts.Dir, "wal") }

// openWAL opens the WAL, replaying its segments from replayFrom into the head.
func (db *DB) openWAL(replayFrom int) error {
	dir := db.walDir()
	r := newReplayer(db.head)
	w, err := wal.Open(dir, wal.Options{
		SyncInterval: db.opts.WALSyncInterval,
		Logger:       db.logger,
		Registerer:   db.opts.Registerer,
		ReplayFrom:   replayFrom,
	}, r.record)
	if err != nil {
		return fmt.Errorf("open wal %s: %w", dir, err)
	}
	r.finish(db.logger)
	db.wal = w
	return nil
}

// AppendBatch stores a batch: it validates every sample against its series'
// newest one, writes the new series and the accepted samples to the WAL
// before any of them becomes visible, then appends them to the head. When
// the sync interval is 0 it returns only once the WAL is fsynced up to the
// batch's records, sharing the fsync with the batches in flight (group
// commit; see the package doc). The error is a storage failure: after a WAL
// write error nothing of the batch is stored; after an fsync error the
// batch stays in the head though the call fails, and the WAL takes no more
// writes. Rejected samples are counted in the result instead, and
// FirstError (a *SampleError) names the first. The batch is not retained
// after the call. Appending samples of known series does not allocate.
func (db *DB) AppendBatch(b *Batch) (AppendResult, error) {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return AppendResult{}, ErrClosed
	}
	return db.head.appendBatch(b, db.wal)
}

// Querier returns a querier over [mint, maxt] (inclusive, ms) that merges
// the blocks overlapping the range with the head. *DB is a
// storage.Queryable.
func (db *DB) Querier(mint, maxt int64) (storage.Querier, error) {
	db.closeMu.RLock()
	defer db.closeMu.RUnlock()
	if db.closed {
		return nil, ErrClosed
	}
	release := db.readers.enter()
	q, err := db.blocks.querier(mint, maxt, &querier{h: db.head, mint: mint, maxt: maxt})
	if err != nil {
		release()
		return nil, err
	}
	return &readerQuerier{Querier: q, release: release}, nil
}

// NumSeries returns the number of series in the head.
func (db *DB) NumSeries() int {
	return int(db.head.numSeries.Load())
}

// Blocks returns the metas of the blocks, oldest first.
func (db *DB) Blocks() []block.Meta {
	return db.blocks.metas()
}

// Close stops the maintenance loop (cancelling a compaction in progress),
// waits for a Flush or Compact in progress and for the appends in flight,
// writes a head checkpoint (so the next Open need not replay the WAL),
// syncs and closes the WAL, closes the blocks, unregisters the metrics and
// releases the directory lock. Later calls return ErrClosed.
func (db *DB) Close() error {
	db.stopOnce.Do(func() { close(db.stop) })
	db.wg.Wait()
	// Flush and Compact hold maintainMu while they work and take closeMu
	// only to check for Close: the same order as here.
	db.maintainMu.Lock()
	defer db.maintainMu.Unlock()
	db.closeMu.Lock()
	defer db.closeMu.Unlock()
	if db.closed {
		return ErrClosed
	}
	db.closed = true
	var errs []error
	if err := db.checkpoint(); err != nil {
		errs = append(errs, err)
	}
	db.unregisterMetrics()
	if err := db.wal.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close wal: %w", err))
	}
	errs = append(errs, db.blocks.closeAll(), db.lock.release())
	return errors.Join(errs...)
}

var _ storage.Queryable = (*DB)(nil)
