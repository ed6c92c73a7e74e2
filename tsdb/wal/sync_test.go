package wal

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

const fsyncMetric = "vigil_wal_fsync_duration_seconds"

func TestSyncEveryLog(t *testing.T) {
	reg := prometheus.NewRegistry()
	l, _ := openCollect(t, t.TempDir(), Options{Registerer: reg})
	for i := range 5 {
		require.NoError(t, l.Log([]byte("a"), []byte("bc")))
		require.Equal(t, float64(i+1), metricValue(t, reg, fsyncMetric), "one fsync per Log")
	}
	require.NoError(t, l.Close())
	require.Equal(t, 5.0, metricValue(t, reg, fsyncMetric), "nothing left to sync on Close")
	require.Equal(t, 10.0, metricValue(t, reg, "vigil_wal_records_written_total"))
	require.Equal(t, 5.0*(2*headerSize+3), metricValue(t, reg, "vigil_wal_bytes_written_total"))
}

func TestSyncInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		l, _ := openCollect(t, t.TempDir(), Options{SyncInterval: time.Second, Registerer: reg})
		fsyncs := func() float64 { return metricValue(t, reg, fsyncMetric) }

		require.NoError(t, l.Log([]byte("a")))
		require.Equal(t, 0.0, fsyncs(), "Log does not fsync in interval mode")

		time.Sleep(time.Second)
		synctest.Wait()
		require.Equal(t, 1.0, fsyncs(), "the background goroutine syncs the write")

		time.Sleep(3 * time.Second)
		synctest.Wait()
		require.Equal(t, 1.0, fsyncs(), "no writes, no fsync")

		require.NoError(t, l.Log([]byte("b")))
		require.NoError(t, l.Close())
		require.Equal(t, 2.0, fsyncs(), "Close syncs the last write")
	})
}

func TestRollSyncsInIntervalMode(t *testing.T) {
	reg := prometheus.NewRegistry()
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{SegmentSize: 100, SyncInterval: time.Hour, Registerer: reg})
	for _, s := range []string{"first", "second", "third"} {
		require.NoError(t, l.Log(make([]byte, 60), []byte(s)))
	}
	require.Equal(t, 2.0, metricValue(t, reg, fsyncMetric), "each roll syncs the segment it leaves")
	require.NoError(t, l.Close())
	require.Equal(t, 3.0, metricValue(t, reg, fsyncMetric))
	require.Equal(t, []string{"00000001", "00000002", "00000003"}, sortedKeys(segmentSizes(t, dir)))
}

func TestReopenedSegmentIsSynced(t *testing.T) {
	dir := t.TempDir()
	l, _ := openCollect(t, dir, Options{})
	require.NoError(t, l.Log([]byte("before")))
	require.NoError(t, l.Close())

	// The process that wrote the segment may have died before its fsync, so
	// the reopened log syncs it once, even with no new writes.
	reg := prometheus.NewRegistry()
	l, _ = openCollect(t, dir, Options{SyncInterval: time.Hour, Registerer: reg})
	require.Equal(t, 0.0, metricValue(t, reg, fsyncMetric))
	require.NoError(t, l.Close())
	require.Equal(t, 1.0, metricValue(t, reg, fsyncMetric))
}
