// Package oncall checks every team's PagerDuty set-up against common
// on-call standards, before an outage rather than during one.
//
// A Reader takes a Snapshot of the account through PagerDuty's REST API:
// escalation policies with their teams and rules, the schedules they page
// rendered over the coverage window, and every reachable responder's
// notification rules. Check then applies the first Standard that selects
// each policy and returns a Report of Violations, each under a stable check
// name (CheckLayers, CheckLayerDelay, ...) with a detail a team lead can act
// on. A Runner repeats this on an interval inside `vigil serve`.
package oncall
