package tsdb

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb/block"
)

// TestCrashAtEveryStepOfACut runs a cut by hand, step by step, and after
// each step opens a copy of the data directory as a crash at that moment
// would leave it: every store opens and answers every acknowledged sample
// exactly once. (Crashes inside block.Write are tsdb/block's tests: they
// leave the whole block or none, plus perhaps a .tmp directory.)
func TestCrashAtEveryStepOfACut(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, BlockDuration: time.Hour}
	db := openTestDB(t, opts)
	specs := mixedSeries(2*hour + 10*minute)
	appendOK(t, db, specs...)
	want := wantOf(specs)
	db.maintainMu.Lock() // keep the maintenance loop out
	defer db.maintainMu.Unlock()

	check := func(step string, damage func(dir string)) {
		t.Helper()
		copied := crashCopy(t, dir)
		if damage != nil {
			damage(copied)
		}
		o := opts
		o.Dir = copied
		crashed := openTestDB(t, o)
		requireSameSamples(t, want, selectEverything(t, crashed))
		require.NoError(t, crashed.Close(), step)
	}

	const cut = hour
	check("before the cut", nil)
	db.head.setMinValidTime(cut)
	check("minimum valid time raised", nil)

	id := db.newBlockID(0, cut-1)
	check("block half written", func(dir string) {
		tmp := filepath.Join(dir, "blocks", id+".tmp")
		require.NoError(t, os.MkdirAll(tmp, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(tmp, "chunks"), []byte("torn"), 0o644))
	})
	_, err := block.Write(db.blocksDir(), id, db.head.blockSource(0, cut-1), block.WriteOptions{})
	require.NoError(t, err)
	check("block written, not yet served", nil)
	require.NoError(t, db.addBlock(id))
	check("block served", nil)
	db.head.truncateBefore(cut)
	check("head truncated", nil)

	segments := func() []string {
		names, err := filepath.Glob(filepath.Join(dir, "wal", "0*"))
		require.NoError(t, err)
		return names
	}
	before := map[string][]byte{}
	for _, name := range segments() {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		before[filepath.Base(name)] = b
	}
	require.NoError(t, db.checkpoint())
	require.Less(t, len(segments()), len(before)+1, "the checkpoint removed the WAL before it")
	check("checkpoint written, old WAL removed", nil)
	check("checkpoint written, old WAL not yet removed", func(dir string) {
		for name, b := range before {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "wal", name), b, 0o644))
		}
	})
	check("a newer checkpoint half written", func(dir string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "wal", "checkpoint.99999999.tmp"), []byte("torn"), 0o644))
	})
}
