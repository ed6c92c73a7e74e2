package query

import (
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/annotations"
)

// Result is the answer to an instant or range query.
type Result struct {
	// Value is a promql.Vector, promql.Matrix, promql.Scalar or
	// promql.String. It is valid until Close.
	Value parser.Value
	// Warnings holds the warnings and infos the evaluation raised (for
	// example, rate() over a series that is not a counter).
	Warnings annotations.Annotations

	query promql.Query // nil once closed
}

// Close gives the memory behind Value back to the engine for reuse by later
// queries; Value must not be used afterwards. Calling it is optional (without
// it the garbage collector reclaims the memory) and calling it again does
// nothing. A Result is not safe for concurrent use.
func (r *Result) Close() {
	if r.query == nil {
		return
	}
	r.query.Close()
	r.query = nil
}
