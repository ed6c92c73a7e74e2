package wal

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// startSync starts the background fsync goroutine in interval mode.
func (l *Log) startSync() {
	if l.opts.SyncInterval <= 0 {
		return
	}
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go l.syncLoop(l.opts.SyncInterval)
}

// stopSync stops the background fsync goroutine and waits for it.
func (l *Log) stopSync() {
	if l.stop == nil {
		return
	}
	close(l.stop)
	<-l.done
}

// syncLoop fsyncs the current segment every interval when it was written.
func (l *Log) syncLoop(interval time.Duration) {
	defer close(l.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.backgroundSync()
		}
	}
}

// backgroundSync fsyncs the current segment if it has unsynced writes. It
// holds mu only to pick the segment, so Log is not blocked by the fsync.
func (l *Log) backgroundSync() {
	l.mu.Lock()
	s := l.seg
	if !l.dirty || l.err != nil {
		s = nil
	}
	l.dirty = false
	l.mu.Unlock()
	if s == nil {
		return
	}
	err := l.fsync(s)
	if err == nil || errors.Is(err, os.ErrClosed) { // closed: roll synced it
		return
	}
	l.logger.Error("wal fsync error; no more writes accepted", "segment", s.n, "err", err)
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

// fsync fsyncs segment s and observes how long that took.
func (l *Log) fsync(s *segment) error {
	start := time.Now()
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sync wal segment %d: %w", s.n, err)
	}
	l.metrics.fsyncDuration.Observe(time.Since(start).Seconds())
	return nil
}
