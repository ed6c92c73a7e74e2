package tsdb

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
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
	r.flush()
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
		r.flush()
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

// TestPendingSamplesGroupsStably checks that the replay queue hands out
// each ref's samples in the order they were queued, refs by ascending id,
// with the counting sort and with the comparison sort that sparse ids fall
// back to. (A damaged WAL may give one id several refs: their samples are
// handed out in runs, each ref's still in order.)
func TestPendingSamplesGroupsStably(t *testing.T) {
	for name, idOf := range map[string]func(int) uint64{
		"dense":  func(i int) uint64 { return uint64(1000 + i) },
		"sparse": func(i int) uint64 { return uint64(i) << 30 },
	} {
		t.Run(name, func(t *testing.T) {
			var p pendingSamples
			want := map[storage.SeriesRef][]int64{}
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range 5000 {
				id := rng.IntN(300)
				ref := storage.SeriesRef(idOf(id)<<refShardBits | uint64(id%3)) // an id has one ref
				ts := int64(rng.IntN(1000))                                     // not in order: the queue must not sort by time
				require.False(t, p.add(ref, ts, float64(i)))
				want[ref] = append(want[ref], ts)
			}
			got := map[storage.SeriesRef][]int64{}
			var order []storage.SeriesRef
			parts := p.split(3, 1000)
			require.Len(t, parts, 3)
			for _, part := range parts {
				for len(part) > 0 {
					n := runLength(part)
					ref := part[0].ref
					require.NotContains(t, got, ref, "ref %d handed out twice", ref)
					order = append(order, ref)
					for _, smp := range part[:n] {
						got[ref] = append(got[ref], smp.t)
					}
					part = part[n:]
				}
			}
			p.reset()
			require.Equal(t, want, got)
			require.True(t, slices.IsSortedFunc(order, func(a, b storage.SeriesRef) int {
				return cmp.Compare(a>>refShardBits, b>>refShardBits)
			}))
			require.Empty(t, p.buf)
			require.False(t, p.mayHold(1<<refShardBits))
		})
	}
}

// TestReplayKeepsRecordOrderAroundSeries checks that queued samples see the
// series records as they stood when the samples were written: a sample
// written before its series record is unknown, and samples of a ref that a
// later series record moves stay with the series.
func TestReplayKeepsRecordOrderAroundSeries(t *testing.T) {
	lset := labels.FromStrings("a", "b")
	low := storage.SeriesRef(labelHash(lset) & refShardMask)
	r := newReplayer(newHead(4))
	require.NoError(t, r.record(appendSampleEntry(nil, 5<<refShardBits|low, 10, 1))) // before its series
	require.NoError(t, r.record(appendSeriesEntry(nil, 5<<refShardBits|low, lset)))
	require.NoError(t, r.record(appendSampleEntry(nil, 5<<refShardBits|low, 20, 2)))
	require.NoError(t, r.record(appendSeriesEntry(nil, 9<<refShardBits|low, lset))) // the same series, a new ref
	require.NoError(t, r.record(appendSampleEntry(nil, 9<<refShardBits|low, 30, 3)))
	require.NoError(t, r.record(appendSampleEntry(nil, 5<<refShardBits|low, 40, 4))) // the old ref is gone
	r.finish(slog.New(slog.DiscardHandler))
	require.Equal(t, 2, r.unknownRefs)
	require.Equal(t, 2, r.samples)
	s := r.h.seriesByRef(9<<refShardBits | low)
	require.NotNil(t, s)
	require.Equal(t, int64(30), s.lastT)
	require.Equal(t, 2, s.openSamples())
}

// TestPendingSamplesSplitAtSeries checks that split never cuts a series'
// run, whatever the number of parts asked for, and covers the whole queue.
func TestPendingSamplesSplitAtSeries(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 10} {
		var p pendingSamples
		for i := range 12 {
			p.add(storage.SeriesRef(1+i%2)<<refShardBits, int64(i), 0) // two series of 6
		}
		total := 0
		parts := p.split(n, 1)
		for i, part := range parts {
			require.NotEmpty(t, part)
			if i > 0 {
				require.NotEqual(t, parts[i-1][len(parts[i-1])-1].ref, part[0].ref, "n=%d: a series cut", n)
			}
			total += len(part)
		}
		require.Equal(t, 12, total)
		require.Len(t, parts, min(n, 2))
		p.reset()
		require.Len(t, p.split(n, 1), 1) // an empty queue is one empty part
	}
}

// TestReplayWorkersMatchOneWorker replays records of enough samples for the
// flush to split them between workers, with out-of-order samples and
// duplicates, and checks that the head and the counts equal those of one
// worker applying them in record order.
func TestReplayWorkersMatchOneWorker(t *testing.T) {
	const series, rounds = 500, 2 * replayWorkerSamples / 500 * 2
	var recs [][]byte
	ooo := 0
	refs := make([]storage.SeriesRef, series)
	for i := range refs {
		lset := labels.FromStrings("job", "app", "i", fmt.Sprint(i))
		refs[i] = storage.SeriesRef(i+1)<<refShardBits | storage.SeriesRef(labelHash(lset)&refShardMask)
		recs = append(recs, appendSeriesEntry(nil, refs[i], lset))
	}
	for k := range rounds {
		var rec []byte
		for i, ref := range refs {
			ts := int64(k * 1000)
			rec = appendSampleEntry(rec, ref, ts, float64(k*i))
			if (k+i)%7 == 3 && k > 0 {
				rec = appendSampleEntry(rec, ref, ts-500, 1) // out of order
				ooo++
			}
			if (k+i)%11 == 0 {
				rec = appendSampleEntry(rec, ref, ts, float64(k*i)) // duplicate
			}
		}
		recs = append(recs, rec)
	}
	replay := func(workers int) *replayer {
		h := newHead(4)
		h.oooWindow = 1000
		r := newReplayer(h)
		r.appliers = r.appliers[:0]
		for range workers {
			r.appliers = append(r.appliers, sampleApplier{h: h})
		}
		for _, rec := range recs {
			require.NoError(t, r.record(rec))
		}
		r.finish(slog.New(slog.DiscardHandler))
		return r
	}
	one, four := replay(1), replay(4)
	require.Equal(t, one.replayCounts, four.replayCounts)
	require.Positive(t, one.duplicates)
	require.Equal(t, series*rounds+ooo, one.samples, "every in-order and out-of-order sample stored")
	require.Equal(t, statesOf(one.h), statesOf(four.h))
	requireSameSamples(t, dumpHead(t, one.h), dumpHead(t, four.h))
	require.Equal(t, one.h.numChunks.Load(), four.h.numChunks.Load())
}
