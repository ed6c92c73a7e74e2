package tsdb

import (
	"errors"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

// TestAppendByRef appends to known series by the refs AppendBatch reported,
// with no labels, and checks the samples land in the right series.
func TestAppendByRef(t *testing.T) {
	h := newHead(4)
	a, b := labels.FromStrings("__name__", "a"), labels.FromStrings("__name__", "b")
	first := batchOf(spec(a, Sample{10, 1}), spec(b, Sample{10, 2}))
	_, err := h.appendBatch(first, nopLog{})
	require.NoError(t, err)
	refA, refB := first.Series[0].Ref, first.Series[1].Ref
	require.NotZero(t, refA)
	require.NotZero(t, refB)
	require.NotEqual(t, refA, refB)

	byRef := &Batch{Series: []BatchSeries{
		{Ref: refB, Samples: []Sample{{20, 3}}},
		{Ref: refA, Samples: []Sample{{20, 4}}},
	}}
	res, err := h.appendBatch(byRef, nopLog{})
	require.NoError(t, err)
	require.Equal(t, AppendResult{Appended: 2}, res)
	require.Equal(t, []storage.SeriesRef{refB, refA}, []storage.SeriesRef{byRef.Series[0].Ref, byRef.Series[1].Ref})
	require.Equal(t, int64(2), h.numSeries.Load())
	requireSameSamples(t, []gotSeries{
		{a.String(), []Sample{{10, 1}, {20, 4}}},
		{b.String(), []Sample{{10, 2}, {20, 3}}},
	}, dumpHead(t, h))
}

// TestAppendByStaleRef drops a silent series from the head, then appends by
// its old ref: the batch's Resolve gives the labels, the series is created
// again under a new ref, and the batch reports that ref.
func TestAppendByStaleRef(t *testing.T) {
	h := newHead(4)
	silent, live := labels.FromStrings("__name__", "silent"), labels.FromStrings("__name__", "live")
	first := batchOf(spec(silent, Sample{10, 1}), spec(live, Sample{10, 1}))
	_, err := h.appendBatch(first, nopLog{})
	require.NoError(t, err)
	old := first.Series[0].Ref
	_, err = h.appendBatch(batchOf(spec(live, Sample{3000, 2})), nopLog{})
	require.NoError(t, err)
	h.truncateBefore(2000) // drops "silent", which has no sample left
	require.Equal(t, int64(1), h.numSeries.Load())

	var resolved []int
	b := &Batch{
		Series: []BatchSeries{{Ref: old, Samples: []Sample{{4000, 5}}}},
		Resolve: func(i int) (labels.Labels, error) {
			resolved = append(resolved, i)
			return silent, nil
		},
	}
	res, err := h.appendBatch(b, nopLog{})
	require.NoError(t, err)
	require.Equal(t, AppendResult{Appended: 1}, res)
	require.Equal(t, []int{0}, resolved)
	require.NotZero(t, b.Series[0].Ref)
	require.NotEqual(t, old, b.Series[0].Ref)
	require.Equal(t, silent, b.Series[0].Labels)
	requireSameSamples(t, []gotSeries{
		{live.String(), []Sample{{3000, 2}}},
		{silent.String(), []Sample{{4000, 5}}},
	}, dumpHead(t, h))
}

// TestAppendByStaleRefErrors: a stale ref that cannot be resolved, or whose
// labels hash to another shard, fails the batch and stores nothing.
func TestAppendByStaleRefErrors(t *testing.T) {
	h := newHead(4)
	a := labels.FromStrings("__name__", "a")
	first := batchOf(spec(a, Sample{10, 1}))
	_, err := h.appendBatch(first, nopLog{})
	require.NoError(t, err)
	unknown := first.Series[0].Ref + 1<<refShardBits // the next id, same shard: never created

	_, err = h.appendBatch(&Batch{Series: []BatchSeries{{Ref: unknown, Samples: []Sample{{20, 1}}}}}, nopLog{})
	require.EqualError(t, err, "series ref "+refString(unknown)+": no such series, and the batch cannot resolve its labels")

	boom := errors.New("boom")
	_, err = h.appendBatch(&Batch{
		Series:  []BatchSeries{{Ref: unknown, Samples: []Sample{{20, 1}}}},
		Resolve: func(int) (labels.Labels, error) { return labels.EmptyLabels(), boom },
	}, nopLog{})
	require.ErrorIs(t, err, boom)

	other := labels.FromStrings("__name__", "elsewhere")
	for hash, _ := hashLabels(nil, other); h.shardOf(hash) == h.shardOf(uint64(unknown)); hash, _ = hashLabels(nil, other) {
		other = labels.FromStrings("__name__", other.Get("__name__")+"x")
	}
	_, err = h.appendBatch(&Batch{
		Series:  []BatchSeries{{Ref: unknown, Samples: []Sample{{20, 1}}}},
		Resolve: func(int) (labels.Labels, error) { return other, nil },
	}, nopLog{})
	require.EqualError(t, err, "series ref "+refString(unknown)+": labels "+other.String()+" belong to another series")

	require.Equal(t, int64(1), h.numSeries.Load())
	requireSameSamples(t, []gotSeries{{a.String(), []Sample{{10, 1}}}}, dumpHead(t, h))
}

func refString(ref storage.SeriesRef) string { return strconv.FormatUint(uint64(ref), 10) }
