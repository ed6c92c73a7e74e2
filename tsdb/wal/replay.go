package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// replay reads every segment in order, passing each intact record to fn
// (when not nil), and repairs the first damage it finds. It returns the
// number of the last segment left; ok is false when there is none.
func (l *Log) replay(fn func(rec []byte) error) (last int, ok bool, err error) {
	segs, err := listSegments(l.dir)
	if err == nil {
		segs, err = l.dropCheckpointed(segs)
	}
	if err != nil || len(segs) == 0 {
		return 0, false, err
	}
	r := newSegmentReader(l.maxRecord)
	var end int64 // where the previous segment ended
	for i, n := range segs {
		if i > 0 && n != segs[i-1]+1 {
			gap := fmt.Errorf("%w %s", errMissingSeg, segmentName(segs[i-1]+1))
			return segs[i-1], true, l.repair(&CorruptionError{Segment: segs[i-1], Offset: end, Err: gap}, segs[i:])
		}
		end, err = l.replaySegment(r, n, fn)
		if c, ok := errors.AsType[*CorruptionError](err); ok {
			return n, true, l.repair(c, segs[i+1:])
		}
		if err != nil {
			return 0, false, err
		}
	}
	return segs[len(segs)-1], true, nil
}

// replaySegment passes every record of segment n to fn and returns the
// segment's size. It stops at the first damaged record with a
// *CorruptionError.
func (l *Log) replaySegment(r *segmentReader, n int, fn func(rec []byte) error) (end int64, err error) {
	f, err := os.Open(filepath.Join(l.dir, segmentName(n)))
	if err != nil {
		return 0, fmt.Errorf("open wal segment %d: %w", n, err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat wal segment %d: %w", n, err)
	}
	r.reset(f, n, fi.Size())
	for {
		rec, err := r.next()
		if errors.Is(err, io.EOF) {
			return r.off, nil
		}
		if err != nil {
			return r.off, err
		}
		if fn == nil {
			continue
		}
		if err := fn(rec); err != nil {
			return r.off, fmt.Errorf("replay wal segment %d offset %d: %w", n, r.start, err)
		}
	}
}

// repair cuts the log at a corruption: segment c.Segment is truncated to
// c.Offset and the later segments are removed, since what they hold cannot
// be trusted to follow what is left. It logs what was dropped.
func (l *Log) repair(c *CorruptionError, later []int) error {
	l.metrics.corruptions.Inc()
	dropped, err := truncateSegment(l.dir, c.Segment, c.Offset)
	if err != nil {
		return fmt.Errorf("repair %w: %w", c, err)
	}
	if err := removeSegments(l.dir, later); err != nil {
		return fmt.Errorf("repair %w: %w", c, err)
	}
	removed := make([]string, len(later))
	for i, n := range later {
		removed[i] = segmentName(n)
	}
	l.logger.Warn("wal corruption repaired", "segment", segmentName(c.Segment), "offset", c.Offset,
		"reason", c.Err.Error(), "truncated_bytes", dropped, "removed_segments", removed)
	return nil
}

// dropCheckpointed removes the segments below Options.ReplayFrom, which a
// checkpoint covers, and returns the others. They go in ascending order, so
// a crash part way leaves the newest ones, contiguous.
func (l *Log) dropCheckpointed(segs []int) ([]int, error) {
	i := 0
	for i < len(segs) && segs[i] < l.opts.ReplayFrom {
		i++
	}
	if err := removeSegments(l.dir, segs[:i]); err != nil {
		return nil, fmt.Errorf("remove wal segments before checkpoint %s: %w", segmentName(l.opts.ReplayFrom), err)
	}
	return segs[i:], nil
}
