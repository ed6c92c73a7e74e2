package tsdb

import (
	"math/rand/v2"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/require"
)

// TestIteratorAgainstReference drives the iterator with random mixes of Next
// and Seek over several chunks and trimming ranges, and compares every step
// with a plain walk over the samples.
func TestIteratorAgainstReference(t *testing.T) {
	db := openTestDB(t, Options{})
	lset := labels.FromStrings("__name__", "m")
	var all []Sample
	for i := range 500 { // irregular timestamps, five chunks
		all = append(all, Sample{T: int64(i*10 + i%7), V: float64(i)})
	}
	appendOK(t, db, spec(lset, all...))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		mint, maxt := rng.Int64N(5200)-100, rng.Int64N(5200)-100
		q, err := db.Querier(mint, maxt)
		require.NoError(t, err)
		set := q.Select(t.Context(), true, nil, eq("__name__", "m"))
		if !set.Next() {
			require.Empty(t, inRange(all, mint, maxt))
			continue
		}
		compareSteps(t, set.At().Iterator(nil), inRange(all, mint, maxt), rng)
	}
}

func inRange(all []Sample, mint, maxt int64) []Sample {
	var out []Sample
	for _, s := range all {
		if s.T >= mint && s.T <= maxt {
			out = append(out, s)
		}
	}
	return out
}

// compareSteps checks an iterator against ref, the samples it must yield.
func compareSteps(t *testing.T, it chunkenc.Iterator, ref []Sample, rng *rand.Rand) {
	pos := -1 // index in ref of the current sample
	for step := 0; pos < len(ref); step++ {
		var got chunkenc.ValueType
		if rng.IntN(2) == 0 {
			got = it.Next()
			pos++
		} else {
			target := rng.Int64N(5300) - 100
			got = it.Seek(target)
			if pos < 0 || ref[pos].T < target {
				pos = max(pos, 0)
				for pos < len(ref) && ref[pos].T < target {
					pos++
				}
			}
		}
		if pos >= len(ref) {
			require.Equal(t, chunkenc.ValNone, got, "step %d", step)
			return
		}
		require.Equal(t, chunkenc.ValFloat, got, "step %d", step)
		ts, v := it.At()
		require.Equal(t, ref[pos], Sample{T: ts, V: v}, "step %d", step)
	}
}
