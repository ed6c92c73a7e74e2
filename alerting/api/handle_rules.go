package api

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	queryapi "github.com/vigilsre/vigil/query/api"
)

// rules serves /api/v1/rules.
func (a *API) rules(r *http.Request) (any, error) {
	f, err := a.parseRuleFilter(r)
	if err != nil {
		return nil, err
	}
	return f.discover(sortedGroups(a.src.Groups()))
}

// sortedGroups returns a copy of groups sorted by file, then name, the order
// of Prometheus' rule manager (and so of its paging).
func sortedGroups(groups []alerting.GroupStatus) []alerting.GroupStatus {
	groups = slices.Clone(groups)
	slices.SortStableFunc(groups, func(a, b alerting.GroupStatus) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Name, b.Name))
	})
	return groups
}

// discover lists the groups and rules f selects, one page of them when
// group_limit is set.
func (f *ruleFilter) discover(groups []alerting.GroupStatus) (*RuleDiscovery, error) {
	start, err := f.pageStart(groups)
	if err != nil {
		return nil, err
	}
	res := &RuleDiscovery{RuleGroups: []RuleGroup{}}
	for _, g := range groups[start:] {
		rg, err := f.group(g)
		if err != nil {
			return nil, err
		}
		if len(rg.Rules) == 0 {
			continue
		}
		if f.groupLimit > 0 && len(res.RuleGroups) == f.groupLimit {
			res.GroupNextToken = groupToken(g)
			break
		}
		res.RuleGroups = append(res.RuleGroups, rg)
	}
	return res, nil
}

// pageStart returns the index of the group named by group_next_token, 0
// without one.
func (f *ruleFilter) pageStart(groups []alerting.GroupStatus) (int, error) {
	if f.nextToken == "" {
		return 0, nil
	}
	for i, g := range groups {
		if groupToken(g) == f.nextToken {
			return i, nil
		}
	}
	return 0, invalidParam(fmt.Errorf("invalid group_next_token '%v'. were rule groups changed?", f.nextToken), "group_next_token")
}

// groupToken is the paging token of g: Prometheus' hex SHA-256 of
// "file;name", so a client's tokens stay valid across Vigil and Prometheus.
func groupToken(g alerting.GroupStatus) string {
	sum := sha256.Sum256([]byte(g.File + ";" + g.Name))
	return hex.EncodeToString(sum[:])
}

// group converts g with the rules f selects; none if f drops the group.
func (f *ruleFilter) group(g alerting.GroupStatus) (RuleGroup, error) {
	rg := groupOf(g)
	if !f.groups.admits(g.Name) || !f.files.admits(g.File) {
		return rg, nil
	}
	for _, r := range g.Rules {
		if !f.names.admits(r.Name) || !matchesAny(f.matchers, r.Labels) {
			continue
		}
		rule, err := f.rule(r)
		if err != nil {
			return rg, err
		}
		if rule != nil {
			rg.Rules = append(rg.Rules, rule)
		}
	}
	return rg, nil
}

// rule converts r, or returns nil if f drops its type.
func (f *ruleFilter) rule(r alerting.RuleStatus) (Rule, error) {
	switch r.Type {
	case alertingType:
		if f.alerting {
			return alertingRuleOf(r, f.excludeAlerts), nil
		}
	case recordingType:
		if f.recording {
			return recordingRuleOf(r), nil
		}
	default:
		err := fmt.Errorf("rule %q has type %q, neither %s nor %s", r.Name, r.Type, alertingType, recordingType)
		return nil, &queryapi.Error{Type: queryapi.ErrorInternal, Err: err}
	}
	return nil, nil
}

// matchesAny reports whether ls matches every matcher of at least one set;
// true when there are no sets.
func matchesAny(sets [][]*labels.Matcher, ls labels.Labels) bool {
	if len(sets) == 0 {
		return true
	}
	for _, ms := range sets {
		if matchesAll(ms, ls) {
			return true
		}
	}
	return false
}

// matchesAll reports whether ls matches every matcher of ms.
func matchesAll(ms []*labels.Matcher, ls labels.Labels) bool {
	for _, m := range ms {
		if !m.Matches(ls.Get(m.Name)) {
			return false
		}
	}
	return true
}
