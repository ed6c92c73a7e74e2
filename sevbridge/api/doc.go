// Package api serves Vigil's SEVs and its SLA ledger over HTTP, in the
// envelope of the Prometheus HTTP API (package query/api):
//
//	GET  /api/v1/sevs                 every SEV, newest first
//	GET  /api/v1/sevs/{id}            one SEV (404 not_found when unknown)
//	POST /api/v1/sevs                 declare a SEV by hand
//	POST /api/v1/sevs/{id}/{action}   ack, diagnose, mitigate, resolve or set-level
//	GET  /api/v1/sla?month=YYYY-MM    the SLA ledger of a month (default: this one)
//
// A POST takes its fields as a form (query string or
// application/x-www-form-urlencoded body) or as a JSON object (Content-Type
// application/json):
//
//	declare:   type (availability, durability, security, feature_degradation),
//	           level (0-3), title, routes (repeated, or a JSON list), actor
//	set-level: level, actor
//	others:    actor
//
// actor, who is acting, is required: it is written in the SEV's timeline. A
// declare or an action answers with the SEV after the change, once it is
// stored and its pages and posts are sent (or given up); a client that
// goes away meanwhile does not cancel them. A missing or
// invalid field is a 400 bad_data error that names it, as in
//
//	{"status":"error","errorType":"bad_data","error":"invalid parameter \"level\": want an integer from 0 to 3, got \"5\""}
//
// A body over 1 MiB is a 413 in the same envelope (errorType bad_data).
//
// The SEV's JSON is sevbridge.SEV's; the ledger's is sevbridge.LedgerReport's.
package api
