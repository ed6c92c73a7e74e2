// Package api serves Vigil's read API in the Prometheus HTTP API dialect, so
// that Grafana and other Prometheus clients work against Vigil unchanged.
//
// Endpoints (GET, and POST with a form-encoded body where Prometheus has it):
//
//	/api/v1/query                instant query: query, time, timeout, limit
//	/api/v1/query_range          range query: query, start, end, step, timeout, limit
//	/api/v1/series               series: match[] (required), start, end, limit
//	/api/v1/labels               label names: match[], start, end, limit
//	/api/v1/label/{name}/values  label values: match[], start, end, limit
//	/api/v1/status/buildinfo     Options.BuildInfo
//	/api/v1/metadata             always {} (Vigil keeps no metric metadata)
//	/api/v1/query_exemplars      always [] (Vigil keeps no exemplars)
//
// and, with Options.Flusher, POST /api/v1/admin/flush: cut the store's head
// into a durable block now; the answer, once the block is on disk, is
//
//	{"status":"success","data":{"block":{"id":"…","minTime":…,"maxTime":…,"numSeries":…,"numSamples":…,"level":1}}}
//
// with "block":null when the head held no sample. Times are Unix ms.
//
// Parameters, JSON shapes and errors are Prometheus' own (web/api/v1/api.go):
// times are float Unix seconds or RFC 3339; durations are float seconds or
// Prometheus durations ("1m30s"); the body is the envelope
//
//	{"status":"success","data":…,"warnings":[…],"infos":[…]}
//	{"status":"error","errorType":"bad_data","error":"…"}
//
// with sample values as strings ("1.5", "NaN", "+Inf") and timestamps as
// float seconds ("1435781451.781"). Respond and RespondError write the
// envelope for other Vigil APIs (alerts, SEVs) too; the HTTP status of an
// error follows its ErrorType.
//
// Where Prometheus leaves an order open, Vigil fixes one: warnings and infos
// are sorted, and series are returned sorted by labels.
package api
