package tsdb

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

// withRecordSplit lowers recordSplitSize for one test. Tests that call it
// must not run in parallel.
func withRecordSplit(t *testing.T, n int) {
	old := recordSplitSize
	recordSplitSize = n
	t.Cleanup(func() { recordSplitSize = old })
}

// spyLog passes Log calls on to a real log, counting them and keeping a copy
// of every record.
type spyLog struct {
	inner recordLog
	calls int
	recs  [][]byte
}

func (s *spyLog) Log(recs ...[]byte) error {
	s.calls++
	for _, r := range recs {
		s.recs = append(s.recs, bytes.Clone(r))
	}
	return s.inner.Log(recs...)
}

// loggedSample is one entry of a samples record.
type loggedSample struct {
	ref storage.SeriesRef
	s   Sample
}

// splitBatch returns n series of m accepted samples each (a stale marker
// among them) followed by an out-of-order and a duplicate sample, and what
// a query must return after it: the accepted samples.
func splitBatch(n, m int) (*Batch, []gotSeries) {
	var specs []seriesSpec
	var want []gotSeries
	for i := range n {
		lset := labels.FromStrings("__name__", "split_test", "i", fmt.Sprintf("%05d", i), "pad", strings.Repeat("x", i%40))
		samples := ramp(1_700_000_000_000+int64(i), 15_000, m, float64(i)*0.5)
		samples[m/2].V = math.Float64frombits(0x7ff0000000000002) // stale marker
		want = append(want, gotSeries{Labels: lset.String(), Samples: samples})
		all := append(append([]Sample(nil), samples...), samples[0], samples[m-1])
		specs = append(specs, spec(lset, all...))
	}
	return batchOf(specs...), want
}

// decodeLogged decodes every record on its own, as replay does, and checks
// the split: series records come first, every record but the last of its
// kind is full (at least split bytes) and none passes split by more than
// one entry (at most maxEntry bytes).
func decodeLogged(t *testing.T, recs [][]byte, split, maxSeriesEntry int) (series, samples int, entries []loggedSample) {
	t.Helper()
	sb := labels.NewScratchBuilder(0)
	for i, rec := range recs {
		var err error
		switch rec[0] {
		case recordSeries:
			require.Zero(t, samples, "series record %d after a samples record", i)
			series++
			require.Less(t, len(rec), split+maxSeriesEntry, "series record %d", i)
			err = decodeSeriesRecord(rec[1:], &sb, func(storage.SeriesRef, labels.Labels) error { return nil })
		case recordSamples:
			samples++
			require.Less(t, len(rec), split+28, "samples record %d", i) // 28: the longest sample entry
			err = decodeSamplesRecord(rec[1:], func(ref storage.SeriesRef, ts int64, v float64) {
				entries = append(entries, loggedSample{ref, Sample{ts, v}})
			})
		}
		require.NoError(t, err, "record %d", i)
		if i+1 < len(recs) && recs[i+1][0] == rec[0] {
			require.GreaterOrEqual(t, len(rec), split, "record %d is not full but the next one is of its kind", i)
		}
	}
	return series, samples, entries
}

// maxSeriesEntry is the longest series entry of the batch.
func maxSeriesEntry(b *Batch) int {
	n := 0
	for _, bs := range b.Series {
		n = max(n, len(appendSeriesEntry(nil, math.MaxUint64, bs.Labels))-1)
	}
	return n
}

// wantLogged is the samples records' entries for want, in batch order.
func wantLogged(db *DB, want []gotSeries) []loggedSample {
	refs := map[string]storage.SeriesRef{}
	for ref, lset := range refsOf(db) {
		refs[lset] = ref
	}
	var out []loggedSample
	for _, s := range want {
		for _, smp := range s.Samples {
			out = append(out, loggedSample{refs[s.Labels], smp})
		}
	}
	return out
}

