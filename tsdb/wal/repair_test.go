package wal

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// The corruption tests write 9 incompressible records of recSize bytes, 3 per
// segment, into segments 00000001 to 00000003, then damage one segment.
const (
	recSize    = 1000
	storedSize = headerSize + recSize // 1009
	perSegment = 3
)

// corruptionFixture writes the 9 records and returns them.
func corruptionFixture(t *testing.T, dir string) [][]byte {
	t.Helper()
	l, _ := openCollect(t, dir, Options{SegmentSize: perSegment * storedSize})
	var recs [][]byte
	for i := range 3 * perSegment {
		recs = append(recs, randomBytes(uint64(i), recSize))
		require.NoError(t, l.Log(recs[i]))
	}
	require.NoError(t, l.Close())
	want := map[string]int64{"00000001": 3 * storedSize, "00000002": 3 * storedSize, "00000003": 3 * storedSize}
	require.Equal(t, want, segmentSizes(t, dir))
	return recs
}

// Damage helpers, each applied to one segment file.

func truncateTo(size int64) func(*testing.T, string) {
	return func(t *testing.T, path string) { require.NoError(t, os.Truncate(path, size)) }
}

func xorByte(off int64, mask byte) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		b[off] ^= mask
		require.NoError(t, os.WriteFile(path, b, 0o666))
	}
}

func appendBytes(tail []byte) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		_, err = f.Write(tail)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
}

func remove(t *testing.T, path string) { require.NoError(t, os.Remove(path)) }

// garbage is a well-formed header (flags 0x01, length 16) with a wrong
// checksum, then 16 bytes.
var garbage = append([]byte{0x01, 16, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef}, "sixteen bytes!!!"...)

// snappyRecord is a record flagged as snappy-compressed, with a correct
// checksum, whose payload is body.
func snappyRecord(body []byte) []byte {
	h := make([]byte, headerSize)
	putHeader(h, flagRecord|flagSnappy, body)
	return append(h, body...)
}

func TestOpenRepairsCorruption(t *testing.T) {
	const s = storedSize
	for _, tc := range []struct {
		name     string
		segment  string                   // the damaged segment
		damage   func(*testing.T, string) // applied to its file
		intact   int                      // records before the damage
		wantSegs []string                 // segments left after repair
		wantWarn string                   // in the warning
	}{
		{"torn header", "00000003", truncateTo(2*s + 4), 8, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=2018 reason="torn record header: 4 of 9 bytes" truncated_bytes=4 removed_segments=[]`},
		{"torn payload", "00000003", truncateTo(2*s + headerSize + 500), 8, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=2018 reason="torn record payload: 500 of 1000 bytes" truncated_bytes=509`},
		{"header without payload", "00000003", truncateTo(2*s + headerSize), 8, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=2018 reason="torn record payload: 0 of 1000 bytes"`},
		{"bit flip in payload", "00000003", xorByte(s+headerSize+100, 0x10), 7, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=1009 reason="checksum mismatch: stored `},
		{"bit flip in length", "00000003", xorByte(s+1, 0x01), 7, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=1009 reason="checksum mismatch: stored `},
		{"length past the end", "00000003", xorByte(s+3, 0x01), 7, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=1009 reason="torn record payload: 2009 of 66536 bytes"`},
		{"length over maximum", "00000003", xorByte(s+4, 0x40), 7, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=1009 reason="record length over maximum: 1073742824 bytes, limit 268435456"`},
		{"unknown flags", "00000003", xorByte(s, 0x80), 7, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=1009 reason="invalid record flags 0x81"`},
		{"zero-filled tail", "00000003", appendBytes(make([]byte, 4096)), 9, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=3027 reason="zero-filled tail of 4096 bytes" truncated_bytes=4096`},
		{"short zero-filled tail", "00000003", appendBytes(make([]byte, 5)), 9, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=3027 reason="zero-filled tail of 5 bytes"`},
		{"garbage tail", "00000003", appendBytes(garbage), 9, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=3027 reason="checksum mismatch: stored efbeadde`},
		{"compressed record that does not decode", "00000003", appendBytes(snappyRecord([]byte{0x10, 0xff, 0, 1})), 9, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=3027 reason="undecodable compressed record: s2: corrupt input" truncated_bytes=13`},
		{"compressed record decoding past the maximum", "00000003", appendBytes(snappyRecord([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})), 9, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=3027 reason="record length over maximum: decodes to 4294967295 bytes, limit 268435456"`},
		{"zeros then garbage", "00000003", appendBytes(append(make([]byte, 100), 7)), 9, []string{"00000001", "00000002", "00000003"},
			`segment=00000003 offset=3027 reason="invalid record flags 0x00" truncated_bytes=101`},
		{"bit flip in middle segment", "00000002", xorByte(s+headerSize+5, 0x01), 4, []string{"00000001", "00000002"},
			`segment=00000002 offset=1009 reason="checksum mismatch: stored `},
		{"torn middle segment", "00000002", truncateTo(s + 300), 4, []string{"00000001", "00000002"},
			`segment=00000002 offset=1009 reason="torn record payload: 291 of 1000 bytes" truncated_bytes=300 removed_segments=[00000003]`},
		{"missing middle segment", "00000002", remove, 3, []string{"00000001"},
			`segment=00000001 offset=3027 reason="missing segment 00000002" truncated_bytes=0 removed_segments=[00000003]`},
		{"first record", "00000001", xorByte(20, 0x01), 0, []string{"00000001"},
			`segment=00000001 offset=0 reason="checksum mismatch: stored `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			recs := corruptionFixture(t, dir)
			tc.damage(t, filepath.Join(dir, tc.segment))

			logger, logs := bufferLogger()
			reg := prometheus.NewRegistry()
			opts := Options{SegmentSize: perSegment * storedSize, Logger: logger, Registerer: reg}
			l, got := openCollect(t, dir, opts)
			require.Equal(t, recs[:tc.intact], got)
			require.Contains(t, logs.String(), `level=WARN msg="wal corruption repaired" `+tc.wantWarn)
			require.Equal(t, 1.0, metricValue(t, reg, "vigil_wal_corruptions_total"))
			require.Equal(t, tc.wantSegs, sortedKeys(segmentSizes(t, dir)))

			after := []byte("logged after the repair")
			require.NoError(t, l.Log(after))
			require.NoError(t, l.Close())

			logger, logs = bufferLogger()
			reg = prometheus.NewRegistry()
			opts.Logger, opts.Registerer = logger, reg
			want := append(append([][]byte{}, recs[:tc.intact]...), after)
			require.Equal(t, want, replayAll(t, dir, opts))
			require.Empty(t, logs.String(), "the repaired log must read cleanly")
			require.Equal(t, 0.0, metricValue(t, reg, "vigil_wal_corruptions_total"))
		})
	}
}

func TestCorruptionErrorNamesPosition(t *testing.T) {
	err := error(&CorruptionError{Segment: 3, Offset: 2018, Err: errTornHeader})
	require.EqualError(t, err, "wal segment 00000003 offset 2018: torn record header")
	require.ErrorIs(t, err, errTornHeader)
	require.Equal(t, "wal segment 00000012 offset 0: x", (&CorruptionError{Segment: 12, Err: fmt.Errorf("x")}).Error())
}
