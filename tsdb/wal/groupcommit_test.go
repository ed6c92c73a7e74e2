package wal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// heldSyncs replaces the log's fsync with one that counts the calls and
// holds the fsyncs numbered in held until the test sends on their channel:
// nil lets the real fsync run, an error is returned instead. It returns the
// channels and the call count.
func heldSyncs(l *Log, held ...int32) (map[int32]chan error, *atomic.Int32) {
	gates := map[int32]chan error{}
	for _, n := range held {
		gates[n] = make(chan error)
	}
	var calls atomic.Int32
	l.syncFile = func(f *os.File) error {
		if gate, ok := gates[calls.Add(1)]; ok {
			if err := <-gate; err != nil {
				return err
			}
		}
		return f.Sync()
	}
	return gates, &calls
}

// caller logs rec from a new goroutine and sends its error to done.
func caller(l *Log, rec string, done chan<- callResult) {
	go func() {
		done <- callResult{rec, l.Log([]byte(rec))}
	}()
}

// callResult is how a Log call returned.
type callResult struct {
	rec string
	err error
}

// returned takes the results sent to done so far, in the order received.
func returned(done chan callResult) []callResult {
	var out []callResult
	for {
		select {
		case r := <-done:
			out = append(out, r)
		default:
			return out
		}
	}
}

// recsOf returns the records of results.
func recsOf(rs []callResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.rec)
	}
	return out
}

func TestGroupCommitSharesFsyncs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		dir := t.TempDir()
		l, _ := openCollect(t, dir, Options{Registerer: reg})
		gates, calls := heldSyncs(l, 1, 2)
		done := make(chan callResult, 8)

		caller(l, "lead", done)
		synctest.Wait() // it wrote and leads fsync 1, held
		var others []string
		for i := range 7 {
			others = append(others, fmt.Sprintf("follow %d", i))
			caller(l, others[i], done)
		}
		synctest.Wait()
		require.Empty(t, returned(done), "fsync 1 started before their writes: none may return")
		require.Equal(t, int32(1), calls.Load())

		gates[1] <- nil
		synctest.Wait() // the first caller returns; one of the others leads fsync 2
		require.Equal(t, []callResult{{"lead", nil}}, returned(done))
		require.Equal(t, int32(2), calls.Load(), "the seven share one fsync")

		gates[2] <- nil
		synctest.Wait()
		got := returned(done)
		require.ElementsMatch(t, others, recsOf(got))
		for _, r := range got {
			require.NoError(t, r.err)
		}
		require.Equal(t, 2.0, metricValue(t, reg, fsyncMetric))
		require.Equal(t, 8.0, metricValue(t, reg, "vigil_wal_writes_total"))
		require.NoError(t, l.Close())
		require.Equal(t, 2.0, metricValue(t, reg, fsyncMetric), "nothing left to sync on Close")
	})
}

func TestGroupCommitFsyncErrorReachesEveryWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger, logs := bufferLogger()
		l, _ := openCollect(t, t.TempDir(), Options{Logger: logger})
		gates, _ := heldSyncs(l, 1)
		done := make(chan callResult, 4)
		caller(l, "lead", done)
		synctest.Wait()
		for i := range 3 {
			caller(l, fmt.Sprint("follow ", i), done)
		}
		synctest.Wait()

		injected := errors.New("disk on fire")
		gates[1] <- injected
		synctest.Wait()
		got := returned(done)
		require.Len(t, got, 4)
		for _, r := range got {
			require.EqualError(t, r.err, "wal unusable after an earlier error: sync wal segment 1: disk on fire", r.rec)
			require.ErrorIs(t, r.err, injected)
		}
		require.EqualError(t, l.Log([]byte("later")), "wal unusable after an earlier error: sync wal segment 1: disk on fire")
		_, err := l.Write([]byte("later"))
		require.ErrorIs(t, err, injected)
		require.NoError(t, l.WaitDurable(0), "nothing to wait for")
		require.Equal(t, 1, strings.Count(logs.String(), "wal fsync error"), logs.String())
		require.ErrorIs(t, l.Close(), injected)
	})
}

func TestGroupCommitCloseWithWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		l, _ := openCollect(t, dir, Options{Logger: slog.New(slog.DiscardHandler)})
		gates, calls := heldSyncs(l, 1)
		done := make(chan callResult, 4)
		caller(l, "lead", done)
		synctest.Wait()
		for i := range 3 {
			caller(l, fmt.Sprint("follow ", i), done)
		}
		synctest.Wait()

		closed := make(chan error, 1)
		go func() { closed <- l.Close() }()
		synctest.Wait() // Close waits for the fsync in flight: no two at once
		require.Empty(t, returned(done))
		require.Empty(t, closed)

		gates[1] <- nil // fsync 1 ends; fsync 2 (a follower's, or Close's) covers the rest
		synctest.Wait()
		require.NoError(t, <-closed)
		require.Equal(t, int32(2), calls.Load())
		got := returned(done)
		require.Len(t, got, 4)
		for _, r := range got {
			require.NoError(t, r.err, r.rec)
		}
		require.ErrorIs(t, l.Log([]byte("late")), ErrClosed)
		require.ElementsMatch(t, [][]byte{[]byte("lead"), []byte("follow 0"), []byte("follow 1"), []byte("follow 2")},
			replayAll(t, dir, Options{}))
	})
}

func TestGroupCommitRollWaitsForTheFsyncInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		dir := t.TempDir()
		l, _ := openCollect(t, dir, Options{SegmentSize: 100, Registerer: reg})
		gates, calls := heldSyncs(l, 1)
		done := make(chan callResult, 3)
		a, c, b := strings.Repeat("a", 20), strings.Repeat("c", 20), strings.Repeat("b", 60)
		caller(l, a, done) // segment 1; leads fsync 1, held
		synctest.Wait()
		caller(l, c, done) // segment 1; waits
		synctest.Wait()
		caller(l, b, done) // does not fit: the roll waits for fsync 1
		synctest.Wait()
		require.Empty(t, returned(done))
		require.Equal(t, int32(1), calls.Load())

		gates[1] <- nil // fsync 2 covers c, the roll closes segment 1, fsync 3 covers b
		synctest.Wait()
		require.ElementsMatch(t, []callResult{{a, nil}, {c, nil}, {b, nil}}, returned(done))
		require.Equal(t, int32(3), calls.Load())
		require.Equal(t, 3.0, metricValue(t, reg, fsyncMetric))
		require.NoError(t, l.Close())
		require.Equal(t, [][]byte{[]byte(a), []byte(c), []byte(b)}, replayAll(t, dir, Options{}))
		require.Equal(t, []string{"00000001", "00000002"}, sortedKeys(segmentSizes(t, dir)))
	})
}

// TestGroupCommitFsyncErrorDuringRoll fails the fsync a roll waits for:
// nothing written after the last good fsync is acknowledged, the roll's
// write included, and a later fsync cannot make it so (Linux reports a
// writeback error to one fsync of a file only).
func TestGroupCommitFsyncErrorDuringRoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, _ := openCollect(t, t.TempDir(), Options{SegmentSize: 100, Logger: slog.New(slog.DiscardHandler)})
		gates, calls := heldSyncs(l, 1)
		done := make(chan callResult, 3)
		a, c, b := strings.Repeat("a", 20), strings.Repeat("c", 20), strings.Repeat("b", 60)
		caller(l, a, done)
		synctest.Wait()
		caller(l, c, done)
		synctest.Wait()
		caller(l, b, done)
		synctest.Wait()

		gates[1] <- errors.New("EIO")
		synctest.Wait()
		got := returned(done)
		require.Len(t, got, 3)
		for _, r := range got {
			require.EqualError(t, r.err, "wal unusable after an earlier error: sync wal segment 1: EIO", r.rec)
		}
		require.Equal(t, int32(1), calls.Load(), "no fsync after the failed one")
		require.EqualError(t, l.Close(), "sync wal segment 1: EIO")
	})
}

func TestIntervalModeWaitDurableReturnsAtOnce(t *testing.T) {
	l, _ := openCollect(t, t.TempDir(), Options{SyncInterval: 1 << 62})
	_, calls := heldSyncs(l)
	pos, err := l.Write([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, Position(1), pos)
	require.NoError(t, l.WaitDurable(pos))
	require.Equal(t, int32(0), calls.Load())
	require.NoError(t, l.Close())
	require.Equal(t, int32(1), calls.Load())
}

func TestWriteWithoutRecordsReturnsTheLastPosition(t *testing.T) {
	l, _ := openCollect(t, t.TempDir(), Options{})
	for want := range Position(3) {
		pos, err := l.Write()
		require.NoError(t, err)
		require.Equal(t, want, pos)
		_, err = l.Write([]byte("x"))
		require.NoError(t, err)
	}
	require.NoError(t, l.Close())
}

// sortedPositions returns the positions of m, ascending.
func sortedPositions(m map[string]Position) []Position {
	var out []Position
	for _, p := range m {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// diskImage stands in for what a machine crash leaves: the bytes of each
// segment as its last finished fsync found them.
type diskImage struct {
	mu   sync.Mutex
	segs map[string][]byte // file base name → bytes
}

// install makes l's fsyncs copy the file into the image before syncing it.
func (d *diskImage) install(l *Log) {
	d.segs = map[string][]byte{}
	l.syncFile = func(f *os.File) error {
		data, err := readFile(f)
		if err != nil {
			return err // closed under us by a roll or Close, which synced it
		}
		if err := f.Sync(); err != nil {
			return err
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		if name := filepath.Base(f.Name()); len(data) > len(d.segs[name]) {
			d.segs[name] = data
		}
		return nil
	}
}

// readFile returns the bytes of f, read with pread(2).
func readFile(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data := make([]byte, fi.Size())
	_, err = f.ReadAt(data, 0)
	return data, err
}

// holds reports whether a segment of the image holds rec, stored raw.
func (d *diskImage) holds(rec []byte) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, data := range d.segs {
		if bytes.Contains(data, rec) {
			return true
		}
	}
	return false
}

// writeTo writes the image into dir as segment files.
func (d *diskImage) writeTo(t *testing.T, dir string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for name, data := range d.segs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o666))
	}
}

