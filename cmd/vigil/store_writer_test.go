package main

import (
	"errors"
	"math"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/tsdb"
)

func TestStoreWriter(t *testing.T) {
	db := &fakeStore{}
	w := newStoreWriter(db)
	ls := labels.FromStrings("__name__", "ALERTS", "alertname", "X", "alertstate", "firing")
	samples := []alerting.Sample{
		{Labels: ls, T: 1000, V: 1},
		{Labels: labels.FromStrings("__name__", "r", "empty", "", "job", "a"), T: 1000, V: 2},
		{Labels: ls, T: 2000, V: math.Float64frombits(value.StaleNaN)},
	}
	require.NoError(t, w.WriteSamples(samples[:2]))
	require.NoError(t, w.WriteSamples(samples[2:]))
	got := db.appended()
	require.Len(t, got, 2)
	require.Len(t, got[0].Series, 2)
	require.Equal(t, ls, got[0].Series[0].Labels)
	require.Equal(t, []tsdb.Sample{{T: 1000, V: 1}}, got[0].Series[0].Samples)
	require.Equal(t, `{__name__="r", job="a"}`, got[0].Series[1].Labels.String(), "empty labels are dropped")
	require.Len(t, got[1].Series, 1)
	require.Equal(t, value.StaleNaN, math.Float64bits(got[1].Series[0].Samples[0].V), "stale markers are kept bit-exact")
}

// rejectingStore rejects every sample as out of order, or fails.
type rejectingStore struct{ fail bool }

func (s rejectingStore) AppendBatch(b *tsdb.Batch) (tsdb.AppendResult, error) {
	if s.fail {
		return tsdb.AppendResult{}, errors.New("disk full")
	}
	return tsdb.AppendResult{OutOfOrder: b.Samples(), FirstError: errors.New(`out of order sample for {__name__="r"} at 1000`)}, nil
}

func TestStoreWriterErrors(t *testing.T) {
	samples := []alerting.Sample{{Labels: labels.FromStrings("__name__", "r"), T: 1000, V: 1}}
	err := newStoreWriter(rejectingStore{}).WriteSamples(samples)
	require.EqualError(t, err, `1 of 1 rule samples rejected: out of order sample for {__name__="r"} at 1000`)
	err = newStoreWriter(rejectingStore{fail: true}).WriteSamples(samples)
	require.EqualError(t, err, "append 1 rule samples: disk full")
}
