// Package alerting evaluates alerting and recording rules over Vigil's
// store and tells delivery (package alerting/notify) which alerts fire.
//
// # Rule files
//
// Rule files are Prometheus rule files and load unchanged:
//
//	groups:
//	  - name: web
//	    interval: 10s        # default: Options.EvaluationInterval (10s)
//	    query_offset: 0s     # evaluate at the slot time minus this
//	    limit: 0             # most alerts (or series) a rule may produce; 0 = none
//	    labels: {team: web}  # added to every rule of the group
//	    rules:
//	      - record: job:http_errors:rate5m
//	        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
//	      - alert: HighErrorRate
//	        expr: job:http_errors:rate5m / job:http_requests:rate5m > 0.05
//	        for: 20s
//	        keep_firing_for: 1m
//	        labels: {severity: critical}
//	        annotations:
//	          summary: "{{ $labels.job }}: {{ $value | humanizePercentage }} errors"
//	          runbook_url: https://runbooks.example.com/high-error-rate
//
// Files are parsed and validated by Prometheus' model/rulefmt (unknown
// fields and duplicate group names are errors); every expression and
// template is parsed at load. Problems are *FileError values reading
// "FILE:LINE: reason". Load is all or nothing: a bad file keeps the rules in
// effect. CheckFiles validates offline, for `vigil rules check`.
// Annotations and rule labels are Go templates with Prometheus' variables
// and functions: $labels, $value, $externalURL, humanize, query, ….
//
// # Evaluation
//
// Each group runs in its own goroutine, at the slots of its interval
// shifted by a stable per-group offset (a hash of file and name), so
// groups spread over the interval and two replicas evaluate at the same
// instants. Rules run in order; each instant query goes through the
// Querier at the slot time minus query_offset. A failing rule (query error,
// duplicate label sets, limit exceeded, write error) records its error
// (health "err") and the group goes on. A recording rule writes its result
// as new series named after the rule.
//
// # Alert states
//
// An alerting rule's alerts are the series its expression returns, each
// labelled with the series' labels (without __name__), the group's and
// rule's labels, and alertname. At each evaluation:
//
//	from      what the evaluation finds                       to
//	(none)    the expression returns a new alert              pending (firing at once with for: 0)
//	pending   still returned, active for `for`                firing
//	pending   no longer returned                              gone (never notified)
//	firing    no longer returned, condition cleared           resolved (after keep_firing_for)
//	firing    no longer returned, input data missing          unknown
//	unknown   returned again                                  firing (same FiredAt: same incident)
//	unknown   data back without the condition                 resolved (after keep_firing_for)
//	unknown   unknown for MissingDataTimeout                  resolved
//
// With for: 0 an alert fires at its first evaluation. keep_firing_for keeps
// an alert firing that long after its condition cleared.
//
// unknown is Vigil's own state. Prometheus resolves a firing alert as soon
// as its expression stops returning it, which also happens when the data
// stopped arriving: a dead exporter or a broken ingest path "resolves" the
// page. Vigil tells the two apart for an expression whose top node is a
// filtering comparison (`errors / requests > 0.05`, `up == 0`,
// `5 < x < 10`; not `> bool`): it evaluates the operand the alert's labels
// come from (the left-hand side, or the right one for a scalar on the left
// or group_right), and if that still returns a series with the alert's
// labels (ignoring alertname and the rule's labels) the condition cleared
// and the alert resolves; if it returns nothing for them, the data is
// missing and the alert turns unknown. An unknown alert still counts as
// firing (notified, shown, ALERTS{alertstate="unknown"}); it fires again
// when its series comes back with the condition true, resolves when it
// comes back with the condition false, and resolves after
// Options.MissingDataTimeout (default 5m) unknown. Expressions of other
// shapes (absent(), `and`/`unless` in the compared operand, a top-level
// `and`, `or`, aggregation or function) resolve on disappearance as in
// Prometheus. Only pending alerts vanish silently. Two consequences of how
// PromQL sees missing data: a series that just stops keeps answering with
// its last value for the query engine's lookback delta (5m) before it is
// missing, while one ended by a stale marker is missing at once; and only
// the compared operand is checked, so a missing right-hand vector reads as
// a cleared condition. The check costs one more query, made only when a
// firing or unknown alert is not returned.
//
// # Notifications
//
// After each evaluation of a group, the Notifier gets every firing and
// unknown alert of the group, and every alert that resolved in that
// evaluation (once; delivery keeps its own log and retries). StartsAt is
// when the alert fired, EndsAt when it resolved, GeneratorURL a link to the
// expression in Vigil's query API. DedupKey gives each alert a key stable
// across restarts and replicas. A rule over its limit, a removed rule and
// a removed group resolve their alerts.
//
// # What is stored where
//
// Through Options.Writer, after each rule evaluation and timestamped at the
// evaluation time minus query_offset:
//
//   - ALERTS{alertname, alertstate="pending|firing|unknown", <alert labels>} 1
//   - ALERTS_FOR_STATE{alertname, <alert labels>} = ActiveAt in Unix seconds
//   - recording rule results;
//   - a stale marker for each series a rule wrote last time and not this
//     time (a state change moves ALERTS to another series), and for every
//     series of a rule or group a reload removed.
//
// Nothing is written when Run stops, so ALERTS_FOR_STATE survives a
// restart. At its first evaluation after Run starts, an alerting rule reads
// ALERTS_FOR_STATE of the last OutageTolerance (default 1h) through the
// Querier: an alert that was firing fires again at once with its old
// ActiveAt (FiredAt = ActiveAt + for), so it is not paged twice; one that
// was pending keeps the pending time it had, but a `for` of at least
// ForGracePeriod (default 10m) leaves it that long to fire; one that was
// firing and whose expression no longer returns it is resolved (or held
// unknown), so the page sent before the restart gets its resolve. Alert
// state lives in memory otherwise; a reload keeps the state of every rule
// whose name, expression and labels did not change.
package alerting
