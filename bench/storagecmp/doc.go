// Package storagecmp measures Vigil's store side by side with Prometheus'
// own tsdb, and VictoriaMetrics when its binary is at hand, on the same
// generated fleet data (bench/fleet) in the same run: bytes per sample on
// disk after compaction, head memory per series, restart time and a PromQL
// query over blocks.
//
// The package has only tests and benchmarks:
//
//	go test ./bench/storagecmp -run '^$' -bench . -benchtime 1x     # each figure, small sizes
//	VIGIL_BENCH_TABLE=1 go test ./bench/storagecmp -run TestComparisonTable -v
//	VIGIL_BENCH_TABLE=1 go test ./bench/storagecmp -run TestComparisonTable -v -long -timeout 2h
//
// -long runs the sizes of issue 6 (1 M series in the head, 100 M samples in a
// restart, 100 k series in the query); -scale multiplies every size, for
// quick runs while developing. VIGIL_VICTORIAMETRICS names a
// victoria-metrics binary for its bytes-per-sample figure.
package storagecmp
