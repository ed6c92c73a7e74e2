package block

import (
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
)

// postingsForMatchers returns the sorted ids of the series matching every
// matcher, with the semantics of Prometheus' PostingsForMatchers (and of the
// head, tsdb/matchers.go):
//
//   - a matcher that does not match "" selects the series whose value of its
//     label matches; these sets are intersected;
//   - a matcher that matches "" also selects the series without the label, so
//     it subtracts the series whose value does not match;
//   - with nothing to intersect, subtraction starts from every series.
//
// Regular expressions run once per distinct value of their label; equality
// and alternations of literals are lookups in the sorted values. The result
// may alias the index's lists: callers must not change it.
func (ix *index) postingsForMatchers(ms []*labels.Matcher) []uint32 {
	var its, nots [][]uint32
	for _, m := range ms {
		want := !m.Matches("")
		u := ix.matching(m, want)
		switch {
		case want && len(u) == 0:
			return nil
		case want:
			its = append(its, u)
		case len(u) > 0:
			nots = append(nots, u)
		}
	}
	out := ix.all
	if len(its) > 0 {
		slices.SortFunc(its, func(a, b []uint32) int { return len(a) - len(b) })
		out = its[0]
		for _, l := range its[1:] {
			out = intersect(out, l)
		}
	}
	for _, l := range nots {
		out = subtract(out, l)
	}
	return out
}

// matching returns the ids of the series with a value of m's label for
// which m.Matches is want.
func (ix *index) matching(m *labels.Matcher, want bool) []uint32 {
	vp := ix.postings[m.Name]
	if vp == nil {
		return nil
	}
	var lists [][]uint32
	if literals, ok := LiteralValues(m, want); ok {
		for _, v := range literals {
			if i, found := sort.Find(len(vp.values), func(i int) int { return strings.Compare(v, vp.values[i]) }); found {
				lists = append(lists, vp.lists[i])
			}
		}
	} else {
		for i, v := range vp.values {
			if m.Matches(v) == want {
				lists = append(lists, vp.lists[i])
			}
		}
	}
	return merge(lists)
}

// LiteralValues returns the exact values for which m.Matches is want, when
// m names them: l="v" and l=~"a|b" match them, l!="v" and l!~"a|b" do not.
// The head's postings (package tsdb) use it too.
func LiteralValues(m *labels.Matcher, want bool) ([]string, bool) {
	switch {
	case m.Type == labels.MatchEqual && want, m.Type == labels.MatchNotEqual && !want:
		return []string{m.Value}, true
	case m.Type == labels.MatchRegexp && want, m.Type == labels.MatchNotRegexp && !want:
		set := m.SetMatches()
		return set, len(set) > 0
	}
	return nil, false
}

// merge returns the sorted union of sorted lists; a single list is returned
// as is.
func merge(lists [][]uint32) []uint32 {
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

// intersect returns, in a new list, the ids of a that are in b.
func intersect(a, b []uint32) []uint32 {
	var out []uint32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j += seek(b[j:], a[i])
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// subtract returns, in a new list, the ids of a that are not in b.
func subtract(a, b []uint32) []uint32 {
	out := make([]uint32, 0, len(a))
	j := 0
	for _, id := range a {
		if j < len(b) && b[j] < id {
			j += seek(b[j:], id)
		}
		if j < len(b) && b[j] == id {
			continue
		}
		out = append(out, id)
	}
	return out
}

// seek returns the index of the first id in l at least id.
func seek(l []uint32, id uint32) int {
	i, _ := slices.BinarySearch(l, id)
	return i
}
