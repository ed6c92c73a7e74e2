package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"

	queryapi "github.com/vigilsre/vigil/query/api"
)

// ruleFilter is what the parameters of /api/v1/rules select.
type ruleFilter struct {
	names, groups, files nameSet
	matchers             [][]*labels.Matcher // nil: every rule
	alerting, recording  bool                // the rule types listed
	excludeAlerts        bool
	groupLimit           int    // most groups per page; 0: no paging
	nextToken            string // the page's first group; "": the first page
}

// parseRuleFilter reads the parameters of /api/v1/rules, checking them in
// Prometheus' order so that a request with several bad ones gets the same
// error.
func (a *API) parseRuleFilter(r *http.Request) (f ruleFilter, err error) {
	if err := r.ParseForm(); err != nil {
		return f, badData(fmt.Errorf("error parsing form values: %w", err))
	}
	f.names, f.groups, f.files = setOf(r.Form["rule_name[]"]), setOf(r.Form["rule_group[]"]), setOf(r.Form["file[]"])
	if f.matchers, err = a.parseMatchers(r.Form["match[]"]); err != nil {
		return f, badData(err)
	}
	q := r.URL.Query()
	if f.alerting, f.recording, err = parseType(q.Get("type")); err != nil {
		return f, invalidParam(err, "type")
	}
	if f.excludeAlerts, err = parseExcludeAlerts(q.Get("exclude_alerts")); err != nil {
		return f, invalidParam(err, "exclude_alerts")
	}
	f.groupLimit, f.nextToken, err = parsePage(q)
	return f, err
}

// parseMatchers parses the match[] selectors. As in Prometheus, a selector
// whose every matcher matches the empty string is refused.
func (a *API) parseMatchers(selectors []string) ([][]*labels.Matcher, error) {
	sets, err := a.parser.ParseMetricSelectors(selectors)
	if err != nil {
		return nil, err
	}
	for _, ms := range sets {
		if !selective(ms) {
			return nil, errors.New("match[] must contain at least one non-empty matcher")
		}
	}
	return sets, nil
}

// selective reports whether some matcher of ms refuses the empty string.
func selective(ms []*labels.Matcher) bool {
	for _, m := range ms {
		if m != nil && !m.Matches("") {
			return true
		}
	}
	return false
}

// parseType parses the type parameter: which rule types to list.
func parseType(s string) (alerting, recording bool, err error) {
	switch typ := strings.ToLower(s); typ {
	case "":
		return true, true, nil
	case "alert":
		return true, false, nil
	case "record":
		return false, true, nil
	default:
		return false, false, fmt.Errorf("not supported value %q", typ)
	}
}

// parseExcludeAlerts parses the exclude_alerts parameter; false when absent.
func parseExcludeAlerts(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	exclude, err := strconv.ParseBool(strings.ToLower(s))
	if err != nil {
		return false, fmt.Errorf("error converting exclude_alerts: %w", err)
	}
	return exclude, nil
}

// parsePage parses group_limit and group_next_token. A token without a
// limit is an error; a limit without a token asks for the first page.
func parsePage(q url.Values) (limit int, token string, err error) {
	token = q.Get("group_next_token")
	s := q.Get("group_limit")
	if s == "" {
		if token != "" {
			return 0, "", invalidParam(errors.New("group_limit needs to be present in order to paginate over the groups"), "group_next_token")
		}
		return 0, "", nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, "", invalidParam(fmt.Errorf("group_limit needs to be a valid number: %w", err), "group_limit")
	}
	if n <= 0 {
		return 0, "", invalidParam(errors.New("group_limit needs to be greater than 0"), "group_limit")
	}
	return int(n), token, nil
}

// nameSet is the set of values of a repeated parameter such as rule_name[].
type nameSet map[string]struct{}

// setOf returns the set of values; nil for none.
func setOf(values []string) nameSet {
	if len(values) == 0 {
		return nil
	}
	s := make(nameSet, len(values))
	for _, v := range values {
		s[v] = struct{}{}
	}
	return s
}

// admits reports whether name passes the filter: an empty set admits all.
func (s nameSet) admits(name string) bool {
	if len(s) == 0 {
		return true
	}
	_, ok := s[name]
	return ok
}

// invalidParam is the bad_data error of a parameter that cannot be used,
// worded as Prometheus words it.
func invalidParam(err error, name string) *queryapi.Error {
	return badData(fmt.Errorf("invalid parameter %q: %w", name, err))
}

// badData is a bad_data (400) error.
func badData(err error) *queryapi.Error {
	return &queryapi.Error{Type: queryapi.ErrorBadData, Err: err}
}
