package tsdb

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
	"github.com/vigilsre/vigil/tsdb/block"
)

// linearPostingsForMatchers is the reference postingsForMatchers: the same
// matcher semantics, with every list materialized and intersected and
// subtracted by merge walks over both lists. The tests check the index
// against it; the benchmark measures against it.
func linearPostingsForMatchers(ix *postingsIndex, ms []*labels.Matcher) []storage.SeriesRef {
	var its, nots [][]storage.SeriesRef
	for _, m := range ms {
		if m.Matches("") {
			if list := linearPostingsWhere(ix, m, false); len(list) > 0 {
				nots = append(nots, list)
			}
			continue
		}
		list := linearPostingsWhere(ix, m, true)
		if len(list) == 0 {
			return nil
		}
		its = append(its, list)
	}
	if len(its) == 0 {
		its = append(its, ix.all)
	}
	slices.SortFunc(its, func(a, b []storage.SeriesRef) int { return len(a) - len(b) })
	out := slices.Clone(its[0])
	for _, list := range its[1:] {
		out = linearIntersect(out, list)
	}
	for _, list := range nots {
		out = linearSubtract(out, list)
	}
	return out
}

// linearIntersect returns the refs in both sorted lists, in a new list.
func linearIntersect(a, b []storage.SeriesRef) []storage.SeriesRef {
	out := make([]storage.SeriesRef, 0, min(len(a), len(b)))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			out = append(out, a[0])
			a, b = a[1:], b[1:]
		}
	}
	return out
}

// linearSubtract returns the refs of a that are not in b, in a new list.
func linearSubtract(a, b []storage.SeriesRef) []storage.SeriesRef {
	out := make([]storage.SeriesRef, 0, len(a))
	for _, ref := range a {
		for len(b) > 0 && b[0] < ref {
			b = b[1:]
		}
		if len(b) == 0 || b[0] != ref {
			out = append(out, ref)
		}
	}
	return out
}

// linearPostingsWhere is the reference's list of the refs of the series that
// have m's label with a value for which m.Matches is want, merged into one
// sorted list that may alias the index.
func linearPostingsWhere(ix *postingsIndex, m *labels.Matcher, want bool) []storage.SeriesRef {
	values := ix.m[m.Name]
	if len(values) == 0 {
		return nil
	}
	if literals, ok := block.LiteralValues(m, want); ok {
		var lists [][]storage.SeriesRef
		for _, v := range literals {
			if list := values[v]; len(list) > 0 {
				lists = append(lists, list)
			}
		}
		return linearConcat(lists)
	}
	var lists [][]storage.SeriesRef
	for v, list := range values {
		if m.Matches(v) == want {
			lists = append(lists, list)
		}
	}
	return linearConcat(lists)
}

// linearConcat merges the lists of distinct values of one label into one
// sorted list. A single list is returned as is.
func linearConcat(lists [][]storage.SeriesRef) []storage.SeriesRef {
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

// sparseRefs returns n sorted refs from 1 up with random gaps of 1 to gap.
func sparseRefs(rng *rand.Rand, n, gap int) []storage.SeriesRef {
	out := make([]storage.SeriesRef, n)
	ref := storage.SeriesRef(0)
	for i := range out {
		ref += storage.SeriesRef(1 + rng.IntN(gap))
		out[i] = ref
	}
	return out
}

func TestSeek(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		list := sparseRefs(rng, n, 3)
		last := storage.SeriesRef(1)
		if n > 0 {
			last = list[n-1]
		}
		for ref := storage.SeriesRef(0); ref <= last+1; ref++ {
			want, _ := slices.BinarySearch(list, ref)
			require.Equal(t, want, seek(list, ref), "seek(%v, %d)", list, ref)
		}
	}
}

// TestFilterRefs checks each way of filtering a list by another against the
// merge walks of the reference, over lists of one to a thousand times the
// other's length, overlapping a lot or a little.
func TestFilterRefs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ short, long, gap int }{
		{0, 0, 1}, {0, 5, 1}, {1, 1, 1}, {7, 7, 2}, {50, 400, 2}, {30, 1000, 3}, {10, 10_000, 2}, {100, 2000, 50},
	} {
		a, b := sparseRefs(rng, c.short, c.gap), sparseRefs(rng, c.long, c.gap)
		t.Run(fmt.Sprintf("%d-%d-%d", c.short, c.long, c.gap), func(t *testing.T) {
			for _, pair := range [][2][]storage.SeriesRef{{a, b}, {b, a}} {
				out, other := pair[0], pair[1]
				inter, sub := linearIntersect(out, other), linearSubtract(out, other)
				require.Equal(t, inter, retainByMerge(slices.Clone(out), other, true))
				require.Equal(t, sub, retainByMerge(slices.Clone(out), other, false))
				require.Equal(t, inter, retainBySeek(slices.Clone(out), [][]storage.SeriesRef{other}, true))
				require.Equal(t, sub, retainBySeek(slices.Clone(out), [][]storage.SeriesRef{other}, false))
				require.Equal(t, sub, subtractByMoving(slices.Clone(out), other))
			}
		})
	}
}

