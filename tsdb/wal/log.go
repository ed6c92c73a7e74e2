package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
)

// maxPooledBuffer caps the encode buffers kept for reuse, so one huge batch
// does not pin its buffer forever.
const maxPooledBuffer = 8 << 20

// Log is an open write-ahead log. All its methods are safe for concurrent
// use.
//
// Writers encode their records outside the lock, each into a pooled buffer,
// then take mu to append the buffer to the current segment with one
// write(2); the write gets the next Position, so positions follow the order
// of the records in the log. Durability is a separate step (group commit,
// see commit.go): in fsync-per-call mode WaitDurable waits until an fsync
// that started after the write has finished, and concurrent waiters share
// fsyncs. Those fsyncs run with mu released, so writes go on during them;
// rolling a segment and Close wait for them, so that no two fsyncs of a
// file run at once. In interval mode a background goroutine does the
// fsyncs the same way.
type Log struct {
	dir       string
	opts      Options
	logger    *slog.Logger
	metrics   *metrics
	maxRecord int                    // MaxRecordSize; lowered by tests
	syncFile  func(f *os.File) error // (*os.File).Sync; replaced by tests
	bufs      sync.Pool              // *[]byte encode buffers

	stop chan struct{} // closed by Close to stop syncLoop; nil in fsync-per-call mode
	done chan struct{} // closed by syncLoop when it returns

	size atomic.Int64 // bytes of all segments on disk, for Size

	mu      sync.Mutex // guards the fields below and writes to seg
	seg     *segment   // the segment being appended to
	written Position   // of the last write
	durable Position   // every write up to it is fsynced
	syncing bool       // an fsync with mu released is in flight
	synced  sync.Cond  // on mu: durable, err or syncing changed
	err     error      // sticky: a failed fsync or an unrepaired partial write
	closed  bool
}

// Open opens the log in dir, creating dir if needed, and replays it: replay
// is called with every intact record in the order they were logged (rec is
// valid only during the call; replay may be nil). A torn or corrupt record is
// not fatal: the log is cut at the end of the last intact record, later
// segments are removed, and a warning is logged. Open fails on I/O errors
// and, wrapped with segment and offset, on an error from replay. Appends then
// continue after the last intact record.
func Open(dir string, opts Options, replay func(rec []byte) error) (*Log, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("create wal dir: %w", err)
	}
	l := &Log{dir: dir, opts: opts, logger: opts.Logger, metrics: m, maxRecord: MaxRecordSize, syncFile: (*os.File).Sync}
	l.synced.L = &l.mu
	l.bufs.New = func() any { return new([]byte) }
	if err := l.openForAppend(replay); err != nil {
		return nil, err
	}
	l.startSync()
	return l, nil
}

// openForAppend replays the log and opens its last segment for appending.
func (l *Log) openForAppend(replay func(rec []byte) error) error {
	last, ok, err := l.replay(replay)
	if err != nil {
		return err
	}
	if !ok {
		l.seg, err = createSegment(l.dir, max(firstSegment, l.opts.ReplayFrom))
		return err
	}
	total, err := segmentsSize(l.dir)
	if err != nil {
		return err
	}
	l.size.Store(total)
	l.seg, err = openSegment(l.dir, last)
	if err == nil && l.seg.size > 0 {
		// The process that wrote it may have died before its fsync: its
		// bytes count as a write not yet durable.
		l.written = 1
	}
	return err
}

// Log appends recs to the log with a single write(2) before it returns, so
// a crash of the process (kill -9) after Log returns loses none of them; a
// machine crash can lose what was not fsynced yet. When Options.SyncInterval
// is 0, Log also waits for an fsync that covers them before returning
// (concurrent calls share fsyncs: see WaitDurable). The records of one call
// land in one segment, in order. A record may be empty; one over
// MaxRecordSize fails with ErrRecordTooLarge and nothing is written. After a
// failed fsync every later call fails: the log cannot know what reached the
// disk. Log does not retain recs and does not allocate in steady state. It
// is Write followed by WaitDurable.
func (l *Log) Log(recs ...[]byte) error {
	if len(recs) == 0 {
		return nil
	}
	pos, err := l.Write(recs...)
	if err != nil {
		return err
	}
	return l.WaitDurable(pos)
}

