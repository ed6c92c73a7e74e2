package tsdb

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb/block"
)

// blockRanges returns the time ranges and levels of the DB's blocks.
func blockRanges(db *DB) [][3]int64 {
	var out [][3]int64
	for _, m := range db.Blocks() {
		out = append(out, [3]int64{m.MinT, m.MaxT, int64(m.Level)})
	}
	return out
}

func TestCompactionMergesCompleteWindows(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	specs := mixedSeries(13 * hour)
	appendOK(t, db, specs...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	require.Len(t, db.Blocks(), 13)

	require.NoError(t, db.Compact(context.Background()))
	last := 13*hour - 10_000
	require.Equal(t, [][3]int64{{0, 6*hour - 10_000, 2}, {6 * hour, 12*hour - 10_000, 2}, {12 * hour, last, 1}}, blockRanges(db),
		"the 12h–13h block waits for its 6h window to complete")
	require.Len(t, db.Blocks()[0].Parents, 6)
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
	entries, err := os.ReadDir(filepath.Join(dir, "blocks"))
	require.NoError(t, err)
	require.Len(t, entries, 3, "the sources are deleted")

	require.NoError(t, db.Close())
	db = openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
}

func TestOverlappingBlocksAreMergedWithoutDuplicates(t *testing.T) {
	lset := labels.FromStrings("__name__", "x")
	other := t.TempDir()
	db2 := openTestDB(t, Options{Dir: other, BlockDuration: time.Hour})
	appendOK(t, db2, spec(lset, ramp(30*minute, 10_000, 360, 180)...)) // 30m–90m, the same values as below
	_, err := db2.Flush(context.Background())
	require.NoError(t, err)
	require.NoError(t, db2.Close())

	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	appendOK(t, db, spec(lset, ramp(0, 10_000, 360, 0)...)) // 0–60m
	_, err = db.Flush(context.Background())
	require.NoError(t, err)
	require.NoError(t, db.Close())
	entries, err := os.ReadDir(filepath.Join(other, "blocks"))
	require.NoError(t, err)
	for _, e := range entries {
		require.NoError(t, os.Rename(filepath.Join(other, "blocks", e.Name()), filepath.Join(dir, "blocks", "copied-"+e.Name())))
	}

	db = openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	want := []gotSeries{{lset.String(), ramp(0, 10_000, 540, 0)}}
	require.Len(t, db.Blocks(), 3)
	requireSameSamples(t, want, selectEverything(t, db))
	require.NoError(t, db.Compact(context.Background()))
	// The copied data was flushed as two aligned blocks, 30m–60m and
	// 60m–90m; the first overlaps the local block and merges with it.
	require.Equal(t, [][3]int64{{0, hour - 10_000, 2}, {hour, 90*minute - 10_000, 1}}, blockRanges(db))
	requireSameSamples(t, want, selectEverything(t, db))
}

func TestBlocksACompactionReplacedAreDeletedAtOpen(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	specs := mixedSeries(7 * hour)
	appendOK(t, db, specs...)
	_, err := db.Flush(context.Background())
	require.NoError(t, err)
	first := db.Blocks()[0].ID
	saved := filepath.Join(t.TempDir(), first)
	require.NoError(t, os.CopyFS(saved, os.DirFS(filepath.Join(dir, "blocks", first))))
	require.NoError(t, db.Compact(context.Background()))
	require.NoError(t, db.Close())

	// A crash between writing the compacted block and deleting its
	// sources leaves a source behind.
	require.NoError(t, os.Rename(saved, filepath.Join(dir, "blocks", first)))
	db = openTestDB(t, Options{Dir: dir, BlockDuration: time.Hour})
	require.NoDirExists(t, filepath.Join(dir, "blocks", first))
	require.Equal(t, [][3]int64{{0, 6*hour - 10_000, 2}, {6 * hour, 7*hour - 10_000, 1}}, blockRanges(db))
	requireSameSamples(t, wantOf(specs), selectEverything(t, db))
}

func TestCompactionPlanWindows(t *testing.T) {
	const r = 10
	metas := func(ranges ...[2]int64) []block.Meta {
		var out []block.Meta
		for _, x := range ranges {
			out = append(out, block.Meta{MinT: x[0], MaxT: x[1]})
		}
		return out
	}
	cases := []struct {
		name     string
		blocks   []block.Meta
		complete int64
		want     int // blocks in the first group
	}{
		{"two in a complete window", metas([2]int64{0, 9}, [2]int64{10, 19}), 60, 2},
		{"window not complete", metas([2]int64{0, 9}, [2]int64{10, 19}), 59, 0},
		{"one block per window", metas([2]int64{0, 59}, [2]int64{60, 69}), 1000, 0},
		{"straddling block skipped", metas([2]int64{0, 9}, [2]int64{55, 65}, [2]int64{70, 79}, [2]int64{80, 89}), 1000, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i, j := windowGroup(c.blocks, 6*r, c.complete)
			require.Equal(t, c.want, j-i)
		})
	}
}
