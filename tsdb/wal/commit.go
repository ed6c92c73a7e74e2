package wal

import (
	"fmt"
)

// Position is where a Write left the log: the number of writes of records
// since Open, the write itself included, plus one if Open found the last
// segment written (a crashed process may not have fsynced it). Positions
// follow the order of the records in the log, across segments.
type Position uint64

// WaitDurable returns once every write up to p is fsynced (group commit).
// In interval mode (Options.SyncInterval > 0) it returns nil at once: the
// background goroutine fsyncs.
//
// Concurrent callers share fsyncs. A caller whose position an fsync already
// in flight does not cover waits for that one to end; the first caller then
// left without a covering fsync leads: it fsyncs once for every write made
// so far, with the lock released so that writes go on, and wakes the
// others. A write in a segment that was rolled since is durable already:
// rolling fsyncs the segment it leaves.
//
// If an fsync fails, the log stops taking writes, and every caller waiting
// for a position it did not make durable, now or later, gets the error: the
// log cannot know what reached the disk. WaitDurable does not allocate.
func (l *Log) WaitDurable(p Position) error {
	if l.opts.SyncInterval > 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.durable < p {
		switch {
		case l.err != nil:
			return fmt.Errorf("wal unusable after an earlier error: %w", l.err)
		case l.syncing:
			l.synced.Wait()
		default:
			l.syncUnlocked()
		}
	}
	return nil
}

// syncUnlocked fsyncs every write made so far, releasing mu during the
// fsync, and wakes the waiters. The caller holds mu and no fsync is in
// flight.
func (l *Log) syncUnlocked() {
	s, target := l.seg, l.written
	l.syncing = true
	l.mu.Unlock()
	err := l.fsync(s)
	l.mu.Lock()
	l.syncing = false
	l.syncDone(s, target, err)
	l.synced.Broadcast()
}

// syncDone records the outcome of an fsync of segment s that started when
// the last write was target. The caller holds mu. A failure is sticky:
// after it no fsync makes anything durable, as the log cannot know what of
// the failed one reached the disk.
func (l *Log) syncDone(s *segment, target Position, err error) {
	switch {
	case err != nil && l.err == nil:
		l.err = err
		l.logger.Error("wal fsync error; no more writes accepted", "segment", s.n, "err", err)
	case err == nil && l.err == nil:
		l.durable = max(l.durable, target)
	}
}

// waitSyncs waits until no fsync is in flight, then reports whether the
// log still takes writes. The caller holds mu, which the wait releases.
func (l *Log) waitSyncs() error {
	for l.syncing {
		l.synced.Wait()
	}
	return l.writable()
}

// unsynced reports whether the current segment may hold bytes not fsynced.
// The caller holds mu.
func (l *Log) unsynced() bool {
	return l.durable < l.written
}
