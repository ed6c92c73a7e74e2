package query

import (
	"errors"

	"github.com/prometheus/prometheus/model/labels"
)

// ParseMatchers parses series selectors, such as `up` or
// `http_requests_total{job="api",code=~"5.."}`, into the matcher sets that
// Series, LabelNames and LabelValues take, one set per selector. A selector
// whose every matcher matches the empty string (`{job=~".*"}`) is refused:
// it would select every series. Errors are ErrBadQuery with Prometheus'
// messages.
func (e *Engine) ParseMatchers(selectors []string) ([][]*labels.Matcher, error) {
	sets, err := e.parser.ParseMetricSelectors(selectors)
	if err != nil {
		return nil, newError(ErrBadQuery, err)
	}
	for _, ms := range sets {
		if !selective(ms) {
			return nil, newError(ErrBadQuery, errors.New("match[] must contain at least one non-empty matcher"))
		}
	}
	return sets, nil
}

// selective reports whether some matcher in ms refuses the empty string.
func selective(ms []*labels.Matcher) bool {
	for _, m := range ms {
		if m != nil && !m.Matches("") {
			return true
		}
	}
	return false
}
