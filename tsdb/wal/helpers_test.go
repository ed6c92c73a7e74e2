package wal

import (
	"bytes"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// openCollect opens the log in dir and returns it with copies of the
// records it replayed.
func openCollect(t testing.TB, dir string, opts Options) (*Log, [][]byte) {
	t.Helper()
	got := [][]byte{}
	l, err := Open(dir, opts, func(rec []byte) error {
		got = append(got, append([]byte{}, rec...))
		return nil
	})
	require.NoError(t, err)
	return l, got
}

// replayAll opens and closes the log in dir and returns its records.
func replayAll(t testing.TB, dir string, opts Options) [][]byte {
	t.Helper()
	l, got := openCollect(t, dir, opts)
	require.NoError(t, l.Close())
	return got
}

// logCalls logs every call, one Log call per element.
func logCalls(t testing.TB, l *Log, calls [][][]byte) {
	t.Helper()
	for _, c := range calls {
		require.NoError(t, l.Log(c...))
	}
}

// flatten returns the records of calls in order.
func flatten(calls [][][]byte) [][]byte {
	var out [][]byte
	for _, c := range calls {
		out = append(out, c...)
	}
	return out
}

// randomBytes returns n incompressible bytes from a fixed seed.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)})
	_, _ = r.Read(b)
	return b
}

// textBytes returns n compressible bytes that look like series labels and
// varint samples.
func textBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b []byte
	for len(b) < n {
		b = append(b, `{__name__="http_requests_total",job="api",instance="10.0.0.`...)
		b = append(b, byte('0'+r.IntN(10)), byte('0'+r.IntN(10)), '"', '}')
		b = append(b, byte(r.IntN(256)), byte(r.IntN(4)), 0x0a)
	}
	return b[:n]
}

// segmentSizes returns the segment files in dir with their sizes.
func segmentSizes(t testing.TB, dir string) map[string]int64 {
	t.Helper()
	segs, err := listSegments(dir)
	require.NoError(t, err)
	out := map[string]int64{}
	for _, n := range segs {
		fi, err := os.Stat(filepath.Join(dir, segmentName(n)))
		require.NoError(t, err)
		out[segmentName(n)] = fi.Size()
	}
	return out
}

// metricValue returns a counter's value, or a histogram's sample count,
// from reg.
func metricValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if h := m.GetHistogram(); h != nil {
			return float64(h.GetSampleCount())
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// bufferLogger returns a logger that writes text lines into the returned
// buffer.
func bufferLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]int64) []string {
	return slices.Sorted(maps.Keys(m))
}
