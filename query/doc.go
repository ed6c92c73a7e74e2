// Package query answers PromQL over a storage.Queryable.
//
// It wraps Prometheus' promql.Engine behind a small interface that its users
// (the HTTP API in query/api, alert rules) call without knowing the engine:
//
//	e := query.New(db, query.Options{Registerer: reg})
//	res, err := e.Instant(ctx, `sum by (job) (rate(http_requests_total[5m]))`, now)
//	if err != nil {
//		return err // errors.Is(err, query.ErrBadQuery), query.ErrTimeout, ...
//	}
//	defer res.Close()
//	vec := res.Value.(promql.Vector)
//
// Instant and Range evaluate expressions; Series, LabelNames and LabelValues
// read the index without evaluating anything; ParseMatchers turns series
// selectors into the matcher sets those three take.
//
// Every error returned is an *Error whose Kind is one of ErrBadQuery,
// ErrTimeout, ErrCanceled, ErrTooManySamples, ErrStorage or ErrExecution, and
// whose message is the engine's own (so an HTTP API can show exactly what
// Prometheus would).
//
// The package knows nothing of HTTP. An Engine is safe for concurrent use.
package query