// TestRetainBySeekManyLists checks filtering by a union of lists given
// unmerged.
func TestRetainBySeekManyLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	all := sparseRefs(rng, 3000, 3)
	lists := make([][]storage.SeriesRef, 7)
	for _, ref := range all {
		i := rng.IntN(len(lists) + 1) // some refs are in no list
		if i < len(lists) {
			lists[i] = append(lists[i], ref)
		}
	}
	union := slices.Sorted(slices.Values(slices.Concat(lists...)))
	out := sparseRefs(rng, 400, 20)
	require.Equal(t, linearIntersect(out, union), retainBySeek(slices.Clone(out), slices.Clone(lists), true))
	require.Equal(t, linearSubtract(out, union), retainBySeek(slices.Clone(out), slices.Clone(lists), false))
}

// randomIndex indexes n series with a few labels of few and many values,
// some missing, and removes a tenth of them again, as retention does.
func randomIndex(rng *rand.Rand, n int) *postingsIndex {
	ix := &postingsIndex{}
	ix.init()
	for i := range n {
		kv := []string{"svc", fmt.Sprintf("svc-%d", rng.IntN(40)), "inst", fmt.Sprint(i)}
		if rng.IntN(10) > 0 {
			kv = append(kv, "__name__", []string{"up", "http_requests_total", "errors"}[rng.IntN(3)])
		}
		if rng.IntN(3) > 0 {
			kv = append(kv, "code", []string{"200", "201", "404", "500", "503"}[rng.IntN(5)])
		}
		ix.add(storage.SeriesRef(i+1), labels.FromStrings(kv...), strings.Clone)
		if rng.IntN(10) == 0 {
			ix.remove(storage.SeriesRef(i+1), labels.FromStrings(kv...), strings.Clone)
		}
	}
	return ix
}

// randomMatchers returns one to twelve matchers over the labels of
// randomIndex, of every type, with values and patterns that match nothing,
// the empty string, one value, a few or hundreds of them, and literal sets
// that name a value twice.
func randomMatchers(rng *rand.Rand) []*labels.Matcher {
	names := []string{"__name__", "svc", "code", "inst", "missing"}
	values := []string{"", "up", "http_requests_total", "svc-7", "200", "500", "12", "nope",
		"5..", "2.*|5.3", "svc-1.*", "1.*", "[0-9]*7", ".*", ".+", "up|errors", "500|500", "svc-3|svc-3|svc-9", "(?i)UP", "svc-.*"}
	types := []labels.MatchType{labels.MatchEqual, labels.MatchNotEqual, labels.MatchRegexp, labels.MatchNotRegexp}
	n := 1 + rng.IntN(4)
	if rng.IntN(10) == 0 {
		n = 9 + rng.IntN(4) // more than postingsForMatchers keeps on the stack
	}
	ms := make([]*labels.Matcher, n)
	for i := range ms {
		ms[i] = labels.MustNewMatcher(types[rng.IntN(len(types))], names[rng.IntN(len(names))], values[rng.IntN(len(values))])
	}
	return ms
}

