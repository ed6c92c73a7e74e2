package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Roll fsyncs and closes the current segment, starts the next one and
// returns its number, N. Every record logged before Roll is in a segment
// below N and every record logged after it in N or later, which is what a
// checkpoint named for N needs. Roll starts a new segment even when the
// current one is empty. It fails, like Log, after Close or an earlier fsync
// error.
func (l *Log) Roll() (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.writable(); err != nil {
		return 0, err
	}
	if err := l.roll(); err != nil {
		return 0, fmt.Errorf("roll wal: %w", err)
	}
	return l.seg.n, nil
}

// RemoveBefore deletes the segments numbered below n, oldest first, and
// fsyncs the directory. The current segment is never removed, whatever n
// is. Segments already gone are skipped, so concurrent calls are harmless.
// It fails with ErrClosed after Close.
func (l *Log) RemoveBefore(n int) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	n = min(n, l.seg.n) // segments below the current one never change again
	l.mu.Unlock()

	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	removed := false
	for _, s := range segs {
		if s >= n {
			break
		}
		ok, err := l.removeSegment(s)
		if err != nil {
			return err
		}
		removed = removed || ok
	}
	if !removed {
		return nil
	}
	return syncDir(l.dir)
}

// removeSegment deletes closed segment n and takes its bytes off the size.
// It reports false when the segment was already gone.
func (l *Log) removeSegment(n int) (bool, error) {
	path := filepath.Join(l.dir, segmentName(n))
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat wal segment %d: %w", n, err)
	}
	err = os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remove wal segment %d: %w", n, err)
	}
	l.size.Add(-fi.Size())
	return true, nil
}

// Size returns the bytes of all segments on disk, the current one
// included. It is a counter kept by the log: it takes no lock and does no
// I/O.
func (l *Log) Size() int64 {
	return l.size.Load()
}

// segmentsSize returns the total size of the segments in dir.
func segmentsSize(dir string) (int64, error) {
	segs, err := listSegments(dir)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, n := range segs {
		fi, err := os.Stat(filepath.Join(dir, segmentName(n)))
		if err != nil {
			return 0, fmt.Errorf("stat wal segment %d: %w", n, err)
		}
		total += fi.Size()
	}
	return total, nil
}
