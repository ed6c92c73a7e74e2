package tsdb

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb/checkpoint"
	"github.com/vigilsre/vigil/tsdb/gorilla"
)

// chunkLayout is how a series' samples sit in its chunks.
type chunkLayout struct {
	Closed []chunkMeta
	Open   []byte
	OpenT  [2]int64
}

func layoutOf(h *head) map[string]chunkLayout {
	out := map[string]chunkLayout{}
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.RLock()
		for _, s := range sh.byRef {
			l := chunkLayout{Closed: slices.Clone(s.closed)}
			if s.openSamples() > 0 {
				l.Open, l.OpenT = slices.Clone(s.open.Bytes()), [2]int64{s.openMinT, s.openMaxT()}
			}
			out[h.labelsOf(s).String()] = l
		}
		sh.mu.RUnlock()
	}
	return out
}

// requireSameHead compares everything a restart must restore.
func requireSameHead(t *testing.T, want, got *head) {
	t.Helper()
	requireSameSamples(t, dumpHead(t, want), dumpHead(t, got))
	require.Equal(t, statesOf(want), statesOf(got))
	require.Equal(t, want.nextID, got.nextID)
	require.Equal(t, want.minValidTime(), got.minValidTime())
	require.Equal(t, want.numSeries.Load(), got.numSeries.Load())
}

// walFiles lists the WAL directory.
func walFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	th := openTestHead(t, dir, 1000, math.MinInt64)
	full := labels.FromStrings("__name__", "full")   // closed chunks and an open one
	exact := labels.FromStrings("__name__", "exact") // exactly one full chunk
	late := labels.FromStrings("__name__", "late")   // out-of-order samples
	gone := labels.FromStrings("__name__", "gone")   // emptied by truncation: collected
	th.append(t, spec(full, ramp(0, 10, 250, 0)...), spec(exact, ramp(0, 10, 120, 0)...),
		spec(late, Sample{5000, 1}), spec(gone, Sample{1, 1}))
	th.append(t, spec(late, Sample{4500, 2}, Sample{4200, math.Float64frombits(0x7ff0000000000bad)}))
	th.h.setMinValidTime(100)
	th.h.truncateBefore(100)
	require.NoError(t, th.h.writeCheckpoint(dir, th.w))
	th.append(t, spec(full, Sample{2500, 1}), spec(labels.FromStrings("__name__", "after"), Sample{7, 7}))
	require.NoError(t, th.h.writeCheckpoint(dir, th.w)) // removes the first
	require.Equal(t, []string{"00000003", "checkpoint.00000003"}, walFiles(t, dir))
	th.append(t, spec(full, Sample{2510, 2}, Sample{2505, 3}))
	require.NoError(t, th.w.Close())

	re := openTestHead(t, dir, 1000, 100)
	requireSameHead(t, th.h, re.h)
	// The open chunks were reopened: appends continue as if nothing happened
	// (the original's WAL is closed: both append without one).
	for _, h := range []*head{th.h, re.h} {
		_, err := h.appendBatch(batchOf(spec(full, ramp(2520, 10, 200, 5)...), spec(exact, Sample{5000, 1})), nopLog{})
		require.NoError(t, err)
	}
	requireSameHead(t, th.h, re.h)
	wantLayout, gotLayout := layoutOf(th.h), layoutOf(re.h)
	// Truncation left the original's first chunk of "full" with samples
	// before the read start; the checkpoint keeps it whole too.
	require.Equal(t, wantLayout, gotLayout)
	require.Equal(t, th.h.numChunks.Load(), re.h.numChunks.Load())
}

// TestCheckpointDuringAppendsCountsNothingTwice checkpoints while appenders
// run (late samples, duplicates and rejections among theirs), then restores
// the head from the last checkpoint and the WAL after it: every sample must
// be there exactly once, as in the head that wrote them.
func TestCheckpointDuringAppendsCountsNothingTwice(t *testing.T) {
	dir := t.TempDir()
	th := openTestHead(t, dir, 200, math.MinInt64)
	var appended atomic.Int64
	var wg sync.WaitGroup
	var running atomic.Int32
	for w := range 4 {
		running.Add(1)
		wg.Go(func() {
			defer running.Add(-1)
			appendRandom(t, th, w, &appended)
		})
	}
	checkpoints := 0
	for running.Load() > 0 || checkpoints < 2 {
		require.NoError(t, th.h.writeCheckpoint(dir, th.w))
		checkpoints++
	}
	wg.Wait()
	want := dumpHead(t, th.h)
	n := 0
	for _, s := range want {
		requireIncreasing(t, s.Samples)
		n += len(s.Samples)
	}
	require.Equal(t, appended.Load(), int64(n))
	require.NoError(t, th.w.Close())

	re := openTestHead(t, dir, 200, math.MinInt64)
	requireSameHead(t, th.h, re.h)
	t.Logf("%d checkpoints, %d samples in %d series; replay: %d samples, %d duplicates, %d conflicts",
		checkpoints, n, len(want), re.replay.samples, re.replay.duplicates, re.replay.refused)
	require.Zero(t, re.replay.refused)
}