// TestPostingsForMatchersAgainstReference compares the index with the
// reference on random matcher sets, and checks that it leaves the index's
// lists as they were.
func TestPostingsForMatchersAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ix := randomIndex(rng, 3000)
	before := cloneIndexLists(ix)
	// Broad sets with more unions and lists than fit on the stack (the first
	// has 9 unions to intersect, 5 to subtract, thousands of lists).
	broad := [][]*labels.Matcher{
		{m(labels.MatchRegexp, "inst", ".+"), m(labels.MatchRegexp, "svc", "svc-.*"), m(labels.MatchNotEqual, "inst", "12"),
			m(labels.MatchRegexp, "inst", "1.*"), m(labels.MatchNotRegexp, "code", "5.."), m(labels.MatchNotEqual, "svc", "svc-7"),
			m(labels.MatchRegexp, "__name__", ".+"), m(labels.MatchRegexp, "inst", "[0-9]*"), m(labels.MatchRegexp, "svc", ".*3"),
			m(labels.MatchNotRegexp, "inst", ".*5"), m(labels.MatchRegexp, "svc", "svc-.+"), m(labels.MatchRegexp, "inst", "[0-9]+"),
			m(labels.MatchNotEqual, "__name__", ""), m(labels.MatchNotEqual, "svc", "")},
		{m(labels.MatchNotRegexp, "inst", ".*1.*"), m(labels.MatchNotEqual, "code", "200")},
		{m(labels.MatchRegexp, "inst", "2.*"), m(labels.MatchRegexp, "svc", "svc-1.*")},
	}
	nonEmpty := 0
	for i := range 3000 {
		ms := randomMatchers(rng)
		if i < len(broad) {
			ms = broad[i]
		}
		want := linearPostingsForMatchers(ix, ms)
		got := ix.postingsForMatchers(ms)
		require.Equal(t, len(want), len(got), "%v", ms)
		if len(want) > 0 {
			require.Equal(t, want, got, "%v", ms)
			nonEmpty++
		}
	}
	require.Equal(t, before, cloneIndexLists(ix))
	// Not vacuous: the broad sets and most random ones select series.
	require.Len(t, ix.postingsForMatchers(broad[0]), 49)
	require.Equal(t, 853, nonEmpty)
}

func cloneIndexLists(ix *postingsIndex) map[string]map[string][]storage.SeriesRef {
	out := map[string]map[string][]storage.SeriesRef{"": {"": slices.Clone(ix.all)}}
	for name, values := range ix.m {
		out[name] = maps.Clone(values)
		for v, list := range values {
			out[name][v] = slices.Clone(list)
		}
	}
	return out
}

// TestPostingsForMatchersAllocates pins the allocations of a typical rule
// selector over a large metric: the result list, and nothing else.
func TestPostingsForMatchersAllocates(t *testing.T) {
	if raceEnabled {
		t.Skip("-race changes allocation counts")
	}
	ix := &postingsIndex{}
	ix.init()
	for i := range 10_000 {
		ix.add(storage.SeriesRef(i+1), postingsBenchLabels(i), strings.Clone)
	}
	for _, c := range postingsBenchCases() {
		allocs := testing.AllocsPerRun(20, func() { ix.postingsForMatchers(c.ms) })
		require.Equal(t, 1.0, allocs, c.name)
	}
}

// TestPostingsKeepsOnlyKeptStrings checks that every key of the index is a
// string keep returned, also after adds and removes that rewrite entries
// for keys already there: a key from the caller's labels would pin them.
func TestPostingsKeepsOnlyKeptStrings(t *testing.T) {
	ix, keep, kept := keptStringsIndex()
	ix.remove(4, labels.FromStrings("job", "app", "pod", "0"), keep)
	requireKeptKeys(t, ix, kept)
	require.Equal(t, []storage.SeriesRef{1, 7, 10}, ix.m["pod"]["0"])
	require.Len(t, ix.m["job"]["app"], 9)
}

// keptStringsIndex returns an index of 10 series job="app", pod=i%3 added
// with fresh label strings, and the keep function it was given, which
// clones each string once and records its clone in kept.
func keptStringsIndex() (ix *postingsIndex, keep func(string) string, kept map[string]string) {
	kept = map[string]string{}
	keep = func(s string) string {
		if k, ok := kept[s]; ok {
			return k
		}
		kept[s] = strings.Clone(s)
		return kept[s]
	}
	ix = &postingsIndex{}
	ix.init()
	for i := range 10 {
		lset := labels.FromStrings("job", "app", "pod", fmt.Sprint(i%3)) // fresh strings every time
		ix.add(storage.SeriesRef(i+1), lset, keep)
	}
	return ix, keep, kept
}

// requireKeptKeys checks that every name and value key of ix is the very
// string keep returned.
func requireKeptKeys(t *testing.T, ix *postingsIndex, kept map[string]string) {
	t.Helper()
	for name, values := range ix.m {
		require.Same(t, unsafe.StringData(kept[name]), unsafe.StringData(name), "name %q", name)
		for value := range values {
			require.Same(t, unsafe.StringData(kept[value]), unsafe.StringData(value), "value %q", value)
		}
	}
}