// requireLoggedEqual compares logged entries bit for bit, without a require
// call per sample (there are hundreds of thousands).
func requireLoggedEqual(t *testing.T, want, got []loggedSample) {
	t.Helper()
	require.Equal(t, len(want), len(got), "logged samples")
	for i, w := range want {
		g := got[i]
		if w.ref != g.ref || w.s.T != g.s.T || math.Float64bits(w.s.V) != math.Float64bits(g.s.V) {
			t.Fatalf("logged sample %d: want %+v, got %+v", i, w, g)
		}
	}
}

func TestAppendBatchSplitsRecordsInOneLogCall(t *testing.T) {
	const split = 256
	withRecordSplit(t, split)
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir})
	b, want := splitBatch(60, 30)

	spy := &spyLog{inner: db.wal}
	res, err := db.head.appendBatch(b, spy)
	require.NoError(t, err)
	require.Equal(t, [4]int{60 * 30, 60, 60, 0}, [4]int{res.Appended, res.Duplicates, res.OutOfOrder, res.Conflicts})
	require.Equal(t, 1, spy.calls)
	series, samples, entries := decodeLogged(t, spy.recs, split, maxSeriesEntry(b))
	require.Greater(t, series, 5)
	require.Greater(t, samples, 50)
	requireLoggedEqual(t, wantLogged(db, want), entries)

	// Known series: samples records only, still one call.
	b2, want2 := splitBatch(60, 10)
	for i := range b2.Series {
		shift(b2.Series[i].Samples, 30*15_000)
		shift(want2[i].Samples, 30*15_000)
		want[i].Samples = append(want[i].Samples, want2[i].Samples...)
	}
	spy = &spyLog{inner: db.wal}
	_, err = db.head.appendBatch(b2, spy)
	require.NoError(t, err)
	require.Equal(t, 1, spy.calls)
	series, samples, entries = decodeLogged(t, spy.recs, split, 0)
	require.Zero(t, series)
	require.Greater(t, samples, 10)
	requireLoggedEqual(t, wantLogged(db, want2), entries)

	wantRefs := refsOf(db)
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
	require.NoError(t, db.Close())
	db = openTestDB(t, Options{Dir: dir})
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
	require.Equal(t, wantRefs, refsOf(db))
}

func shift(samples []Sample, d int64) {
	for i := range samples {
		samples[i].T += d
	}
}

// TestAppendBatchLargeBatchReplays appends 300k samples with the default
// split size: several samples records in one Log call, all replayed.
func TestAppendBatchLargeBatchReplays(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, WALSyncInterval: time.Hour})
	b, want := splitBatch(3000, 100)

	spy := &spyLog{inner: db.wal}
	res, err := db.head.appendBatch(b, spy)
	require.NoError(t, err)
	require.Equal(t, 300_000, res.Appended)
	require.Equal(t, 1, spy.calls)
	series, samples, entries := decodeLogged(t, spy.recs, recordSplitSize, maxSeriesEntry(b))
	require.Equal(t, 1, series) // 3000 series entries fit in 1 MiB
	require.GreaterOrEqual(t, samples, 3)
	wantEntries := wantLogged(db, want)
	requireLoggedEqual(t, wantEntries, entries)
	require.NoError(t, db.Close())

	db = openTestDB(t, Options{Dir: dir})
	require.Equal(t, 3000, db.NumSeries())
	requireLoggedEqual(t, wantEntries, queriedLogged(t, db, want))
}

// queriedLogged reads every series of want from db as logged entries, in
// want's order.
func queriedLogged(t *testing.T, db *DB, want []gotSeries) []loggedSample {
	t.Helper()
	refs := map[string]storage.SeriesRef{}
	for ref, lset := range refsOf(db) {
		refs[lset] = ref
	}
	got := selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries)
	var out []loggedSample
	for _, s := range got {
		for _, smp := range s.Samples {
			out = append(out, loggedSample{refs[s.Labels], smp})
		}
	}
	return out
}

