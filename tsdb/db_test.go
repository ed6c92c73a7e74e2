package tsdb

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

func TestAppendQueryRoundTrip(t *testing.T) {
	db := openTestDB(t, Options{Shards: 4})
	a := labels.FromStrings("__name__", "up", "job", "a")
	b := labels.FromStrings("__name__", "up", "job", "b")
	// 300 samples cross two chunk boundaries (120 samples per chunk).
	sa, sb := ramp(1000, 10, 300, 0), ramp(5, 7, 3, -1.5)
	res := appendOK(t, db, spec(a, sa[:150]...), spec(b, sb...))
	require.Equal(t, AppendResult{Appended: 153}, res)
	res = appendOK(t, db, spec(a, sa[150:]...))
	require.Equal(t, AppendResult{Appended: 150}, res)
	require.Equal(t, 2, db.NumSeries())

	all := selectAll(t, db, math.MinInt64, math.MaxInt64, nil, eq("__name__", "up"))
	requireSameSamples(t, []gotSeries{{a.String(), sa}, {b.String(), sb}}, all)

	// The querier's range trims, at sample precision, inside chunks.
	got := selectAll(t, db, 1005, 2200, nil, eq("__name__", "up"))
	requireSameSamples(t, []gotSeries{{a.String(), sa[1:121]}, {b.String(), nil}}[:1], got)
}

func TestSelectHints(t *testing.T) {
	db := openTestDB(t, Options{})
	a := labels.FromStrings("__name__", "m", "i", "1")
	sa := ramp(0, 10, 250, 0) // chunks [0,1190] [1200,2390] [2400,2490]
	appendOK(t, db, spec(a, sa...))
	tests := map[string]struct {
		hints *storage.SelectHints
		want  []Sample
	}{
		"hints override the range": {&storage.SelectHints{Start: 100, End: 150}, sa[10:16]},
		"no trimming returns whole chunks": {
			&storage.SelectHints{Start: 1195, End: 1205, DisableTrimming: true}, sa[120:240],
		},
		"series func returns labels only": {&storage.SelectHints{Start: 0, End: 10, Func: "series"}, nil},
		"nothing in range":                {&storage.SelectHints{Start: 5000, End: 6000}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := selectAll(t, db, 0, 10, tc.hints, eq("i", "1"))
			if name == "nothing in range" {
				require.Empty(t, got)
				return
			}
			requireSameSamples(t, []gotSeries{{a.String(), tc.want}}, got)
		})
	}
}

func TestSelectLimitAndSharding(t *testing.T) {
	db := openTestDB(t, Options{})
	var want []string
	for _, v := range []string{"c", "a", "d", "b"} {
		lset := labels.FromStrings("__name__", "m", "v", v)
		appendOK(t, db, spec(lset, Sample{T: 1, V: 1}))
	}
	for _, v := range []string{"a", "b"} {
		want = append(want, labels.FromStrings("__name__", "m", "v", v).String())
	}
	got := selectAll(t, db, 0, 10, &storage.SelectHints{Start: 0, End: 10, Limit: 2}, eq("__name__", "m"))
	require.Equal(t, want, names(got))

	seen := map[string]bool{}
	for shard := range uint64(3) {
		hints := &storage.SelectHints{Start: 0, End: 10, ShardCount: 3, ShardIndex: shard}
		for _, s := range selectAll(t, db, 0, 10, hints, eq("__name__", "m")) {
			require.False(t, seen[s.Labels], "%s in two query shards", s.Labels)
			seen[s.Labels] = true
		}
	}
	require.Len(t, seen, 4)
}

