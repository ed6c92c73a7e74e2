package block

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireNoBlock checks that parent holds no block id, and that RemoveTmp
// leaves nothing behind.
func requireNoBlock(t *testing.T, parent, id string) {
	t.Helper()
	_, err := Open(filepath.Join(parent, id))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, RemoveTmp(parent))
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestCrashAtEveryStep(t *testing.T) {
	series := roundTripSeries()[:50]
	crash := errors.New("crash")
	for _, step := range steps {
		for _, keepTmp := range []bool{true, false} {
			parent := t.TempDir()
			var seen []string
			opts := WriteOptions{hooks: writeHooks{keepTmp: keepTmp, step: func(s string) error {
				seen = append(seen, s)
				if s == step {
					return crash
				}
				return nil
			}}}
			_, err := Write(parent, "b", newListSet(series), opts)
			require.ErrorIs(t, err, crash, step)
			require.Equal(t, step, seen[len(seen)-1])

			b, err := Open(filepath.Join(parent, "b"))
			if step != "sync parent" { // the block was not renamed yet
				require.ErrorIs(t, err, fs.ErrNotExist, step)
				requireNoBlock(t, parent, "b")
				// A retry succeeds.
				_, err = Write(parent, "b", newListSet(series), WriteOptions{})
				require.NoError(t, err)
				b, err = Open(filepath.Join(parent, "b"))
			}
			require.NoError(t, err, step)
			q, err := b.Querier(math.MinInt64, math.MaxInt64)
			require.NoError(t, err)
			requireSameSeries(t, series, readAll(t, q, nil))
			require.NoError(t, q.Close())
			require.NoError(t, b.Close())
			require.NoError(t, RemoveTmp(parent))
			entries, err := os.ReadDir(parent)
			require.NoError(t, err)
			require.Len(t, entries, 1)
		}
	}
}

func TestStepsAreAllCalled(t *testing.T) {
	var seen []string
	opts := WriteOptions{hooks: writeHooks{step: func(s string) error { seen = append(seen, s); return nil }}}
	_, err := Write(t.TempDir(), "b", newListSet(roundTripSeries()[:3]), opts)
	require.NoError(t, err)
	require.Equal(t, steps, seen)
}

func TestWriteExisting(t *testing.T) {
	parent := t.TempDir()
	_, err := Write(parent, "b", newListSet(roundTripSeries()[:3]), WriteOptions{})
	require.NoError(t, err)
	_, err = Write(parent, "b", newListSet(roundTripSeries()[:3]), WriteOptions{})
	require.ErrorContains(t, err, "already exists")
}
