package wal

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// recordsBySegment reads every segment in dir on its own and returns its
// records as strings, keyed by segment number.
func recordsBySegment(t *testing.T, dir string) map[int][]string {
	t.Helper()
	segs, err := listSegments(dir)
	require.NoError(t, err)
	out := map[int][]string{}
	r := newSegmentReader(MaxRecordSize)
	for _, n := range segs {
		f, err := os.Open(filepath.Join(dir, segmentName(n)))
		require.NoError(t, err)
		fi, err := f.Stat()
		require.NoError(t, err)
		r.reset(f, n, fi.Size())
		out[n] = []string{}
		for {
			rec, err := r.next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			out[n] = append(out[n], string(rec))
		}
		require.NoError(t, f.Close())
	}
	return out
}

// strs returns the records as strings.
func strs(recs [][]byte) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r)
	}
	return out
}

func TestRollSplitsRecordsAtTheRoll(t *testing.T) {
	for _, interval := range []time.Duration{0, time.Hour} {
		t.Run(fmt.Sprint("sync interval ", interval), func(t *testing.T) {
			dir := t.TempDir()
			l, _ := openCollect(t, dir, Options{SyncInterval: interval})
			require.NoError(t, l.Log([]byte("a"), []byte("b")))
			n, err := l.Roll()
			require.NoError(t, err)
			require.Equal(t, 2, n)
			require.NoError(t, l.Log([]byte("c")))
			n, err = l.Roll()
			require.NoError(t, err)
			require.Equal(t, 3, n)
			n, err = l.Roll()
			require.NoError(t, err)
			require.Equal(t, 4, n, "an empty segment is rolled too")
			require.NoError(t, l.Log([]byte("d")))
			require.NoError(t, l.Close())

			require.Equal(t, map[int][]string{1: {"a", "b"}, 2: {"c"}, 3: {}, 4: {"d"}}, recordsBySegment(t, dir))
			require.Equal(t, []string{"a", "b", "c", "d"}, strs(replayAll(t, dir, Options{})))
			_, err = l.Roll()
			require.ErrorIs(t, err, ErrClosed)
		})
	}
}

func TestRollConcurrentWriters(t *testing.T) {
	const writers, calls, rolls = 6, 300, 40
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{SegmentSize: 8 << 10, SyncInterval: time.Millisecond})
	var started, done [writers]atomic.Int64 // per writer: calls begun, calls returned
	type cut struct {
		n             int
		before, after [writers]int64 // done before Roll, started after it
	}
	var cuts []cut
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range calls {
				started[w].Add(1)
				if err := l.Log(fmt.Appendf(nil, "%d %d", w, i), textBytes(uint64(i), 200)); err != nil {
					t.Error(err)
					return
				}
				done[w].Add(1)
			}
		})
	}
	wg.Go(func() {
		for range rolls {
			var c cut
			for w := range writers {
				c.before[w] = done[w].Load()
			}
			n, err := l.Roll()
			if err != nil {
				t.Error(err)
				return
			}
			c.n = n
			for w := range writers {
				c.after[w] = started[w].Load()
			}
			cuts = append(cuts, c)
		}
	})
	wg.Wait()
	require.NoError(t, l.Close())

	segOf := map[[2]int]int{} // writer, call → segment
	for n, recs := range recordsBySegment(t, dir) {
		for _, r := range recs {
			var w, i int
			if _, err := fmt.Sscanf(r, "%d %d", &w, &i); err == nil && r == fmt.Sprintf("%d %d", w, i) {
				segOf[[2]int{w, i}] = n
			}
		}
	}
	require.Len(t, segOf, writers*calls, "every call logged once")
	for _, c := range cuts {
		for w := range writers {
			for i := range calls {
				s := segOf[[2]int{w, i}]
				if int64(i) < c.before[w] {
					require.Less(t, s, c.n, "writer %d call %d returned before Roll to %d", w, i, c.n)
				}
				if int64(i) >= c.after[w] {
					require.GreaterOrEqual(t, s, c.n, "writer %d call %d began after Roll to %d", w, i, c.n)
				}
			}
		}
	}

	got := make([][]string, writers)
	for _, rec := range replayAll(t, dir, Options{}) {
		var w, i int
		if _, err := fmt.Sscanf(string(rec), "%d %d", &w, &i); err == nil && string(rec) == fmt.Sprintf("%d %d", w, i) {
			got[w] = append(got[w], string(rec))
		}
	}
	for w := range writers {
		want := make([]string, calls)
		for i := range want {
			want[i] = fmt.Sprintf("%d %d", w, i)
		}
		require.Equal(t, want, got[w], "writer %d in call order", w)
	}
}

