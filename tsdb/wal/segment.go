package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// segmentNameDigits is the zero-padded width of segment file names.
const segmentNameDigits = 8

// firstSegment is the number of the segment a new log starts with.
const firstSegment = 1

// segment is an open segment file and how far it has been written. f and n
// never change; size is guarded by Log.mu.
type segment struct {
	f    *os.File
	n    int   // segment number
	size int64 // bytes written; the next record goes here
}

// segmentName returns the file name of segment n, e.g. "00000001".
func segmentName(n int) string {
	return fmt.Sprintf("%0*d", segmentNameDigits, n)
}

// parseSegmentName returns the number in a segment file name; ok is false for
// any other name.
func parseSegmentName(name string) (n int, ok bool) {
	if len(name) < segmentNameDigits {
		return 0, false
	}
	for _, c := range name {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(name)
	return n, err == nil
}

// listSegments returns the numbers of the segment files in dir, ascending.
// Other files and directories are ignored.
func listSegments(dir string) ([]int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list wal segments: %w", err)
	}
	var segs []int
	for _, e := range entries {
		if n, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			segs = append(segs, n)
		}
	}
	slices.Sort(segs)
	return segs, nil
}

// createSegment creates segment n, which must not exist, and makes its
// directory entry durable.
func createSegment(dir string, n int) (*segment, error) {
	f, err := os.OpenFile(filepath.Join(dir, segmentName(n)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return nil, fmt.Errorf("create wal segment %d: %w", n, err)
	}
	if err := syncDir(dir); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return &segment{f: f, n: n}, nil
}

// openSegment opens segment n for appending after its last byte.
func openSegment(dir string, n int) (*segment, error) {
	f, err := os.OpenFile(filepath.Join(dir, segmentName(n)), os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open wal segment %d: %w", n, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, errors.Join(fmt.Errorf("stat wal segment %d: %w", n, err), f.Close())
	}
	return &segment{f: f, n: n, size: fi.Size()}, nil
}

// truncateSegment cuts segment n to size bytes, durably, and returns how many
// bytes it dropped.
func truncateSegment(dir string, n int, size int64) (dropped int64, err error) {
	s, err := openSegment(dir, n)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, s.f.Close()) }()
	if err := s.f.Truncate(size); err != nil {
		return 0, fmt.Errorf("truncate wal segment %d to %d bytes: %w", n, size, err)
	}
	if err := s.f.Sync(); err != nil {
		return 0, fmt.Errorf("sync wal segment %d: %w", n, err)
	}
	return s.size - size, nil
}

// removeSegments deletes the given segments, durably.
func removeSegments(dir string, segs []int) error {
	if len(segs) == 0 {
		return nil
	}
	for _, n := range segs {
		if err := os.Remove(filepath.Join(dir, segmentName(n))); err != nil {
			return fmt.Errorf("remove wal segment %d: %w", n, err)
		}
	}
	return syncDir(dir)
}

// syncDir fsyncs dir so that created and removed entries survive a crash.
func syncDir(dir string) (err error) {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open wal dir: %w", err)
	}
	defer func() { err = errors.Join(err, d.Close()) }()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync wal dir: %w", err)
	}
	return nil
}
