package wal

import (
	"fmt"
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
// releases mu during the fsync, so Log is not blocked by it.
func (l *Log) backgroundSync() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil || l.syncing || !l.unsynced() {
		return
	}
	l.syncUnlocked()
}

// fsync fsyncs segment s and observes how long that took. The count of the
// histogram is the number of fsyncs.
func (l *Log) fsync(s *segment) error {
	start := time.Now()
	if err := l.syncFile(s.f); err != nil {
		return fmt.Errorf("sync wal segment %d: %w", s.n, err)
	}
	l.metrics.fsyncDuration.Observe(time.Since(start).Seconds())
	return nil
}