// groupRecord is record i of writer w: under compressMinSize bytes, so it
// is stored raw and a disk image can be searched for it.
func groupRecord(w, i int) []byte {
	return fmt.Appendf(nil, "writer %02d call %03d %s", w, i, strings.Repeat("x", i%20))
}

// writeConcurrently makes calls Write+WaitDurable calls from each of
// writers goroutines and checks that each record is in the disk image when
// WaitDurable returns. It returns every record's position.
func writeConcurrently(t *testing.T, l *Log, img *diskImage, writers, calls int) map[string]Position {
	var mu sync.Mutex
	positions := map[string]Position{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range calls {
				rec := groupRecord(w, i)
				pos, err := l.Write(rec)
				if err == nil {
					err = l.WaitDurable(pos)
				}
				if err != nil {
					t.Error(err)
					return
				}
				if !img.holds(rec) {
					t.Errorf("%s acknowledged at position %d but not fsynced", rec, pos)
				}
				mu.Lock()
				positions[string(rec)] = pos
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return positions
}

func TestGroupCommitConcurrentOrder(t *testing.T) {
	const writers, calls = 16, 40
	reg := prometheus.NewRegistry()
	dir := t.TempDir()
	opts := Options{SegmentSize: 4 << 10, Registerer: reg}
	l, _ := openCollect(t, dir, opts)
	var img diskImage
	img.install(l)
	positions := writeConcurrently(t, l, &img, writers, calls)
	require.NoError(t, l.Close())

	n := writers * calls
	want := make([]Position, n)
	for i := range want {
		want[i] = Position(i + 1)
	}
	require.Equal(t, want, sortedPositions(positions), "one position per write, no gaps")
	for i, rec := range replayAll(t, dir, opts) {
		require.Equal(t, Position(i+1), positions[string(rec)], "record %d of the log: %s", i, rec)
	}
	require.Greater(t, len(segmentSizes(t, dir)), 3, "writers must have rolled segments")
	fsyncs := metricValue(t, reg, fsyncMetric)
	require.Less(t, fsyncs, float64(n), "concurrent writes share fsyncs")
	t.Logf("%d writes, %.0f fsyncs", n, fsyncs)
}

func TestGroupCommitAcknowledgedSurviveCrash(t *testing.T) {
	const writers, calls = 8, 30
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{SegmentSize: 2 << 10})
	var img diskImage
	img.install(l)
	positions := writeConcurrently(t, l, &img, writers, calls)
	for w := range writers { // written, never acknowledged: may be lost
		_, err := l.Write(groupRecord(w, calls))
		require.NoError(t, err)
	}
	crashed := t.TempDir()
	img.writeTo(t, crashed) // the machine dies here
	require.NoError(t, l.Close())

	var last Position
	for _, rec := range replayAll(t, crashed, Options{}) {
		pos, acked := positions[string(rec)]
		if !acked {
			continue
		}
		require.Greater(t, pos, last, "replayed in position order: %s", rec)
		last = pos
		delete(positions, string(rec))
	}
	require.Empty(t, positions, "acknowledged records lost in the crash")
}

func TestReopenedBytesAreWaitedFor(t *testing.T) {
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{SyncInterval: 1 << 62})
	require.NoError(t, l.Log([]byte("before")))
	require.NoError(t, l.Close())

	// The process that wrote them may have died before its fsync.
	l, _ = openCollect(t, dir, Options{})
	_, calls := heldSyncs(l)
	pos, err := l.Write()
	require.NoError(t, err)
	require.Equal(t, Position(1), pos)
	require.NoError(t, l.WaitDurable(pos))
	require.Equal(t, int32(1), calls.Load())
	pos, err = l.Write([]byte("after"))
	require.NoError(t, err)
	require.Equal(t, Position(2), pos)
	require.NoError(t, l.Close())
}
