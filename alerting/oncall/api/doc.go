// Package api serves the outcome of Vigil's on-call readiness checks over
// HTTP, in the envelope of the Prometheus HTTP API (package query/api):
//
//	GET /api/v1/oncall
//
// answers the report of the last successful check, with when it ran and
// how the last attempt went:
//
//	{"status":"success","data":{
//	  "checked":4,
//	  "violations":[{"policy_id":"P2","policy":"Web","team":"web","standard":"critical",
//	                 "check":"layers","detail":"1 escalation layer; the standard \"critical\" requires at least 2"}],
//	  "last_success":"2026-11-20T08:00:00Z",
//	  "last_attempt":"2026-11-20T09:00:00Z",
//	  "last_error":"read PagerDuty: ..."}}
//
// last_success and last_attempt are null before the first (successful)
// check; last_error is "" when the last check succeeded. Without on-call
// checks configured (no oncall section), the answer is a 404 not_found
// error envelope saying so.
package api
