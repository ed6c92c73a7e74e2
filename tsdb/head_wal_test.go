package tsdb

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

// refsOf returns every series ref of the head with its labels.
func refsOf(db *DB) map[storage.SeriesRef]string {
	out := map[storage.SeriesRef]string{}
	for i := range db.head.shards {
		sh := &db.head.shards[i]
		sh.mu.RLock()
		for ref, s := range sh.byRef {
			out[ref] = db.head.labelsOf(s).String()
		}
		sh.mu.RUnlock()
	}
	return out
}

var anySeries = labels.MustNewMatcher(labels.MatchRegexp, "__name__", ".+")

// fillSeries appends n series with samples over several batches, some of
// them rejected, and returns what the head holds.
func fillSeries(t *testing.T, db *DB, n int) []gotSeries {
	t.Helper()
	for round := range 5 {
		var specs []seriesSpec
		for i := range n {
			lset := labels.FromStrings("__name__", fmt.Sprintf("m%d", i%3), "i", fmt.Sprint(i))
			samples := ramp(int64(round*100*10), 10, 100, float64(i))
			samples = append(samples, Sample{T: 0, V: 7}) // out of order after round 0
			specs = append(specs, spec(lset, samples...))
		}
		appendOK(t, db, specs...)
	}
	return selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries)
}

func TestReplayRestoresSeriesSamplesAndRefs(t *testing.T) {
	for _, sync := range []struct {
		name     string
		interval time.Duration
	}{{"sync every batch", 0}, {"sync interval", time.Hour}} {
		t.Run(sync.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openTestDB(t, Options{Dir: dir, WALSyncInterval: sync.interval})
			want := fillSeries(t, db, 50)
			wantRefs := refsOf(db)
			require.Len(t, wantRefs, 50)
			require.NoError(t, db.Close())

			db = openTestDB(t, Options{Dir: dir})
			requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
			require.Equal(t, wantRefs, refsOf(db))
			require.Equal(t, 50, db.NumSeries())

			// Validation continues from the replayed state; new ids follow the old.
			res := appendOK(t, db, spec(labels.FromStrings("__name__", "m0", "i", "0"), Sample{T: 10, V: 1}),
				spec(labels.FromStrings("__name__", "new"), Sample{T: 1, V: 1}))
			require.Equal(t, 1, res.OutOfOrder)
			require.Equal(t, 1, res.Appended)
			for ref, lset := range refsOf(db) {
				if lset == `{__name__="new"}` {
					require.Equal(t, uint64(51), uint64(ref)>>refShardBits)
				}
			}
		})
	}
}

func TestReplayWithAnotherShardCount(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, Shards: 2})
	want := fillSeries(t, db, 40)
	wantRefs := refsOf(db)
	require.NoError(t, db.Close())

	db = openTestDB(t, Options{Dir: dir, Shards: 64})
	requireSameSamples(t, want, selectAll(t, db, math.MinInt64, math.MaxInt64, nil, anySeries))
	require.Equal(t, wantRefs, refsOf(db))
	// Known series are found in their new shards, not created again.
	res := appendOK(t, db, spec(labels.FromStrings("__name__", "m1", "i", "1"), Sample{T: 1e6, V: 1}))
	require.Equal(t, AppendResult{Appended: 1}, res)
	require.Equal(t, 40, db.NumSeries())
}

func TestReplayOfSeriesDroppedAndCreatedAgain(t *testing.T) {
	dir := t.TempDir()
	th := openTestHead(t, dir, 0, math.MinInt64)
	lset := labels.FromStrings("__name__", "m")
	th.append(t, spec(lset, Sample{T: 1000, V: 1}))
	th.h.setMinValidTime(2000) // what a cut does, once the block holds the sample
	th.h.truncateBefore(2000)
	require.Equal(t, int64(0), th.h.numSeries.Load())
	res := th.append(t, spec(lset, Sample{T: 500, V: 2}, Sample{T: 3000, V: 3}))
	require.Equal(t, AppendResult{Appended: 1, OutOfOrder: 1}, withoutError(res))
	wantStates := statesOf(th.h)
	require.NoError(t, th.w.Close())

	// Without a checkpoint the WAL still holds the first ref and the
	// sample the block holds: the replay skips that sample, and the series
	// keeps its newest ref.
	re := openTestHead(t, dir, 0, 2000)
	require.Equal(t, wantStates, statesOf(re.h))
	requireSameSamples(t, []gotSeries{{lset.String(), []Sample{{3000, 3}}}}, dumpHead(t, re.h))
	require.Equal(t, 1, re.replay.outOfBounds)
}