// fourSegments logs "1" … "4", rolling after each but the last, so segment n
// holds record "n"; it returns the open log.
func fourSegments(t *testing.T, dir string, opts Options) *Log {
	t.Helper()
	l, _ := openCollect(t, dir, opts)
	for i := 1; i <= 4; i++ {
		require.NoError(t, l.Log([]byte(fmt.Sprint(i))))
		if i < 4 {
			_, err := l.Roll()
			require.NoError(t, err)
		}
	}
	return l
}

func TestRemoveBefore(t *testing.T) {
	dir := t.TempDir()
	l := fourSegments(t, dir, Options{})
	require.NoError(t, l.RemoveBefore(3))
	require.Equal(t, []string{"00000003", "00000004"}, sortedKeys(segmentSizes(t, dir)))
	require.NoError(t, l.RemoveBefore(3), "nothing left to remove")
	require.NoError(t, l.RemoveBefore(1000), "the current segment stays")
	require.Equal(t, []string{"00000004"}, sortedKeys(segmentSizes(t, dir)))
	require.NoError(t, l.Log([]byte("5")))
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.RemoveBefore(5), ErrClosed)
	require.Equal(t, []string{"4", "5"}, strs(replayAll(t, dir, Options{})))
}

func TestRemoveBeforeConcurrentCalls(t *testing.T) {
	dir := t.TempDir()
	l := fourSegments(t, dir, Options{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { require.NoError(t, l.RemoveBefore(4)) })
	}
	wg.Wait()
	require.Equal(t, map[string]int64{"00000004": headerSize + 1}, segmentSizes(t, dir))
	require.Equal(t, int64(headerSize+1), l.Size())
	require.NoError(t, l.Close())
}

func TestReplayFrom(t *testing.T) {
	for _, tc := range []struct {
		name       string
		replayFrom int
		remove     []string // segment files deleted before the reopen
		want       []string // records replayed
		segments   []string // segment files after the reopen and one more record
	}{
		{"zero replays all", 0, nil, []string{"1", "2", "3", "4"}, []string{"00000001", "00000002", "00000003", "00000004"}},
		{"first segment", 1, nil, []string{"1", "2", "3", "4"}, []string{"00000001", "00000002", "00000003", "00000004"}},
		{"skips and removes older", 3, nil, []string{"3", "4"}, []string{"00000003", "00000004"}},
		{"gap after ReplayFrom is fine", 2, []string{"00000001", "00000002"}, []string{"3", "4"}, []string{"00000003", "00000004"}},
		{"last segment", 4, nil, []string{"4"}, []string{"00000004"}},
		{"beyond the last starts there", 7, nil, []string{}, []string{"00000007"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, fourSegments(t, dir, Options{}).Close())
			for _, name := range tc.remove {
				require.NoError(t, os.Remove(filepath.Join(dir, name)))
			}
			others := []string{"checkpoint.00000003", "checkpoint.00000002.tmp", "00000009.tmp"}
			for _, name := range others {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("not a segment"), 0o666))
			}
			reg := prometheus.NewRegistry()
			l, got := openCollect(t, dir, Options{ReplayFrom: tc.replayFrom, Registerer: reg})
			require.Equal(t, tc.want, strs(got))
			require.Equal(t, 0.0, metricValue(t, reg, "vigil_wal_corruptions_total"))
			require.NoError(t, l.Log([]byte("new")))
			require.NoError(t, l.Close())
			require.Equal(t, tc.segments, sortedKeys(segmentSizes(t, dir)))
			require.Equal(t, append(tc.want, "new"), strs(replayAll(t, dir, Options{ReplayFrom: tc.replayFrom})))
			for _, name := range others {
				require.FileExists(t, filepath.Join(dir, name), "wal leaves other files alone")
			}
		})
	}
}

