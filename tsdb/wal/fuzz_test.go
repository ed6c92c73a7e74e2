package wal

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// FuzzReplay writes arbitrary bytes as the only segment: Open must not panic
// or fail, and must leave a log that takes a record and reads back cleanly.
// More seeds are in testdata/fuzz/FuzzReplay.
func FuzzReplay(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeRecords(nil, [][]byte{{}, []byte("a"), textBytes(1, 500), randomBytes(1, 100)}))
	f.Add(append(encodeRecords(nil, [][]byte{textBytes(2, 300)}), 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, segmentName(firstSegment)), data, 0o666))
		opts := Options{SyncInterval: time.Hour, Logger: slog.New(slog.DiscardHandler)}
		l, got := openCollect(t, dir, opts)
		after := []byte("logged after the repair")
		require.NoError(t, l.Log(after))
		require.NoError(t, l.Close())

		reg := prometheus.NewRegistry()
		opts.Registerer = reg
		require.Equal(t, append(got, after), replayAll(t, dir, opts))
		require.Equal(t, 0.0, metricValue(t, reg, "vigil_wal_corruptions_total"))
	})
}

// FuzzSegmentReader runs the record reader over arbitrary bytes in memory,
// much faster than FuzzReplay: it must stop at io.EOF or a CorruptionError
// inside the data, and the records it returns must encode and read back
// unchanged.
func FuzzSegmentReader(f *testing.F) {
	f.Add(encodeRecords(nil, [][]byte{{}, []byte("a"), textBytes(1, 500), randomBytes(1, 100)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, end, err := readRecords(data)
		if c, ok := errors.AsType[*CorruptionError](err); ok {
			require.Equal(t, end, c.Offset, "corruption reported where the intact records end")
		} else {
			require.ErrorIs(t, err, io.EOF)
			require.Equal(t, int64(len(data)), end)
		}
		again, _, err := readRecords(encodeRecords(nil, recs))
		require.ErrorIs(t, err, io.EOF)
		require.Equal(t, recs, again)
	})
}

// readRecords reads data as one segment and returns copies of its intact
// records, where they end, and what stopped the reader.
func readRecords(data []byte) ([][]byte, int64, error) {
	r := newSegmentReader(MaxRecordSize)
	r.reset(bytes.NewReader(data), firstSegment, int64(len(data)))
	recs := [][]byte{}
	for {
		rec, err := r.next()
		if err != nil {
			return recs, r.off, err
		}
		recs = append(recs, append([]byte{}, rec...))
	}
}
