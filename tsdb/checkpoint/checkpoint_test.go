package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	many := genSeries(1, 20_000)
	for _, tc := range []struct {
		name       string
		series     []Series
		maxSymbols int
	}{
		{"no series", nil, defaultMaxSymbols},
		{"empty series", []Series{{Labels: labels.EmptyLabels()}}, defaultMaxSymbols},
		{"many series", many, defaultMaxSymbols},
		{"no symbol table", many, 0},
		{"symbol table fills up", many, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), Name(42))
			meta := Meta{Segment: 42, NextID: 1 << 40, MinValidTime: -123456789}
			require.NoError(t, write(path, meta, yieldAll(tc.series), writeOptions{maxSymbols: tc.maxSymbols}))
			m, got := readAll(t, path)
			require.Equal(t, meta, m)
			require.Equal(t, canonAll(tc.series), got)
			require.NoFileExists(t, path+".tmp")
		})
	}
}

func TestReadChunkDataMayBeKept(t *testing.T) {
	ss := genSeries(2, 500)
	path := filepath.Join(t.TempDir(), "cp")
	mustWrite(t, path, Meta{}, ss)
	var kept [][]byte
	var lbls []labels.Labels
	_, err := Read(path, func(s *Series) error {
		for _, c := range s.Chunks {
			require.Equal(t, len(c.Data), cap(c.Data), "append must copy")
			kept = append(kept, append(c.Data, 0xff)[:len(c.Data)]) // appending must not clobber the next series
		}
		lbls = append(lbls, s.Labels)
		return nil
	})
	require.NoError(t, err)
	var want [][]byte
	for i, s := range ss {
		for _, c := range s.Chunks {
			want = append(want, c.Data)
		}
		require.Equal(t, s.Labels.String(), lbls[i].String())
	}
	require.Equal(t, want, kept)
}

// smallFile writes a checkpoint of a few series and returns its path and
// bytes.
func smallFile(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), Name(7))
	mustWrite(t, path, Meta{Segment: 7, NextID: 9}, genSeries(3, 6))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, b
}

// requireCorrupt reads path and requires an ErrCorrupt naming it, with fn
// never called.
func requireCorrupt(t *testing.T, path string, msg string) {
	t.Helper()
	called := false
	_, err := Read(path, func(*Series) error { called = true; return nil })
	require.ErrorIs(t, err, ErrCorrupt, msg)
	require.Contains(t, err.Error(), "read checkpoint "+path+": corrupt checkpoint: ", msg)
	require.False(t, called, "fn saw a series of a corrupt file (%s)", msg)
}

func TestReadCorruptByte(t *testing.T) {
	path, good := smallFile(t)
	for off := range good {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			b := append([]byte{}, good...)
			b[off] ^= flip
			require.NoError(t, os.WriteFile(path, b, 0o666))
			requireCorrupt(t, path, fmt.Sprintf("byte %d ^ %#x", off, flip))
		}
	}
}

func TestReadTruncated(t *testing.T) {
	path, good := smallFile(t)
	for n := range len(good) {
		require.NoError(t, os.WriteFile(path, good[:n], 0o666))
		requireCorrupt(t, path, "truncated")
	}
}

