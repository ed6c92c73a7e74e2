package wal

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/tsdb/wlog"
	"github.com/prometheus/prometheus/util/compression"
	"github.com/stretchr/testify/require"
)

// Compare two runs with benchstat:
//
//	go test ./tsdb/wal/ -run '^$' -bench . -benchtime 1s -count 6 > new.txt
//	benchstat old.txt new.txt

// BenchmarkLog logs one record per call. Interval mode measures the write
// path (encode, compress, one write(2)); fsync mode adds an fsync per call
// and measures the disk. prometheus-wlog is Prometheus' own WAL with snappy
// on the same records; it never fsyncs in Log, so compare it with interval
// mode.
func BenchmarkLog(b *testing.B) {
	for _, size := range []int{1 << 10, 16 << 10} {
		for _, data := range []struct {
			name string
			rec  []byte
		}{{"labels", textBytes(1, size)}, {"random", randomBytes(1, size)}} {
			for _, mode := range []struct {
				name     string
				interval time.Duration
			}{{"interval", time.Second}, {"fsync", 0}} {
				b.Run(fmt.Sprintf("size=%dKiB/data=%s/mode=%s", size>>10, data.name, mode.name), func(b *testing.B) {
					l, _ := openCollect(b, b.TempDir(), Options{SyncInterval: mode.interval})
					benchLog(b, [][]byte{data.rec}, l.Log)
					require.NoError(b, l.Close())
				})
			}
			b.Run(fmt.Sprintf("size=%dKiB/data=%s/mode=prometheus-wlog", size>>10, data.name), func(b *testing.B) {
				w, err := wlog.New(nil, nil, b.TempDir(), compression.Snappy)
				require.NoError(b, err)
				benchLog(b, [][]byte{data.rec}, w.Log)
				require.NoError(b, w.Close())
			})
		}
	}
}

// benchLog calls log(recs...) in the benchmark loop and reports throughput.
// recs is built once: a variadic call through a func value would allocate.
func benchLog(b *testing.B, recs [][]byte, log func(...[]byte) error) {
	size := 0
	for _, r := range recs {
		size += len(r)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := log(recs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReplay opens a log of 16 MiB of 1 KiB label-like records and
// replays it.
func BenchmarkReplay(b *testing.B) {
	const recSize, total = 1 << 10, 16 << 20
	dir := b.TempDir()
	l, _ := openCollect(b, dir, Options{SegmentSize: 4 << 20, SyncInterval: time.Hour})
	for i := range total / recSize {
		require.NoError(b, l.Log(textBytes(uint64(i), recSize)))
	}
	require.NoError(b, l.Close())

	b.SetBytes(total)
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		l, err := Open(dir, Options{SyncInterval: time.Hour}, func(rec []byte) error {
			records++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLogConcurrent logs one 1 KiB record per call from 1, 4 and 16
// goroutines at once with an fsync before every call returns (SyncInterval
// 0, "wal_sync: always"): what group commit is for. fsyncs/call below 1 is
// the fsyncs that concurrent calls shared. The goroutines share b.N calls
// between them, so ns/op is the time per call across all of them.
func BenchmarkLogConcurrent(b *testing.B) {
	rec := [][]byte{textBytes(1, 1<<10)}
	for _, writers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			reg := prometheus.NewRegistry()
			l, _ := openCollect(b, b.TempDir(), Options{Registerer: reg})
			before := metricValue(b, reg, fsyncMetric)
			b.SetBytes(int64(len(rec[0])))
			b.ReportAllocs()
			b.ResetTimer()
			logConcurrently(b, l, writers, rec)
			b.StopTimer()
			fsyncs := metricValue(b, reg, fsyncMetric) - before
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(fsyncs/float64(b.N), "fsyncs/call")
			require.NoError(b, l.Close())
		})
	}
}

// logConcurrently makes b.N Log calls of recs from writers goroutines.
func logConcurrently(b *testing.B, l *Log, writers int, recs [][]byte) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := l.Log(recs...); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
