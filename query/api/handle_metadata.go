package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// series serves /api/v1/series.
func (a *API) series(r *http.Request) result {
	if len(r.Form["match[]"]) == 0 {
		return result{err: badData("no match[] parameter provided")}
	}
	limit, start, end, err := parseLookup(r)
	if err != nil {
		return result{err: err}
	}
	sets, perr := a.engine.ParseMatchers(r.Form["match[]"])
	if perr != nil {
		return result{err: invalidParam(perr, "match[]")}
	}
	series, ws, qerr := a.engine.Series(r.Context(), sets, start, end, limit)
	if qerr != nil {
		return result{err: qerr}
	}
	return result{data: labelSets(series), warnings: ws}
}

// labelNames serves /api/v1/labels.
func (a *API) labelNames(r *http.Request) result {
	limit, start, end, err := parseLookup(r)
	if err != nil {
		return result{err: err}
	}
	sets, perr := a.matchers(r)
	if perr != nil {
		return result{err: perr}
	}
	names, ws, qerr := a.engine.LabelNames(r.Context(), sets, start, end, limit)
	if qerr != nil {
		return result{err: qerr}
	}
	return result{data: names, warnings: ws}
}

// labelValues serves /api/v1/label/{name}/values.
func (a *API) labelValues(r *http.Request) result {
	name, err := labelName(r.PathValue("name"))
	if err != nil {
		return result{err: err}
	}
	limit, start, end, err := parseLookup(r)
	if err != nil {
		return result{err: err}
	}
	sets, perr := a.matchers(r)
	if perr != nil {
		return result{err: perr}
	}
	vals, ws, qerr := a.engine.LabelValues(r.Context(), name, sets, start, end, limit)
	if qerr != nil {
		return result{err: qerr}
	}
	return result{data: vals, warnings: ws}
}

// labelName decodes and checks the name in a label values path. A name
// starting with U__ is in Prometheus' value-encoding escape
// (U__http_2e_method is http.method).
func labelName(name string) (string, *Error) {
	if strings.HasPrefix(name, "U__") {
		name = model.UnescapeName(name, model.ValueEncodingEscaping)
	}
	if !model.UTF8Validation.IsValidLabelName(name) {
		return "", badData(fmt.Sprintf("invalid label name: %q", name))
	}
	return name, nil
}

// parseLookup parses the limit, start and end parameters of a series or
// label lookup; start and end default to the whole of time.
func parseLookup(r *http.Request) (limit int, start, end time.Time, err *Error) {
	limit, perr := parseLimit(r.FormValue("limit"))
	if perr != nil {
		return 0, start, end, invalidParam(perr, "limit")
	}
	if start, perr = parseTimeParam(r, "start", minTime); perr != nil {
		return 0, start, end, invalidParam(perr, "start")
	}
	if end, perr = parseTimeParam(r, "end", maxTime); perr != nil {
		return 0, start, end, invalidParam(perr, "end")
	}
	return limit, start, end, nil
}

// matchers parses the optional match[] parameters of a label lookup; their
// errors are bad data with the parser's message alone, as in Prometheus.
func (a *API) matchers(r *http.Request) ([][]*labels.Matcher, *Error) {
	if len(r.Form["match[]"]) == 0 {
		return nil, nil
	}
	sets, err := a.engine.ParseMatchers(r.Form["match[]"])
	if err != nil {
		return nil, &Error{Type: ErrorBadData, Err: err}
	}
	return sets, nil
}
