// Package ingestcmp runs Vigil, Prometheus and VictoriaMetrics one after
// the other as real servers on loopback, pushes the same generated fleet
// into each with package bench/loadgen (remote write 1.0), and prints their
// figures side by side with the ratios issue 7 asks for: the server's
// CPU-seconds per million samples ingested, the ingest rate reached, its
// peak resident memory, and the push → queryable latency idle and under a
// background load.
//
// The package has only tests. The comparison runs only when asked:
//
//	make build bin/prometheus bin/victoria-metrics   # the two reference binaries (go install from the module proxy)
//	VIGIL_BENCH_INGEST=1 go test ./bench/ingestcmp -run TestIngestComparison -v -timeout 3h
//	VIGIL_BENCH_INGEST=1 go test ./bench/ingestcmp -run TestIngestComparison -v -timeout 1h -series 10000
//
// The defaults are the sizes: 100 k series, 1 h of data at 10 s
// (36 M samples), backfilled as fast as each server takes it, then 100
// latency markers idle and 100 under 100 k samples/s of background load.
// Flags scale it: -series, -duration, -markers, -background-rate,
// -concurrency, -servers; -results-dir keeps each server's loadgen result
// as JSON.
//
// # Durability
//
// Each server runs with its own default durability, except Vigil, whose
// default (wal_sync: always, an fsync before each push is acknowledged) is
// stricter than either reference: the test sets wal_sync: 1s (the log is
// written before each acknowledgement and fsynced every second).
// Prometheus writes its WAL before acknowledging and fsyncs it only when a
// segment is full; VictoriaMetrics has no log: it buffers samples in memory
// and flushes them to disk every -inmemoryDataFlushInterval (5 s). -vigil-wal-sync
// chooses another setting.
//
// # Freshness
//
// VictoriaMetrics is measured on its defaults, as the table is. Its
// query API answers an instant query at a time less than
// -search.latencyOffset (30 s) ago as if it were asked 30 s ago, so a
// marker shows only about 30 s after its push, whatever its in-memory
// buffer does. Each of its markers therefore takes about 30 s: it gets
// -vm-markers (10) markers per measurement instead of -markers, and a poll
// timeout of -vm-marker-timeout (2 m) instead of loadgen's 30 s; a marker
// that still does not show counts as a timeout and is reported.
// -vm-latency-offset 1ms sends latency_offset=1ms with every marker query
// (through a proxy in the test process), which shows what its buffering
// alone costs: seconds.
//
// The markers are -marker-gap (100 ms) apart, so that the measurement
// under load spans many steps of the background load (which pushes one
// sample of each of -series series every -series/-background-rate
// seconds, in a burst).
//
// The binaries: Vigil is built from this module into a temporary
// directory (or taken from -vigil); Prometheus and VictoriaMetrics are
// bin/prometheus and bin/victoria-metrics at the module root (or
// -prometheus, -victoria-metrics).
package ingestcmp
