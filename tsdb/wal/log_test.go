package wal

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// mixedCalls returns n Log calls of 1 to 3 records each: empty, short,
// compressible and incompressible, up to 3000 bytes.
func mixedCalls(n int) [][][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	calls := make([][][]byte, n)
	for i := range calls {
		for range 1 + r.IntN(3) {
			size := r.IntN(3000)
			switch r.IntN(4) {
			case 0:
				calls[i] = append(calls[i], []byte{})
			case 1:
				calls[i] = append(calls[i], textBytes(uint64(i), size))
			default:
				calls[i] = append(calls[i], randomBytes(uint64(i), size))
			}
		}
	}
	return calls
}

// expectedSegments applies the roll rule to calls: the records of a call
// share a segment, which is rolled when they do not fit in what is left.
func expectedSegments(calls [][][]byte, segmentSize int) map[string]int64 {
	out := map[string]int64{}
	n, size := firstSegment, int64(0)
	for _, c := range calls {
		enc := int64(len(encodeRecords(nil, c)))
		if size > 0 && size+enc > int64(segmentSize) {
			out[segmentName(n)] = size
			n, size = n+1, 0
		}
		size += enc
	}
	out[segmentName(n)] = size
	return out
}

func TestLogRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name        string
		segmentSize int
		calls       [][][]byte
	}{
		{"empty record", 0, [][][]byte{{{}}}},
		{"one byte", 0, [][][]byte{{{42}}}},
		{"mixed records across many rolls", 4096, mixedCalls(300)},
		{"record larger than a segment gets its own", 1024, [][][]byte{
			{textBytes(1, 100)}, {randomBytes(2, 5000)}, {textBytes(3, 100)},
		}},
		{"call larger than a segment stays whole", 1024, [][][]byte{
			{randomBytes(1, 100)}, {randomBytes(2, 300), randomBytes(3, 300), randomBytes(4, 300), randomBytes(5, 300)},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{SegmentSize: tc.segmentSize}
			l, got := openCollect(t, dir, opts)
			require.Empty(t, got)
			logCalls(t, l, tc.calls)
			require.NoError(t, l.Close())

			require.Equal(t, expectedSegments(tc.calls, opts.withDefaults().SegmentSize), segmentSizes(t, dir))
			require.Equal(t, flatten(tc.calls), replayAll(t, dir, opts))
		})
	}
}

func TestLogCompressesWhenItHelps(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rec       []byte
		wantFlags byte
		maxStored int // payload bytes on disk, at most
	}{
		{"empty stored raw", []byte{}, flagRecord, 0},
		{"short repetitive stored raw", []byte(strings.Repeat("a", compressMinSize-1)), flagRecord, compressMinSize - 1},
		{"repetitive compressed", []byte(strings.Repeat("a", 4096)), flagRecord | flagSnappy, 256},
		{"labels compressed", textBytes(1, 2048), flagRecord | flagSnappy, 1024},
		{"random stored raw", randomBytes(1, 4096), flagRecord, 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l, _ := openCollect(t, dir, Options{})
			require.NoError(t, l.Log(tc.rec))
			require.NoError(t, l.Close())

			b, err := os.ReadFile(filepath.Join(dir, "00000001"))
			require.NoError(t, err)
			require.Equal(t, tc.wantFlags, b[0], "flags")
			require.LessOrEqual(t, len(b)-headerSize, tc.maxStored)
			require.Equal(t, [][]byte{tc.rec}, replayAll(t, dir, Options{}))
		})
	}
}

func TestOpenAppendsToLastSegment(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "00000007"), nil, 0o666))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a segment"), 0o666))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "00000009"), 0o777))

	l, got := openCollect(t, dir, Options{})
	require.Empty(t, got)
	require.NoError(t, l.Log([]byte("a")))
	require.NoError(t, l.Close())

	require.Equal(t, map[string]int64{"00000007": headerSize + 1}, segmentSizes(t, dir))
	require.Equal(t, [][]byte{[]byte("a")}, replayAll(t, dir, Options{}))
}

func TestOpenCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "wal")
	l, got := openCollect(t, dir, Options{})
	require.Empty(t, got)
	require.NoError(t, l.Close())
	require.Equal(t, map[string]int64{"00000001": 0}, segmentSizes(t, dir))
}

func TestOpenReplayError(t *testing.T) {
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{})
	logCalls(t, l, [][][]byte{{[]byte("one")}, {[]byte("two")}, {[]byte("three")}})
	require.NoError(t, l.Close())
	before := segmentSizes(t, dir)

	errApply := errors.New("apply")
	seen := 0
	_, err := Open(dir, Options{}, func(rec []byte) error {
		if seen++; seen == 2 {
			return errApply
		}
		return nil
	})
	require.ErrorIs(t, err, errApply)
	require.EqualError(t, err, fmt.Sprintf("replay wal segment 1 offset %d: apply", headerSize+3))
	require.Equal(t, before, segmentSizes(t, dir), "a replay error must not repair anything")
	require.Len(t, replayAll(t, dir, Options{}), 3)
}

func TestOpenNilReplay(t *testing.T) {
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{})
	require.NoError(t, l.Log([]byte("one")))
	require.NoError(t, l.Close())

	l, err := Open(dir, Options{}, nil)
	require.NoError(t, err)
	require.NoError(t, l.Log([]byte("two")))
	require.NoError(t, l.Close())
	require.Equal(t, [][]byte{[]byte("one"), []byte("two")}, replayAll(t, dir, Options{}))
}

func TestOptionsValidate(t *testing.T) {
	_, err := Open(t.TempDir(), Options{SegmentSize: -1, SyncInterval: -time.Second}, nil)
	require.EqualError(t, err, "wal segment size -1 is negative; use 0 for the default 134217728\n"+
		"wal sync interval -1s is negative; use 0 to fsync every Log call")
}

func TestLogErrors(t *testing.T) {
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{})
	l.maxRecord = 10
	require.NoError(t, l.Log(), "no records is a no-op")

	err := l.Log([]byte("ok"), make([]byte, 11))
	require.ErrorIs(t, err, ErrRecordTooLarge)
	require.EqualError(t, err, "wal record 2 of 2 is 11 bytes, over the 10-byte limit (split the batch): wal record too large")
	require.Equal(t, map[string]int64{"00000001": 0}, segmentSizes(t, dir), "nothing of a rejected call is written")

	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Log([]byte("late")), ErrClosed)
	require.ErrorIs(t, l.Close(), ErrClosed)
}

func TestLogStopsAfterUnrepairableWriteError(t *testing.T) {
	l, _ := openCollect(t, t.TempDir(), Options{})
	require.NoError(t, l.seg.f.Close()) // writes and the truncate that undoes them now fail

	err := l.Log([]byte("a"))
	require.ErrorIs(t, err, os.ErrClosed)
	require.ErrorContains(t, err, "write wal segment 1")
	err = l.Log([]byte("b"))
	require.ErrorContains(t, err, "wal unusable after an earlier error: cut partial write from wal segment 1")
	require.Error(t, l.Close())
}

func TestMetricsSurviveReopenOnOneRegistry(t *testing.T) {
	dir, reg := t.TempDir(), prometheus.NewRegistry()
	for range 2 {
		l, _ := openCollect(t, dir, Options{Registerer: reg})
		require.NoError(t, l.Log([]byte("a"), []byte("b")))
		require.NoError(t, l.Close())
	}
	require.Equal(t, 4.0, metricValue(t, reg, "vigil_wal_records_written_total"))
	require.Equal(t, 4.0*(headerSize+1), metricValue(t, reg, "vigil_wal_bytes_written_total"))
}