func TestReadCorruptStructureBehindAValidChecksum(t *testing.T) {
	path, good := smallFile(t)
	body := good[:len(good)-trailerSize]
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"garbage after the series", withTrailer(append(body, 0x05, 0xff), 6), "at offset"},
		{"count too high", withTrailer(body, 7), "6 series, trailer says 7"},
		{"count too low", withTrailer(body, 0), "6 series, trailer says 0"},
		{"unknown symbol", withTrailer(append(body, 1, 1, 50, 50), 7), "symbol 48"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(path, tc.file, 0o666))
			requireCorrupt(t, path, tc.name)
			_, err := Read(path, func(*Series) error { return nil })
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestReadVersionAndName(t *testing.T) {
	path, good := smallFile(t)
	b := append([]byte{}, good[:len(good)-trailerSize]...)
	b[len(magic)] = 2
	require.NoError(t, os.WriteFile(path, withTrailer(b, 6), 0o666))
	_, err := Read(path, nil)
	require.EqualError(t, err, "read checkpoint "+path+": unsupported checkpoint version 2 (this build reads 1)")

	other := filepath.Join(filepath.Dir(path), Name(8))
	require.NoError(t, os.WriteFile(other, good, 0o666))
	_, err = Read(other, func(*Series) error { return nil })
	require.EqualError(t, err, "read checkpoint "+other+": corrupt checkpoint: file holds segment 7")

	_, err = Read(filepath.Join(filepath.Dir(path), "missing"), nil)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestReadCallbackError(t *testing.T) {
	path, _ := smallFile(t)
	stop := errors.New("stop")
	calls := 0
	_, err := Read(path, func(*Series) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.EqualError(t, err, "read checkpoint "+path+": series 2 (ref 4): stop")
	require.Equal(t, 2, calls)
}

func TestWriteErrorKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, Name(5))
	mustWrite(t, path, Meta{Segment: 5}, genSeries(4, 3))
	require.NoError(t, os.WriteFile(path+".tmp", []byte("leftover"), 0o666))
	stop := errors.New("head closed")
	ss := genSeries(5, 10)
	err := Write(path, Meta{Segment: 5}, func(yield func(*Series) error) error {
		for i := range 5 {
			if err := yield(&ss[i]); err != nil {
				return err
			}
		}
		return stop
	})
	require.ErrorIs(t, err, stop)
	require.EqualError(t, err, "write checkpoint "+path+": head closed")
	require.NoFileExists(t, path+".tmp")
	_, got := readAll(t, path)
	require.Equal(t, canonAll(genSeries(4, 3)), got)

	mustWrite(t, path, Meta{Segment: 5}, ss) // replaces it
	_, got = readAll(t, path)
	require.Equal(t, canonAll(ss), got)
}

func TestWriteMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", Name(1))
	err := Write(path, Meta{Segment: 1}, yieldAll(nil))
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorContains(t, err, "write checkpoint "+path+": ")
}

func TestName(t *testing.T) {
	require.Equal(t, "checkpoint.00000012", Name(12))
	require.Equal(t, "checkpoint.123456789", Name(123456789))
	for name, want := range map[string]int{"checkpoint.00000012": 12, "checkpoint.123456789": 123456789} {
		n, ok := parseName(name)
		require.True(t, ok, name)
		require.Equal(t, want, n)
	}
	for _, name := range []string{"checkpoint.", "checkpoint.0000012", "checkpoint.00000012.tmp", "00000012",
		"checkpoint.0000001x", "Checkpoint.00000012", "checkpoint.-0000012", "checkpoint.99999999999999999999"} {
		_, ok := parseName(name)
		require.False(t, ok, name)
	}
}

func TestNewest(t *testing.T) {
	dir := t.TempDir()
	_, _, ok, err := Newest(dir)
	require.NoError(t, err)
	require.False(t, ok, "empty dir")
	_, _, ok, err = Newest(filepath.Join(dir, "missing"))
	require.NoError(t, err)
	require.False(t, ok, "missing dir")

	for _, name := range []string{"checkpoint.00000003", "checkpoint.00000012", "checkpoint.00000013.tmp", "00000014", "checkpoint.0000001x"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o666))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "checkpoint.00000020"), 0o777))
	path, seg, ok, err := Newest(dir)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, filepath.Join(dir, "checkpoint.00000012"), path)
	require.Equal(t, 12, seg)
}

func TestReadAllocations(t *testing.T) {
	ss := genSeries(6, 1000)
	path := filepath.Join(t.TempDir(), "cp")
	mustWrite(t, path, Meta{}, ss)
	buf, err := os.ReadFile(path)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(5, func() {
		_, err := decode(buf, func(*Series) error { return nil })
		require.NoError(t, err)
	})
	// One per series for its labels, plus the decoder and the growth of
	// its reused slices.
	require.LessOrEqual(t, allocs, float64(len(ss)+20))
}
