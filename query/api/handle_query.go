package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/prometheus/promql"

	"github.com/vigilsre/vigil/query"
)

// errTruncated is the warning added when a limit cut a result short.
var errTruncated = errors.New("results truncated due to limit")

// query serves /api/v1/query.
func (a *API) query(r *http.Request) result {
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return result{err: invalidParam(err, "limit")}
	}
	ts, err := parseTimeParam(r, "time", a.now())
	if err != nil {
		return result{err: invalidParam(err, "time")}
	}
	ctx, cancel, err := queryContext(r)
	if err != nil {
		return result{err: err}
	}
	defer cancel()
	res, err := a.engine.Instant(ctx, r.FormValue("query"), ts)
	return queryResult(res, err, limit)
}

// queryRange serves /api/v1/query_range.
func (a *API) queryRange(r *http.Request) result {
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return result{err: invalidParam(err, "limit")}
	}
	start, end, step, apiErr := parseRange(r)
	if apiErr != nil {
		return result{err: apiErr}
	}
	ctx, cancel, err := queryContext(r)
	if err != nil {
		return result{err: err}
	}
	defer cancel()
	res, err := a.engine.Range(ctx, r.FormValue("query"), start, end, step)
	return queryResult(res, err, limit)
}

// parseRange parses and checks start, end and step, in Prometheus' order.
func parseRange(r *http.Request) (start, end time.Time, step time.Duration, err *Error) {
	start, perr := parseTime(r.FormValue("start"))
	if perr != nil {
		return start, end, 0, invalidParam(perr, "start")
	}
	if end, perr = parseTime(r.FormValue("end")); perr != nil {
		return start, end, 0, invalidParam(perr, "end")
	}
	if end.Before(start) {
		return start, end, 0, invalidParam(errors.New("end timestamp must not be before start time"), "end")
	}
	if step, perr = parseDuration(r.FormValue("step")); perr != nil {
		return start, end, 0, invalidParam(perr, "step")
	}
	if step <= 0 {
		return start, end, 0, invalidParam(errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer"), "step")
	}
	// Enough for a week at 60s resolution or a year at 1h.
	if end.Sub(start)/step > maxPoints {
		return start, end, 0, badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
	}
	return start, end, step, nil
}

// queryContext returns the request's context, bounded by its timeout
// parameter when there is one.
func queryContext(r *http.Request) (context.Context, context.CancelFunc, error) {
	timeout, err := parseTimeout(r.FormValue("timeout"))
	if err != nil {
		return nil, nil, err
	}
	if timeout == 0 {
		return r.Context(), func() {}, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	return ctx, cancel, nil
}

// queryResult turns the answer of the engine into a handler result, cutting
// vectors and matrices to limit series when limit > 0.
func queryResult(res *query.Result, err error, limit int) result {
	if err != nil {
		return result{err: queryError(err)}
	}
	ws := res.Warnings
	if truncateValue(res, limit) {
		ws.Add(errTruncated)
	}
	return result{data: queryData{res.Value}, warnings: ws, finalize: res.Close}
}

// queryError is the API error of a failed instant or range query: a bad
// query names the query parameter, as in Prometheus.
func queryError(err error) error {
	if errors.Is(err, query.ErrBadQuery) {
		return invalidParam(err, "query")
	}
	return err
}

// truncateValue cuts a vector or matrix result to limit series, reporting
// whether it did.
func truncateValue(res *query.Result, limit int) bool {
	if limit <= 0 {
		return false
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		if len(v) > limit {
			res.Value = v[:limit]
			return true
		}
	case promql.Matrix:
		if len(v) > limit {
			res.Value = v[:limit]
			return true
		}
	}
	return false
}
