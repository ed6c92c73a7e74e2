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
//     wal_sync: always and proves that every acknowledged sample survives;
//     every round starts with a flush, so the data is spread over blocks,
//     a head checkpoint and the WAL. Run more rounds with -long; replay a
//     run with -seed.
//   - storage_test.go flushes the head into a block (POST
//     /api/v1/admin/flush), checks exact answers across block and head, out
//     of bounds and storage.out_of_order_window, a restart, and a corrupt
//     block quarantined while the rest is still served.
//   - otlp_test.go pushes through the OpenTelemetry Go SDK's OTLP/HTTP
//     metric exporter and reads the series back with Prometheus' names.
//   - overload_test.go floods a server with small in-flight limits: 429s,
//     bounded RSS, and every sample answered 204 stored.
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
//   - dependencies_test.go (with deps_scenario_test.go and
//     deps_api_test.go) runs a database alert and the alerts of services
//     that depend on it, by depends_on and through a services file
//     (dependencies.files), against the PagerDuty stand-in: one push makes
//     them all fail and only the database pages, the others fire
//     suppressed (/api/v1/alerts, ALERTS, /api/v1/deps, /api/v1/deps/explain);
//     a dependent still failing when the database recovers pages then.
//     Also: label matching across regions, a restart while suppressed (no
//     page after it), a cause firing after its dependent paged (one trigger
//     update with custom_details.caused_by).
//   - deps_check_test.go runs `vigil deps check` and `vigil deps graph`:
//     cycles printed, unknown references at file:line, exit codes.
//   - sev_test.go (with sev_scenario_test.go and sev_traffic_test.go)
//     pushes http_requests_total by route every 10 s under a SEV policy
//     with the PagerDuty stand-in and a webhook receiver: a critical route
//     dipping below its level-2 row files one availability SEV with its
//     three roles and pages, deepening raises it to level 1, a second
//     route joins it, recovery mitigates and resolves it; a dip on a route
//     in no bucket files nothing and a global drop files from the global
//     table; a restart mid-SEV neither files nor pages twice; a bad policy
//     is refused at start and on reload; vigil sev drives a declared SEV.
//
// The binary is built on first use, so `go test -list` costs no build.
//
// The package has no non-test code besides this comment.
package e2e
