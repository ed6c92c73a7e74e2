// Package api serves Vigil's alerting rules and alerts in the Prometheus HTTP
// API dialect, so that Grafana and other Prometheus clients show them
// unchanged.
//
// Endpoints (GET only, as in Prometheus):
//
//	/api/v1/rules   rule groups, their rules and each alerting rule's alerts
//	/api/v1/alerts  every active (pending, firing or unknown) alert
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
//   - "suppressed" and "suppressedBy" on an alert are reserved for
//     suppression by the dependency graph and are omitted until it exists.
//
// Two differences in bytes, not in meaning, because query/api's Respond
// encodes this package's data with encoding/json where Prometheus uses
// jsoniter: label and annotation values are HTML-escaped ("a \u003e b" where
// Prometheus writes "a > b"; other strings, such as the query, are escaped
// by both), and a duration under a microsecond reads 3e-7 where Prometheus
// writes 3e-07. Every JSON decoder reads both forms as the same value.
package api