func TestAppendVerdicts(t *testing.T) {
	lset := labels.FromStrings("__name__", "m", "job", "x")
	tests := []struct {
		name    string
		samples []Sample // appended after the series holds (100, 1)
		want    AppendResult
		wantErr error
		stored  []Sample
	}{
		{"newer", []Sample{{110, 2}}, AppendResult{Appended: 1}, nil, []Sample{{100, 1}, {110, 2}}},
		{"duplicate", []Sample{{100, 1}}, AppendResult{Duplicates: 1}, nil, []Sample{{100, 1}}},
		{"conflict", []Sample{{100, 2}}, AppendResult{Conflicts: 1}, storage.ErrDuplicateSampleForTimestamp, []Sample{{100, 1}}},
		{"out of order", []Sample{{99, 1}}, AppendResult{OutOfOrder: 1}, storage.ErrOutOfOrderSample, []Sample{{100, 1}}},
		{
			"within the batch, against the batch's own samples",
			[]Sample{{120, 3}, {110, 2}, {120, 3}, {120, 4}, {130, 5}},
			AppendResult{Appended: 2, OutOfOrder: 1, Duplicates: 1, Conflicts: 1}, storage.ErrOutOfOrderSample,
			[]Sample{{100, 1}, {120, 3}, {130, 5}},
		},
		{"zero is not the same as negative zero", []Sample{{100, 1}, {200, 0}, {200, math.Copysign(0, -1)}},
			AppendResult{Duplicates: 1, Appended: 1, Conflicts: 1}, storage.ErrDuplicateSampleForTimestamp, []Sample{{100, 1}, {200, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestDB(t, Options{})
			appendOK(t, db, spec(lset, Sample{100, 1}))
			res := appendOK(t, db, spec(lset, tc.samples...))
			firstErr := res.FirstError
			res.FirstError = nil
			require.Equal(t, tc.want, res)
			require.Equal(t, tc.want.OutOfOrder+tc.want.Conflicts, res.Rejected())
			if tc.wantErr == nil {
				require.NoError(t, firstErr)
			} else {
				require.ErrorIs(t, firstErr, tc.wantErr)
				var se *SampleError
				require.ErrorAs(t, firstErr, &se)
				require.Equal(t, lset, se.Labels)
				require.Contains(t, firstErr.Error(), `{__name__="m", job="x"}`)
			}
			requireSameSamples(t, []gotSeries{{lset.String(), tc.stored}}, selectAll(t, db, 0, 1000, nil, eq("job", "x")))
		})
	}
}

func TestFirstErrorNamesFirstRejection(t *testing.T) {
	db := openTestDB(t, Options{Shards: 8})
	var specs []seriesSpec
	for i := range 20 {
		specs = append(specs, spec(labels.FromStrings("__name__", "m", "i", string(rune('a'+i))), Sample{10, 1}))
	}
	appendOK(t, db, specs...)
	// Every series rejects; the first in batch order is reported.
	for i := range specs {
		specs[i].samples = []Sample{{T: int64(9 - i), V: 1}}
	}
	res := appendOK(t, db, specs...)
	require.Equal(t, 20, res.OutOfOrder)
	require.EqualError(t, res.FirstError, `series {__name__="m", i="a"}, sample at 9 (newest stored at 10): out of order sample`)
}

func TestSameSeriesTwiceInBatch(t *testing.T) {
	db := openTestDB(t, Options{})
	lset := labels.FromStrings("__name__", "m")
	res := appendOK(t, db, spec(lset, Sample{1, 1}, Sample{2, 2}), spec(lset, Sample{2, 2}, Sample{3, 3}), spec(lset, Sample{1, 0}))
	require.Equal(t, 3, res.Appended)
	require.Equal(t, 1, res.Duplicates)
	require.Equal(t, 1, res.OutOfOrder)
	require.Equal(t, 1, db.NumSeries())
	requireSameSamples(t, []gotSeries{{lset.String(), []Sample{{1, 1}, {2, 2}, {3, 3}}}}, selectAll(t, db, 0, 10, nil, eq("__name__", "m")))
}

func TestStaleMarkersRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir})
	lset := labels.FromStrings("__name__", "m")
	stale := math.Float64frombits(value.StaleNaN)
	otherNaN := math.Float64frombits(0x7ff8000000000001) // a NaN that is not the stale marker
	want := []Sample{{1, 1}, {2, stale}, {3, otherNaN}, {4, math.Inf(-1)}, {5, stale}}
	require.Equal(t, AppendResult{Appended: 5}, appendOK(t, db, spec(lset, want...)))
	// A stale marker sent twice is a duplicate; another NaN at its timestamp conflicts.
	res := appendOK(t, db, spec(lset, Sample{5, stale}, Sample{5, math.NaN()}))
	require.Equal(t, 1, res.Duplicates)
	require.Equal(t, 1, res.Conflicts)

	requireSameSamples(t, []gotSeries{{lset.String(), want}}, selectAll(t, db, 0, 10, nil, eq("__name__", "m")))
	require.NoError(t, db.Close())
	db = openTestDB(t, Options{Dir: dir})
	requireSameSamples(t, []gotSeries{{lset.String(), want}}, selectAll(t, db, 0, 10, nil, eq("__name__", "m")))
	require.True(t, value.IsStaleNaN(selectAll(t, db, 0, 10, nil, eq("__name__", "m"))[0].Samples[4].V))
}

