package tsdb

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/vigilsre/vigil/tsdb/block"
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
//
// The cost follows the smallest list, not the largest: the smallest union is
// copied into the result and the others only filter it in place, seeking in
// their lists when they are much longer (see union.intersect and
// union.subtract). A matcher's values are merged into one list only when
// that is cheaper than seeking in each. The result is the one allocation of
// most queries; many matchers or values, or a merge, add their own.
func (ix *postingsIndex) postingsForMatchers(ms []*labels.Matcher) []storage.SeriesRef {
	// The matchers' lists and unions, on the stack unless there are many.
	var buf [16][]storage.SeriesRef
	var itsBuf, notsBuf [8]union
	lists, its, nots := buf[:0], itsBuf[:0], notsBuf[:0]
	for _, m := range ms {
		start, want := len(lists), !m.Matches("")
		lists = ix.appendPostings(lists, m, want)
		u := newUnion(lists, start)
		switch {
		case want && u.n == 0:
			return nil
		case want:
			its = append(its, u)
		case u.n > 0:
			nots = append(nots, u)
		}
	}
	out := ix.intersectAll(lists, its)
	for _, u := range nots {
		out = u.subtract(lists, out)
	}
	return out
}

// intersectAll intersects unions into a new list: it copies the smallest and
// filters the copy with the others, in place. No unions means every series.
func (ix *postingsIndex) intersectAll(lists [][]storage.SeriesRef, its []union) []storage.SeriesRef {
	if len(its) == 0 {
		return slices.Clone(ix.all)
	}
	slices.SortFunc(its, func(a, b union) int { return a.n - b.n })
	out := its[0].merged(lists)
	for _, u := range its[1:] {
		out = u.intersect(lists, out)
	}
	return out
}

// union is the refs of the series one matcher selects: the union of the
// sorted lists lists[from:to] of its query's lists, one per matching label
// value (disjoint, unless a set of literals names a value twice), n refs in
// all. The lists alias the index, but the
// slice holding them is the query's own: filtering advances its headers as
// cursors. (A union holds indexes rather than a slice of the lists so that
// keeping it does not move the query's lists to the heap.)
type union struct{ from, to, n int }

// newUnion returns the union of lists[from:].
func newUnion(lists [][]storage.SeriesRef, from int) union {
	u := union{from: from, to: len(lists)}
	for _, list := range lists[from:] {
		u.n += len(list)
	}
	return u
}

// merged returns u's refs in a new sorted list. (A set of literals may name
// a value twice, and so its list; Compact drops the copies.)
func (u union) merged(lists [][]storage.SeriesRef) []storage.SeriesRef {
	out := slices.Concat(lists[u.from:u.to]...)
	if u.to-u.from > 1 {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}

// intersect keeps, in place, the refs of out that are in u.
func (u union) intersect(lists [][]storage.SeriesRef, out []storage.SeriesRef) []storage.SeriesRef {
	mine := u.listsFor(lists, len(out))
	if len(mine) == 1 && len(mine[0]) < seekRatio*len(out) {
		return retainByMerge(out, mine[0], true)
	}
	return retainBySeek(out, mine, true)
}

// subtract removes, in place, the refs of out that are in u, which is not
// empty.
func (u union) subtract(lists [][]storage.SeriesRef, out []storage.SeriesRef) []storage.SeriesRef {
	mine := u.listsFor(lists, len(out))
	switch {
	case len(mine) > 1 || len(mine[0]) >= seekRatio*len(out):
		return retainBySeek(out, mine, false)
	case len(out) >= moveRatio*len(mine[0]):
		return subtractByMoving(out, mine[0])
	}
	return retainByMerge(out, mine[0], false)
}

// listsFor returns u's lists for testing c refs against: as they are when
// seeking each ref in every list (c·k seeks) costs less than merging them
// (n refs, sorted), else merged into one list, in a new array.
func (u union) listsFor(lists [][]storage.SeriesRef, c int) [][]storage.SeriesRef {
	k := u.to - u.from
	if k <= 1 || c*k <= u.n {
		return lists[u.from:u.to]
	}
	lists[u.from] = u.merged(lists)
	return lists[u.from : u.from+1]
}

// appendPostings appends to dst the postings lists of the values of m's label
// for which m.Matches is want, one list per value, in no particular order.
// The lists alias the index: the caller must not change them.
func (ix *postingsIndex) appendPostings(dst [][]storage.SeriesRef, m *labels.Matcher, want bool) [][]storage.SeriesRef {
	values := ix.m[m.Name]
	if len(values) == 0 {
		return dst
	}
	if literals, ok := block.LiteralValues(m, want); ok {
		return appendLiterals(dst, values, literals)
	}
	for v, list := range values {
		if m.Matches(v) == want {
			dst = append(dst, list)
		}
	}
	return dst
}

// appendLiterals appends to dst the postings lists of the given values that
// the label has.
func appendLiterals(dst [][]storage.SeriesRef, values map[string][]storage.SeriesRef, literals []string) [][]storage.SeriesRef {
	for _, v := range literals {
		if list := values[v]; len(list) > 0 {
			dst = append(dst, list)
		}
	}
	return dst
}
