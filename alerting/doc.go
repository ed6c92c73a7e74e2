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
// Files are parsed and validated by Prometheus' model/rulefmt (duplicate
// group names are errors); every expression and template is parsed at
// load. A key that is neither Prometheus' nor one of Vigil's extension keys
// below is an error, as with Prometheus. Problems are *FileError values
// reading "FILE:LINE: reason". Load is all or nothing: a bad file keeps the
// rules in effect. CheckFiles validates offline, for `vigil rules check`
// and `vigil deps check`.
//
// Vigil's extension keys tie an alerting rule to the alerts it depends on
// (optional; a file without them is a plain Prometheus rule file):
//
//   - alert: WebErrors
//     expr: ...
//     depends_on:
//   - alert: MetadataDBDown          # explained by one firing instance of it
//     match: [region]                # whose region equals the alert's
//   - all_of: [StorageReplicaDown]   # explained when every one listed fires
//     match: [cluster]
//   - NodeDown                       # short for {alert: NodeDown}
//     ignore_service_dependencies: false # true: its service's dependencies do not apply
//
// They are errors on a recording rule. Rules that share an alert name are
// one node of the graph: their depends_on lists add up.
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
// as new series named after the rule, at once (later rules of the group
// read it); alerting rules write ALERTS once the whole group is evaluated
// and its alerts decided (see Dependencies). Manager.Eval evaluates every
// group once at a given time, synchronously, for tests and benchmarks.
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
// # Dependencies: page the cause, not everyone downstream
//
// Load builds, with package depgraph, one graph of the rules' alerts and of
// the services of LoadSpec.ServiceFiles (an alert belongs to the service
// its service label names, or that lists it; a service depends on
// services). A cycle or a reference to an unknown alert or service is a
// load error. An alert instance is explained when a firing (or unknown)
// instance of one of its ancestors matches it on the labels of the path;
// see depgraph for the rules.
//
// The Manager keeps one set of the firing and pending alerts of every
// group, each group's part replaced after each of its evaluations. Once a
// group has evaluated all its rules, each of its firing and unknown alerts
// is decided against that set (so the order of rules in a group does not
// matter; other groups count as of their last evaluation):
//
//   - suppressed, when a firing cause explains it: Alert.Suppressed and
//     SuppressedBy are set, ALERTS gets the label suppressed="true", and
//     the Notifier gets it with Suppressed and CausedBy (root causes
//     first): delivery does not page it, and adds the causes to a page it
//     sent before the cause fired;
//   - held, when only pending causes would explain it and it was never
//     handed over unsuppressed: it is not handed over at all;
//   - else it is handed over as before and pages.
//
// Why hold: a database and the three services that call it fail together;
// if the services' group evaluates before the database's, their alerts
// would fire, and page, while the database alert is still pending (or not
// yet evaluated). Holding them while a cause is pending lets the cause
// fire first; at their next evaluation they are suppressed. The hold is
// bounded by the cause's `for`: a pending cause fires or clears within its
// `for` plus one interval of its group, so an alert is held at most the
// longest `for` plus group interval of the pending causes that explain it,
// counted from when it was first held (a cause that keeps flapping between
// pending and gone cannot hold it longer); then it pages. A cause with
// `for: 0` is never pending: when it fires in a group evaluated after its
// dependents' in the same round, the dependents are handed over first
// (they page) and are handed over suppressed, with their causes, at their
// next evaluation. Give causes a `for` at least as long as their
// dependents' to page only the cause.
//
// When the cause resolves and a dependent still fires, the dependent's next
// evaluation decides it unsuppressed: it pages then. When a cause fires
// after its dependent paged, the dependent is handed over suppressed with
// CausedBy: delivery keeps the page and links the cause to it. At start,
// Run reads the restore state (ALERTS_FOR_STATE) of every group before any
// group evaluates, and puts the alerts that were firing (and pending) in
// the set: a dependent suppressed before a restart is suppressed at its
// first evaluation after it, whichever group evaluates first.
// Manager.Explain decides for any instance against the current set.
//
// # Service weights
//
// With Options.Weights, Run evaluates a PromQL expression of request rates
// by caller and callee every interval and computes each service's weight
// with depgraph.Weights: the share of user-facing requests whose path
// reaches it. Manager.Weights returns them; vigil_service_weight{service}
// and vigil_service_critical_path{service} (1 at or above the critical
// threshold) export them.
//
// # Notifications
//
// After each evaluation of a group, the Notifier gets every firing and
// unknown alert of the group that is not held (suppressed ones included,
// marked), and every alert that resolved in that evaluation (once;
// delivery keeps its own log and retries). StartsAt is when the alert
// fired, EndsAt when it resolved, State "firing", "unknown" or "resolved",
// GeneratorURL a link to the expression in Vigil's query API. DedupKey
// gives each alert a key stable across restarts and replicas. A rule over
// its limit, a removed rule and a removed group resolve their alerts.
//
// # What is stored where
//
// Through Options.Writer, after each rule evaluation and timestamped at the
// evaluation time minus query_offset:
//
//   - ALERTS{alertname, alertstate="pending|firing|unknown", <alert labels>} 1,
//     with suppressed="true" on suppressed alerts;
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