// TestTornMultiRecordWriteReplaysAPrefix cuts the WAL inside the records of
// one Log call, as a machine crash during an unacknowledged write can: the
// replay restores every series (their records come first) and a prefix, in
// batch order, of the samples.
func TestTornMultiRecordWriteReplaysAPrefix(t *testing.T) {
	withRecordSplit(t, 256)
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir})
	b, want := splitBatch(60, 30)
	res, err := db.AppendBatch(b)
	require.NoError(t, err)
	require.Equal(t, 60*30, res.Appended)
	wantEntries := wantLogged(db, want)
	// A crash, not Close, which would checkpoint: copy the directory.
	crashed := t.TempDir()
	require.NoError(t, os.CopyFS(crashed, os.DirFS(dir)))
	dir = crashed

	seg := filepath.Join(dir, "wal", "00000001")
	fi, err := os.Stat(seg)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(seg, fi.Size()*3/4))

	db = openTestDB(t, Options{Dir: dir})
	require.Equal(t, 60, db.NumSeries())
	got := queriedLogged(t, db, want)
	require.Greater(t, len(got), 0)
	require.Less(t, len(got), len(wantEntries))
	requireLoggedEqual(t, wantEntries[:len(got)], got)
}

// TestAppendBatchMultiRecordDoesNotAllocate pins the hot path when a batch
// spans several records: the pooled record buffers are reused.
func TestAppendBatchMultiRecordDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("-race makes sync.Pool drop items; allocation counts mean nothing")
	}
	withRecordSplit(t, 512)
	db := openTestDB(t, Options{WALSyncInterval: time.Hour, Shards: 4})
	ts, v := int64(2_000_000_000_000), 0.0
	b, _ := splitBatch(500, 1)
	for i := range b.Series {
		b.Series[i].Samples = append(b.Series[i].Samples[:0], Sample{T: ts, V: v})
	}
	spy := &spyLog{inner: db.wal}
	_, err := db.head.appendBatch(b, spy) // creates the series
	require.NoError(t, err)
	_, samples, _ := decodeLogged(t, spy.recs, 512, maxSeriesEntry(b))
	require.Greater(t, samples, 5, "the batch spans several samples records")

	appendNext := func() {
		ts, v = ts+10, v+1
		for i := range b.Series {
			b.Series[i].Samples[0] = Sample{T: ts, V: v}
		}
		res, err := db.AppendBatch(b)
		if err != nil || res.Appended != len(b.Series) {
			t.Fatalf("append at %d: %+v, %v", ts, res, err)
		}
	}
	// Steady state: the open chunks have grown to a full chunk's size and
	// been reused once. 1+50 more samples per series close no chunk.
	for range samplesPerChunk {
		appendNext()
	}
	require.Less(t, 1+samplesPerChunk+1+50, 2*samplesPerChunk)
	require.Zero(t, testing.AllocsPerRun(50, appendNext))
}

func TestAppendStateFitsPool(t *testing.T) {
	for name, tc := range map[string]struct {
		st   *appendState
		fits bool
	}{
		"empty":          {&appendState{}, true},
		"records at cap": {&appendState{samplesRecs: recordSet{bufs: [][]byte{make([]byte, 0, maxPooledRecordBytes/2)}}, seriesRecs: recordSet{bufs: [][]byte{make([]byte, 0, maxPooledRecordBytes/2)}}}, true},
		"records over":   {&appendState{samplesRecs: recordSet{bufs: [][]byte{make([]byte, 0, maxPooledRecordBytes/2), make([]byte, 0, maxPooledRecordBytes/2+1)}}}, false},
		"samples over":   {&appendState{samples: make([]Sample, 0, maxPooledSamples+1)}, false},
		"items over":     {&appendState{items: make([]appendItem, 0, maxPooledSamples+1)}, false},
	} {
		require.Equal(t, tc.fits, tc.st.fitsPool(), name)
	}
}