func TestIteratorSeekAndReuse(t *testing.T) {
	db := openTestDB(t, Options{})
	a, b := labels.FromStrings("s", "a"), labels.FromStrings("s", "b")
	sa := ramp(0, 10, 400, 0) // four chunks
	appendOK(t, db, spec(a, sa...), spec(b, Sample{3000, 300}))
	q, err := db.Querier(15, 3500)
	require.NoError(t, err)
	set := q.Select(t.Context(), true, nil, labels.MustNewMatcher(labels.MatchRegexp, "s", ".+"))
	require.True(t, set.Next())
	it := set.At().Iterator(nil)

	seek := func(ts int64, wantT int64) {
		t.Helper()
		require.Equal(t, chunkenc.ValFloat, it.Seek(ts))
		gotT, v := it.At()
		require.Equal(t, wantT, gotT)
		require.Equal(t, float64(wantT/10), v)
	}
	seek(0, 20)      // before the range: first sample in range
	seek(20, 20)     // current sample qualifies: stays
	seek(5, 20)      // never backwards
	seek(1201, 1210) // into the second chunk
	seek(2500, 2500) // skips a whole chunk
	require.Equal(t, chunkenc.ValFloat, it.Next())
	require.Equal(t, int64(2510), it.AtT())
	require.Equal(t, chunkenc.ValNone, it.Seek(3501)) // past the range
	require.Equal(t, chunkenc.ValNone, it.Next())

	require.True(t, set.Next())
	it2 := set.At().Iterator(it)
	require.Same(t, it, it2, "the iterator is reused")
	require.Equal(t, chunkenc.ValFloat, it2.Seek(6))
	require.Equal(t, int64(3000), it2.AtT())
	require.Equal(t, chunkenc.ValNone, it2.Seek(3001))
	require.False(t, set.Next())
	require.NoError(t, q.Close())
}

func TestOptionsValidate(t *testing.T) {
	err := Options{Shards: 3, WALSyncInterval: -1, Retention: -1}.Validate()
	require.Error(t, err)
	for _, want := range []string{"Dir is required", "Shards is 3", "WALSyncInterval is -1ns", "Retention is -1ns"} {
		require.Contains(t, err.Error(), want)
	}
	require.NoError(t, Options{Dir: "x", Shards: 1 << 16}.Validate())
	require.Error(t, Options{Dir: "x", Shards: 1 << 17}.Validate())
	require.Equal(t, 1, bitsSet(Options{}.withDefaults().Shards))
}

func bitsSet(n int) int {
	c := 0
	for ; n > 0; n &= n - 1 {
		c++
	}
	return c
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err := Open(Options{Dir: file})
	require.ErrorContains(t, err, "create data directory "+file)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wal"), nil, 0o644))
	_, err = Open(Options{Dir: dir})
	require.ErrorContains(t, err, "open wal "+filepath.Join(dir, "wal"))
}

func TestClosed(t *testing.T) {
	db := openTestDB(t, Options{})
	require.NoError(t, db.Close())
	_, err := db.AppendBatch(batchOf(spec(labels.FromStrings("a", "b"), Sample{1, 1})))
	require.ErrorIs(t, err, ErrClosed)
	_, err = db.Querier(0, 1)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, db.Close(), ErrClosed)
}

// failingLog is a WAL that refuses every write.
type failingLog struct{}

func (failingLog) Log(...[]byte) error { return errors.New("disk on fire") }

func TestWALErrorLeavesNothing(t *testing.T) {
	db := openTestDB(t, Options{})
	old, fresh := labels.FromStrings("s", "old"), labels.FromStrings("s", "new")
	appendOK(t, db, spec(old, Sample{1, 1}))

	_, err := db.head.appendBatch(batchOf(spec(old, Sample{2, 2}), spec(fresh, Sample{1, 1})), failingLog{})
	require.EqualError(t, err, "write wal: disk on fire")
	require.Equal(t, 1, db.NumSeries())
	requireSameSamples(t, []gotSeries{{old.String(), []Sample{{1, 1}}}}, selectAll(t, db, 0, 10, nil, labels.MustNewMatcher(labels.MatchRegexp, "s", ".+")))

	// The failed batch left no validation state behind: the same samples go in.
	res := appendOK(t, db, spec(old, Sample{2, 2}), spec(fresh, Sample{1, 1}))
	require.Equal(t, AppendResult{Appended: 2}, res)
	require.Equal(t, 2, db.NumSeries())
}

func TestEmptySeriesIsNotCreated(t *testing.T) {
	db := openTestDB(t, Options{})
	res := appendOK(t, db, spec(labels.FromStrings("s", "empty")), spec(labels.FromStrings("s", "full"), Sample{1, 1}))
	require.Equal(t, AppendResult{Appended: 1}, res)
	require.Equal(t, 1, db.NumSeries())
	res = appendOK(t, db, spec(labels.FromStrings("s", "full")))
	require.Equal(t, AppendResult{}, res)
}
