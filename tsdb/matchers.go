package tsdb

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// postingsForMatchers returns, in a new sorted list, the refs of the series
// that match every matcher, with the semantics of Prometheus'
// tsdb.PostingsForMatchers:
//
//   - a matcher that does not match the empty string selects the series whose
//     value of its label matches; its postings are intersected;
//   - a matcher that matches the empty string also selects the series without
//     the label, so it subtracts the series whose value does not match;
//   - with nothing to intersect, subtraction starts from every series.
//
// Regular expressions are evaluated once per distinct value of their label,
// never per series; equality and alternations of literals (a|b|c) are map
// lookups. __name__ is a label like any other. The caller holds ix.mu (read).
func (ix *postingsIndex) postingsForMatchers(ms []*labels.Matcher) []storage.SeriesRef {
	var its, nots [][]storage.SeriesRef
	for _, m := range ms {
		if m.Matches("") {
			if list := ix.postingsWhere(m, false); len(list) > 0 {
				nots = append(nots, list)
			}
			continue
		}
		list := ix.postingsWhere(m, true)
		if len(list) == 0 {
			return nil
		}
		its = append(its, list)
	}
	out := ix.intersectAll(its)
	for _, list := range nots {
		out = subtract(out, list)
	}
	return out
}

// intersectAll intersects sorted lists, smallest first, into a new list; no
// lists means every series.
func (ix *postingsIndex) intersectAll(its [][]storage.SeriesRef) []storage.SeriesRef {
	if len(its) == 0 {
		return slices.Clone(ix.all)
	}
	slices.SortFunc(its, func(a, b []storage.SeriesRef) int { return len(a) - len(b) })
	out := slices.Clone(its[0])
	for _, list := range its[1:] {
		out = intersect(out, list)
	}
	return out
}

// postingsWhere returns the sorted refs of the series that have m's label
// with a value for which m.Matches is want. The list may alias the index: the
// caller must not change it.
func (ix *postingsIndex) postingsWhere(m *labels.Matcher, want bool) []storage.SeriesRef {
	values := ix.m[m.Name]
	if len(values) == 0 {
		return nil
	}
	if literals, ok := literalValues(m, want); ok {
		return union(values, literals)
	}
	var lists [][]storage.SeriesRef
	for v, list := range values {
		if m.Matches(v) == want {
			lists = append(lists, list)
		}
	}
	return concatSorted(lists)
}

// literalValues returns the exact values for which m.Matches is want, when m
// names them: l="v" and l=~"a|b" match them, l!="v" and l!~"a|b" do not.
func literalValues(m *labels.Matcher, want bool) ([]string, bool) {
	switch {
	case m.Type == labels.MatchEqual && want, m.Type == labels.MatchNotEqual && !want:
		return []string{m.Value}, true
	case m.Type == labels.MatchRegexp && want, m.Type == labels.MatchNotRegexp && !want:
		set := m.SetMatches()
		return set, len(set) > 0
	}
	return nil, false
}

// union returns the refs of the series with any of the given values.
func union(values map[string][]storage.SeriesRef, literals []string) []storage.SeriesRef {
	var lists [][]storage.SeriesRef
	for _, v := range literals {
		if list := values[v]; len(list) > 0 {
			lists = append(lists, list)
		}
	}
	return concatSorted(lists)
}

// concatSorted merges the lists of distinct values of one label, which are
// disjoint, into one sorted list. A single list is returned as is.
func concatSorted(lists [][]storage.SeriesRef) []storage.SeriesRef {
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return lists[0]
	}
	out := slices.Concat(lists...)
	slices.Sort(out)
	return slices.Compact(out)
}