func TestReplayRejectsBadRecords(t *testing.T) {
	h := newHead(4)
	r := newReplayer(h)
	good := appendSeriesEntry(nil, 1<<refShardBits|storage.SeriesRef(labelHash(labels.FromStrings("a", "b"))&refShardMask), labels.FromStrings("a", "b"))
	require.NoError(t, r.record(good))
	for name, rec := range map[string][]byte{
		"empty":         {},
		"unknown type":  {9, 1, 2},
		"truncated":     good[:len(good)-1],
		"wrong hash":    appendSeriesEntry(nil, 2<<refShardBits|storage.SeriesRef(^labelHash(labels.FromStrings("c", "d"))&refShardMask), labels.FromStrings("c", "d")),
		"short samples": appendSampleEntry(nil, 1, 5, 1)[:5],
	} {
		require.Error(t, r.record(rec), name)
	}
	// A sample of a series the WAL never named is skipped, not fatal.
	require.NoError(t, r.record(appendSampleEntry(nil, 77<<refShardBits, 5, 1)))
	require.Equal(t, 1, r.unknownRefs)
}

func TestRecordsRoundTrip(t *testing.T) {
	var rec []byte
	in := []labels.Labels{labels.FromStrings("__name__", "up", "job", "a"), labels.FromStrings("x", "ü\xff", "y", "")}
	for i, lset := range in {
		rec = appendSeriesEntry(rec, storage.SeriesRef(i+1)<<20, lset)
	}
	require.Equal(t, recordSeries, rec[0])
	var got []labels.Labels
	sb := labels.NewScratchBuilder(0)
	require.NoError(t, decodeSeriesRecord(rec[1:], &sb, func(ref storage.SeriesRef, lset labels.Labels) error {
		require.Equal(t, storage.SeriesRef(len(got)+1)<<20, ref)
		got = append(got, lset)
		return nil
	}))
	require.Equal(t, in, got)

	samples := []Sample{{T: 1e12, V: 1.5}, {T: 1e12 - 5, V: math.Inf(1)}, {T: math.MaxInt64, V: -0}, {T: math.MinInt64, V: 3}}
	rec = nil
	for i, s := range samples {
		rec = appendSampleEntry(rec, storage.SeriesRef(i), s.T, s.V)
	}
	var gotSamples []Sample
	var refs []storage.SeriesRef
	require.NoError(t, decodeSamplesRecord(rec[1:], func(ref storage.SeriesRef, ts int64, v float64) {
		refs = append(refs, ref)
		gotSamples = append(gotSamples, Sample{ts, v})
	}))
	require.Equal(t, []storage.SeriesRef{0, 1, 2, 3}, refs)
	require.Equal(t, samples, gotSamples)
}

func FuzzReplayRecord(f *testing.F) {
	f.Add(appendSeriesEntry(nil, 1<<refShardBits, labels.FromStrings("a", "b")))
	f.Add(appendSampleEntry(appendSampleEntry(nil, 1<<refShardBits, 10, 1), 2, -10, 2))
	f.Fuzz(func(t *testing.T, rec []byte) {
		r := newReplayer(newHead(2))
		_ = r.record(rec) // any input: an error or a head update, never a panic
	})
}

func labelHash(lset labels.Labels) uint64 {
	h, _ := hashLabels(nil, lset)
	return h
}

// TestLabelHashIsStable pins the hash that WAL refs carry: changing it would
// orphan every series record written before.
func TestLabelHashIsStable(t *testing.T) {
	lset := labels.FromStrings("__name__", "up", "job", "api")
	require.Equal(t, xxhash.Sum64String("__name__\xffup\xffjob\xffapi\xff"), labelHash(lset))
	require.Equal(t, uint64(0xef46db3751d8e999), labelHash(labels.EmptyLabels()))
}

func TestReplayRejectsRefNamingTwoSeries(t *testing.T) {
	x := labels.FromStrings("a", "b")
	ref := 1<<refShardBits | storage.SeriesRef(labelHash(x)&refShardMask)
	var y labels.Labels
	for i := 0; ; i++ { // another series whose hash has the same low bits
		y = labels.FromStrings("a", fmt.Sprint(i))
		if labelHash(y)&refShardMask == labelHash(x)&refShardMask && !labels.Equal(x, y) {
			break
		}
	}
	r := newReplayer(newHead(4))
	require.NoError(t, r.record(appendSeriesEntry(nil, ref, x)))
	require.ErrorContains(t, r.record(appendSeriesEntry(nil, ref, y)), "names both")
}
