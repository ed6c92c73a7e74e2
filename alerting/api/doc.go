// Package api serves Vigil's alerting rules and alerts in the Prometheus HTTP
// API dialect, so that Grafana and other Prometheus clients show them
// unchanged, and Vigil's dependency graph.
//
// Endpoints (GET only, as in Prometheus):
//
//	/api/v1/rules         rule groups, their rules and each alerting rule's alerts
//	/api/v1/alerts        every active (pending, firing or unknown) alert
//	/api/v1/deps          the dependency graph, each node with its current state
//	/api/v1/deps/explain  why an alert instance is, or is not, suppressed
//
// The last two are mounted only when Options.Deps is set.
//
// /api/v1/rules takes Prometheus' parameters:
//
//	type=alert|record      only alerting or only recording rules
//	rule_name[]=NAME       only rules with one of these names
//	rule_group[]=NAME      only groups with one of these names
//	file[]=PATH            only groups loaded from one of these files
//	match[]=SELECTOR       only rules whose labels match one of the selectors
//	exclude_alerts=true    alerting rules without their alerts ("alerts":null)
//	group_limit=N          at most N groups; "groupNextToken" names the next page
//	group_next_token=TOKEN the page that starts at the group TOKEN names
//
// A group left with no rules by the filters is not listed (nor is a group
// that has no rules at all). Groups are sorted by file, then name; rules
// keep their order in the file. A bad parameter is a 400 bad_data error with
// Prometheus' message.
//
// The JSON shapes are Prometheus' own (web/api/v1/api.go: RuleDiscovery,
// RuleGroup, AlertingRule, RecordingRule, Alert, AlertDiscovery), in the
// envelope of package query/api:
//
//	{"status":"success","data":{"groups":[{"name":"web","file":"web.yml","rules":[
//	  {"state":"firing","name":"HighErrorRate","query":"…","duration":20,
//	   "keepFiringFor":0,"labels":{…},"annotations":{…},"alerts":[
//	     {"labels":{…},"annotations":{…},"state":"firing",
//	      "activeAt":"2026-03-01T12:00:00Z","value":"1e+00"}],
//	   "health":"ok","evaluationTime":0.0015,
//	   "lastEvaluation":"2026-03-01T12:00:10Z","type":"alerting"}],
//	  "interval":10,"limit":0,"evaluationTime":0.002,
//	  "lastEvaluation":"2026-03-01T12:00:10Z"}]}}
//
// Durations (duration, keepFiringFor, interval, evaluationTime) are float
// seconds; times are RFC 3339 with nanoseconds; an alert's value is a string
// in Go's shortest 'e' format ("7.5e-01", "NaN", "+Inf"); lastError is
// omitted when empty.
//
// Vigil's additions are extra fields, after Prometheus' own, which clients
// that do not know them ignore:
//
//   - an alert whose input data went missing while it was firing has state
//     "unknown" and "unknownSince" (the time the data went missing); its rule
//     counts as firing and says how many of its alerts are unknown in
//     "unknownAlerts" (omitted when 0), so the count is there even with
//     exclude_alerts=true;
//
//   - "suppressed" (always present) says whether a firing cause explains
//     the alert, so that it does not page; a suppressed alert lists its
//     causes in "suppressedBy", root causes (those not suppressed
//     themselves, which page) first, each with the path of graph nodes from
//     the alert to the cause:
//
//     "suppressed":true,"suppressedBy":[{"alertname":"MetadataDBDown",
//     "labels":{"alertname":"MetadataDBDown","region":"us-east"},
//     "path":["WebErrors","web","metadata-db","MetadataDBDown"],"root":true}]
//
//   - "held": true (omitted when false) on an alert that only pending
//     causes explain: it does not page until they fire (then it is
//     suppressed) or clear (then it pages).
//
// /api/v1/deps lists the graph's nodes (alerts, then services, each sorted
// by name) and edges, from the dependent to what it depends on:
//
//	{"nodes":[{"name":"web","kind":"service","file":"deps.yml","line":2,
//	           "firing":3,"suppressed":1,"weight":0.5,"criticalPath":true}, …],
//	 "edges":[{"from":"web","to":"metadata-db","kind":"service",
//	           "match":["region"],"file":"deps.yml","line":3}, …]}
//
// A node's "firing" counts its firing and unknown alerts (an alert node its
// own instances, a service the instances that belong to it, statically or
// by their service label), "suppressed" those of them that are suppressed.
// A service has "weight", its share of user-facing requests, and
// "criticalPath", whether the weight reaches the critical threshold, when
// weights are configured. An edge's "kind" is "depends_on" (alert to
// alert), "member" (alert to its service) or "service" (service to
// service); "match" lists the labels that must be equal ([] for none); an
// all_of dependency is one edge per alternative, each with the whole group
// in "allOf".
//
// /api/v1/deps/explain?alert=NAME&labels={region="us-east"} decides the
// instance of the alerting rule NAME with those labels (a PromQL label set;
// absent means none) against the alerts firing now, as the evaluation
// does:
//
//	{"alert":"WebErrors","labels":{"alertname":"WebErrors","region":"us-west"},
//	 "suppressed":false,"by":[],
//	 "reason":"MetadataDBDown fires but region differs: us-east ≠ us-west"}
//
// "by" lists the causes as "suppressedBy" does. "reason" words the causes
// and paths of a suppressed instance; otherwise it names the pending causes
// that would explain it ("… is pending, not firing yet"), the firing alerts
// of its ancestors whose labels differ, with the labels its paths ask for
// ("A fires but region differs: us-east ≠ us-west"), the all_of groups that
// lack a matching alternative ("A fires but all_of [A, B] lacks a matching
// B", from depgraph's Graph.Misses), or else says "no firing ancestor".
// These are all answered by the graph, so they follow its rules exactly. A
// missing or unknown alert name, or a bad label set, is a 400 bad_data
// error.
//
// Two differences in bytes, not in meaning, because query/api's Respond
// encodes this package's data with encoding/json where Prometheus uses
// jsoniter: label and annotation values are HTML-escaped ("a \u003e b" where
// Prometheus writes "a > b"; other strings, such as the query, are escaped
// by both), and a duration under a microsecond reads 3e-7 where Prometheus
// writes 3e-07. Every JSON decoder reads both forms as the same value.
package api