// Write appends recs to the log, as Log does, but returns without waiting
// for an fsync: it returns the records' Position, to pass to WaitDurable.
// Callers that must log in a given order (the store does so under its shard
// locks) call Write in that order and WaitDurable after releasing their
// locks, so that they neither hold the locks through an fsync nor wait for
// one each. A failed Write wrote nothing. With no records Write writes
// nothing and returns the position of the last write, so waiting on it waits
// for every write before the call.
func (l *Log) Write(recs ...[]byte) (Position, error) {
	if len(recs) == 0 {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.written, nil
	}
	if err := l.checkSizes(recs); err != nil {
		return 0, err
	}
	bp := l.bufs.Get().(*[]byte)
	buf := encodeRecords((*bp)[:0], recs)
	pos, err := l.write(buf, len(recs))
	if cap(buf) <= maxPooledBuffer {
		*bp = buf[:0]
		l.bufs.Put(bp)
	}
	return pos, err
}

// checkSizes rejects a call with a record over the limit.
func (l *Log) checkSizes(recs [][]byte) error {
	for i, r := range recs {
		if len(r) > l.maxRecord {
			return fmt.Errorf("wal record %d of %d is %d bytes, over the %d-byte limit (split the batch): %w",
				i+1, len(recs), len(r), l.maxRecord, ErrRecordTooLarge)
		}
	}
	return nil
}

// write appends the encoded records in buf, n of them, to the current
// segment, rolling it first if they do not fit, and returns their position.
func (l *Log) write(buf []byte, n int) (Position, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return 0, err
	}
	if l.seg.size > 0 && l.seg.size+int64(len(buf)) > int64(l.opts.SegmentSize) {
		if err := l.roll(); err != nil {
			return 0, err
		}
	}
	if err := l.append(buf); err != nil {
		return 0, err
	}
	l.written++
	l.metrics.writes.Inc()
	l.metrics.records.Add(float64(n))
	l.metrics.bytes.Add(float64(len(buf)))
	return l.written, nil
}

// writable returns why the log takes no more writes, if it does not.
func (l *Log) writable() error {
	if l.closed {
		return ErrClosed
	}
	if l.err != nil {
		return fmt.Errorf("wal unusable after an earlier error: %w", l.err)
	}
	return nil
}

// append writes buf at the end of the current segment with one pwrite(2)
// (the runtime splits buffers over 1 GiB). A partial write is
// cut off again, so later records never follow garbage; if even that fails,
// the log stops taking writes.
func (l *Log) append(buf []byte) error {
	s := l.seg
	if _, err := s.f.WriteAt(buf, s.size); err != nil {
		if terr := s.f.Truncate(s.size); terr != nil {
			l.err = fmt.Errorf("cut partial write from wal segment %d: %w", s.n, terr)
		}
		return fmt.Errorf("write wal segment %d: %w", s.n, err)
	}
	s.size += int64(len(buf))
	l.size.Add(int64(len(buf)))
	return nil
}

// roll fsyncs and closes the current segment and starts the next one. Every
// write so far is then durable: a waiter for a position in the closed
// segment is woken.
func (l *Log) roll() error {
	// Two fsyncs of one file at once could disagree (Linux reports a
	// writeback error to one fsync of the file only): wait for the one in
	// flight, whose outcome then counts, before fsyncing and closing.
	if err := l.waitSyncs(); err != nil {
		return err
	}
	old := l.seg
	if l.unsynced() {
		err := l.fsync(old)
		l.syncDone(old, l.written, err)
		if err != nil {
			return err
		}
	}
	next, err := createSegment(l.dir, old.n+1)
	if err != nil {
		return err
	}
	l.seg = next
	l.synced.Broadcast()
	if err := old.f.Close(); err != nil {
		return fmt.Errorf("close wal segment %d: %w", old.n, err)
	}
	return nil
}

// Close stops the background sync, fsyncs what was written since the last
// fsync and closes the segment; callers waiting in WaitDurable then return.
// It reports an earlier fsync failure too. Calls after the first return
// ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	l.mu.Unlock()

	l.stopSync()
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.synced.Broadcast()
	for l.syncing { // see roll
		l.synced.Wait()
	}
	earlier := l.err
	var syncErr error
	if l.unsynced() {
		syncErr = l.fsync(l.seg)
		l.syncDone(l.seg, l.written, syncErr)
	}
	if err := l.seg.f.Close(); err != nil {
		syncErr = errors.Join(syncErr, fmt.Errorf("close wal segment %d: %w", l.seg.n, err))
	}
	return errors.Join(earlier, syncErr)
}
