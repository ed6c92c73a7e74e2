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
//   - alerting_test.go runs alert rules with for: 20s at the default 10 s
//     evaluation interval against a PagerDuty Events API v2 stand-in
//     (pagerduty_test.go): one trigger with every field within one interval
//     of `for` elapsing, one resolve with the same dedup_key; PagerDuty
//     answering 500 then 202, 400, or down; a graceful restart that neither
//     forgets nor re-pages a firing alert; missing data held as "unknown".
//     These tests run in parallel, each with its own server and stand-in.
//   - rules_check_test.go runs `vigil rules check` over the rule file
//     fixtures of package alerting.
//
// The binary is built on first use, so `go test -list` costs no build.
//
// The package has no non-test code besides this comment.
package e2e
