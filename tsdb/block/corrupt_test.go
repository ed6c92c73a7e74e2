package block

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

// writeBlockDir writes a small block and returns its dir.
func writeBlockDir(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	_, err := Write(parent, "b", newListSet(roundTripSeries()), WriteOptions{MaxChunkSamples: 256, PageSize: 8 << 10})
	require.NoError(t, err)
	return filepath.Join(parent, "b")
}

// positions returns offsets spread over a file of size n.
func positions(n int) []int {
	out := []int{0, 1, n / 3, n / 2, n - 5, n - 1}
	for i := 7; i < n; i += n/40 + 1 {
		out = append(out, i)
	}
	return out
}

func TestCorruptionIsDetected(t *testing.T) {
	dir := writeBlockDir(t)
	for _, name := range []string{metaName, indexName, chunksName} {
		path := filepath.Join(dir, name)
		orig, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, pos := range positions(len(orig)) {
			for _, mask := range []byte{0x01, 0x80, 0x20} {
				b := append([]byte(nil), orig...)
				b[pos] ^= mask
				require.NoError(t, os.WriteFile(path, b, 0o644))
				_, err := Open(dir)
				require.ErrorIs(t, err, ErrCorrupt, "%s byte %d ^ %#x", name, pos, mask)
			}
		}
		for _, n := range []int{0, 1, len(orig) / 2, len(orig) - 1} {
			require.NoError(t, os.WriteFile(path, orig[:n], 0o644))
			_, err := Open(dir)
			require.ErrorIs(t, err, ErrCorrupt, "%s truncated to %d", name, n)
		}
		require.NoError(t, os.WriteFile(path, append(append([]byte(nil), orig...), 0), 0o644))
		_, err = Open(dir)
		require.ErrorIs(t, err, ErrCorrupt, "%s extended", name)
		require.NoError(t, os.Remove(path))
		_, err = Open(dir)
		require.ErrorIs(t, err, ErrCorrupt, "%s missing", name)
		require.NoError(t, os.WriteFile(path, orig, 0o644))
		b, err := Open(dir)
		require.NoError(t, err)
		require.NoError(t, b.Close())
	}
}

// The CRC of a page is checked when the page is read: damage after Open is
// an iterator error, not a panic or wrong samples.
func TestPageChecksumOnRead(t *testing.T) {
	dir := writeBlockDir(t)
	b, err := Open(dir)
	require.NoError(t, err)
	defer b.Close()
	path := filepath.Join(dir, chunksName)
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, pos := range []int{fileHeaderSize + 2, fileHeaderSize + 20, len(orig) / 2, len(orig) - 3} {
		d := append([]byte(nil), orig...)
		d[pos] ^= 0x10
		require.NoError(t, os.WriteFile(path, d, 0o644)) // same inode: the open file sees it
		q, err := b.Querier(math.MinInt64, math.MaxInt64)
		require.NoError(t, err)
		set := q.Select(t.Context(), true, nil)
		var it chunkenc.Iterator
		var failed error
		for set.Next() && failed == nil {
			it = set.At().Iterator(it)
			for it.Next() != chunkenc.ValNone {
			}
			failed = it.Err()
		}
		require.ErrorIs(t, failed, ErrCorrupt, "byte %d", pos)
		require.NoError(t, q.Close())
	}
}

func TestMetaIsCanonical(t *testing.T) {
	m := Meta{ID: "x", MinT: -5, MaxT: 7, NumSeries: 1, Level: 2, Parents: []string{"a", "b"}, Version: FormatVersion}
	b, err := encodeMeta(m)
	require.NoError(t, err)
	got, err := decodeMeta(b)
	require.NoError(t, err)
	require.Equal(t, m, got)
	// Equivalent JSON is still not the bytes that were written.
	for _, edit := range []func([]byte) []byte{
		func(b []byte) []byte { return append([]byte(" "), b...) },
		func(b []byte) []byte { return b[:len(b)-1] },
	} {
		_, err := decodeMeta(edit(append([]byte(nil), b...)))
		require.ErrorIs(t, err, ErrCorrupt)
	}
}