func TestReplayFromStillRepairsGapsAfterIt(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, fourSegments(t, dir, Options{}).Close())
	require.NoError(t, os.Remove(filepath.Join(dir, "00000003")))
	logger, _ := bufferLogger()
	reg := prometheus.NewRegistry()
	l, got := openCollect(t, dir, Options{ReplayFrom: 2, Logger: logger, Registerer: reg})
	require.Equal(t, []string{"2"}, strs(got), "segment 4 does not follow 2")
	require.Equal(t, 1.0, metricValue(t, reg, "vigil_wal_corruptions_total"))
	require.NoError(t, l.Close())
}

func TestReplayFromValidate(t *testing.T) {
	_, err := Open(t.TempDir(), Options{ReplayFrom: -1}, nil)
	require.EqualError(t, err, "wal replay-from segment -1 is negative; use 0 to replay every segment")
}

func TestSize(t *testing.T) {
	dir := t.TempDir()
	sum := func() int64 {
		var n int64
		for _, s := range segmentSizes(t, dir) {
			n += s
		}
		return n
	}
	l, _ := openCollect(t, dir, Options{SegmentSize: 4096, SyncInterval: time.Hour})
	require.Equal(t, int64(0), l.Size())
	logCalls(t, l, mixedCalls(50))
	require.Greater(t, len(segmentSizes(t, dir)), 3)
	require.Equal(t, sum(), l.Size())
	_, err := l.Roll()
	require.NoError(t, err)
	require.NoError(t, l.Log(randomBytes(1, 100)))
	require.Equal(t, sum(), l.Size())
	require.NoError(t, l.RemoveBefore(3))
	require.Equal(t, sum(), l.Size())
	require.NoError(t, l.Close())

	l, _ = openCollect(t, dir, Options{SegmentSize: 4096})
	require.Equal(t, sum(), l.Size(), "counted again on open")
	require.NoError(t, l.Close())
	l, _ = openCollect(t, dir, Options{ReplayFrom: 1000})
	require.Equal(t, int64(0), l.Size(), "all segments below ReplayFrom removed")
	require.NoError(t, l.Close())
}

func TestReopenAfterRollWithoutClose(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SyncInterval: time.Hour, Logger: slog.New(slog.DiscardHandler)}
	crashed, _ := openCollect(t, dir, opts)
	t.Cleanup(func() { _ = crashed.Close() })
	require.NoError(t, crashed.Log([]byte("a")))
	n, err := crashed.Roll()
	require.NoError(t, err)
	require.Equal(t, 2, n)

	// Like a kill -9 right after Roll: the new segment exists and is empty.
	l, got := openCollect(t, dir, opts)
	require.Equal(t, []string{"a"}, strs(got))
	require.NoError(t, l.Log([]byte("b")))
	n, err = l.Roll()
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.NoError(t, l.Log([]byte("c"), []byte("torn")))
	require.NoError(t, l.Close())

	// A crash during the write after the roll tears segment 3 only.
	path := filepath.Join(dir, "00000003")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, fi.Size()-2))
	l, got = openCollect(t, dir, Options{ReplayFrom: 2, Logger: opts.Logger})
	require.Equal(t, []string{"b", "c"}, strs(got))
	require.Equal(t, map[int][]string{2: {"b"}, 3: {"c"}}, recordsBySegment(t, dir))
	require.NoError(t, l.Close())
}

func TestParseSegmentNameRejectsOtherFiles(t *testing.T) {
	for _, name := range []string{"checkpoint.00000003", "00000003.tmp", "0000003", "+0000003", "checkpoint.00000003.tmp"} {
		_, ok := parseSegmentName(name)
		require.False(t, ok, name)
	}
	n, ok := parseSegmentName("00000012")
	require.True(t, ok)
	require.Equal(t, 12, n)
}
