// Package e2e holds Vigil's end-to-end tests. They build the real binary
// (cmd/vigil) once, run it as a separate process on 127.0.0.1 port 0 with
// its own data directory, and talk to it only over HTTP, as a user would.
//
// The tests:
//
//   - e2e_test.go pushes with remote write and the text format, then checks
//     exact query answers, bad input, body limits, out-of-order samples, a
//     graceful restart and /metrics.
//   - crash_test.go kills the server with SIGKILL while it ingests with
//     wal_sync: always and proves that every acknowledged sample survives.
//     Run more rounds with -long; replay a run with -seed.
//   - compare_test.go pushes one data set to Vigil and to a real Prometheus
//     (VIGIL_PROMETHEUS, else prometheus on PATH) and requires the same
//     answers to a broad table of PromQL queries.
//
// The package has no non-test code besides this comment.
package e2e