// appendRandom appends 300 batches of writer w over 30 shared series.
func appendRandom(t *testing.T, th *testHead, w int, appended *atomic.Int64) {
	rng := rand.New(rand.NewPCG(uint64(w), 99))
	b := &Batch{}
	for round := range 300 {
		b.Reset()
		for range 1 + rng.IntN(6) {
			bs := b.Next()
			bs.Labels = labels.FromStrings("__name__", "m", "i", fmt.Sprint(rng.IntN(30)))
			for range 1 + rng.IntN(5) {
				ts := int64(round*10) + rng.Int64N(40) - 30
				bs.Samples = append(bs.Samples, Sample{T: ts, V: float64(rng.IntN(2))})
			}
		}
		res, err := th.h.appendBatch(b, th.w)
		if err != nil {
			t.Error(err)
			return
		}
		appended.Add(int64(res.Appended))
	}
}

// TestRestoreAfterCutWithoutCheckpoint restores a head whose last cut came
// after its checkpoint: a series the checkpoint holds only old samples of
// received newer ones in the WAL, under its ref and with no series record
// after the checkpoint. minValidTime is set before the replay and the head
// truncated only after it, or the series would be collected before its
// samples are replayed and they would be lost as samples of an unknown ref.
func TestRestoreAfterCutWithoutCheckpoint(t *testing.T) {
	dir := t.TempDir()
	th := openTestHead(t, dir, 0, math.MinInt64)
	x := labels.FromStrings("__name__", "x")
	th.append(t, spec(x, ramp(0, 10, 10, 0)...))
	require.NoError(t, th.h.writeCheckpoint(dir, th.w))
	th.append(t, spec(x, Sample{1500, 1}))
	th.h.setMinValidTime(1000) // the cut: a block holds [0, 999]
	th.h.truncateBefore(1000)
	require.NoError(t, th.w.Close()) // a crash: no checkpoint after the cut

	re := openTestHead(t, dir, 0, 1000)
	requireSameHead(t, th.h, re.h)
	requireSameSamples(t, []gotSeries{{x.String(), []Sample{{1500, 1}}}}, dumpHead(t, re.h))
	require.Zero(t, re.replay.unknownRefs)
}

// TestCheckpointRejectsBadOpenChunk loads checkpoints whose files are
// intact but whose open chunk is not what a head writes, among many good
// series (the open chunks are restored on another goroutine, in batches):
// the load fails and names the series.
func TestCheckpointRejectsBadOpenChunk(t *testing.T) {
	good := gorilla.NewChunk(8)
	good.Append(1000, 1)
	good.Append(2000, 2)
	data := good.Bytes()
	for name, c := range map[string]checkpoint.Chunk{
		"truncated":     {MinT: 1000, MaxT: 2000, Data: data[:len(data)-2]},
		"trailing byte": {MinT: 1000, MaxT: 2000, Data: append(slices.Clone(data), 0)},
		"wrong range":   {MinT: 1000, MaxT: 3000, Data: data},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			const n, bad = 3000, 2500
			var badRef uint64
			err := checkpoint.Write(filepath.Join(dir, checkpoint.Name(1)), checkpoint.Meta{Segment: 1, NextID: n + 1, MinValidTime: math.MinInt64},
				func(yield func(*checkpoint.Series) error) error {
					for i := range n {
						lset := labels.FromStrings("i", fmt.Sprint(i))
						cs := checkpoint.Series{Ref: uint64(i+1)<<refShardBits | labelHash(lset)&refShardMask, Labels: lset,
							LastT: 2000, LastV: 2, HasLast: true, Chunks: []checkpoint.Chunk{{MinT: 1000, MaxT: 2000, Data: data}}}
						if i == bad {
							cs.Chunks[0], badRef = c, cs.Ref
						}
						if err := yield(&cs); err != nil {
							return err
						}
					}
					return nil
				})
			require.NoError(t, err)
			_, _, err = newHead(4).loadCheckpoint(dir)
			require.ErrorContains(t, err, fmt.Sprintf("series %d: open chunk", badRef))
		})
	}
}
