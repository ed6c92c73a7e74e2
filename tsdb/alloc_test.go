package tsdb

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

// TestAppendBatchKnownSeriesDoesNotAllocate pins the hot path: appending to
// known series with the WAL in interval mode allocates nothing per batch.
// (Closing a full chunk copies it, once per 120 samples of a series; the
// average over the runs stays below one allocation.)
func TestAppendBatchKnownSeriesDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("-race makes sync.Pool drop items; allocation counts mean nothing")
	}
	db := openTestDB(t, Options{WALSyncInterval: time.Hour, Shards: 4})
	b := &Batch{}
	for i := range 10 {
		bs := b.Next()
		bs.Labels = labels.FromStrings("__name__", "m", "i", fmt.Sprint(i))
		bs.Samples = append(bs.Samples, Sample{T: 0, V: 1})
	}
	_, err := db.AppendBatch(b) // creates the series
	require.NoError(t, err)

	ts := int64(0)
	allocs := testing.AllocsPerRun(100, func() {
		ts += 10
		for i := range b.Series {
			b.Series[i].Samples[0] = Sample{T: ts, V: float64(ts)}
		}
		res, err := db.AppendBatch(b)
		if err != nil || res.Appended != len(b.Series) {
			t.Fatalf("append at %d: %+v, %v", ts, res, err)
		}
	})
	require.Zero(t, allocs)
}
