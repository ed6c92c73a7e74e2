package tsdb

import (
	"slices"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// postingsIndex maps every label name and value to the sorted refs of the
// series that carry it. Lists are sorted by ref, which is creation order, so
// adding a new series appends.
type postingsIndex struct {
	mu  sync.RWMutex
	all []storage.SeriesRef                       // every series
	m   map[string]map[string][]storage.SeriesRef // name → value → refs

	// unsorted is set while a checkpoint loads: add appends refs as they
	// come, in any order, and sortLists restores the order once at the end,
	// rather than each add inserting into the middle of a long list.
	unsorted bool
}

func (ix *postingsIndex) init() {
	ix.m = map[string]map[string][]storage.SeriesRef{}
}

// add indexes a series. keep returns the string a name or value is kept
// as: the head's interned copy (symbolTable.interned), so the index shares
// the strings of the symbol table, or a clone.
//
// Every map write goes through keep, also for a key already there: a Go map
// assignment stores the key it is given over the old one, and a string of
// the caller's labels kept as a key would pin all of them (one string in
// stringlabels), and with them a span of the allocator per key. The caller
// holds mu.
func (ix *postingsIndex) add(ref storage.SeriesRef, lset labels.Labels, keep func(string) string) {
	ix.all = ix.insert(ix.all, ref)
	lset.Range(func(l labels.Label) {
		values := ix.m[l.Name]
		if values == nil {
			values = map[string][]storage.SeriesRef{}
			ix.m[keep(l.Name)] = values
		}
		list, ok := values[l.Value]
		if !ok {
			values[keep(l.Value)] = []storage.SeriesRef{ref}
			return
		}
		if grown := ix.insert(list, ref); !sameList(grown, list) {
			values[keep(l.Value)] = grown
		}
	})
}

// insert adds ref to a list: in order, or at its end while unsorted.
func (ix *postingsIndex) insert(list []storage.SeriesRef, ref storage.SeriesRef) []storage.SeriesRef {
	if ix.unsorted {
		return append(list, ref)
	}
	return insertRef(list, ref)
}

// beginUnsorted makes add append refs in any order, until sortLists. The
// index is not consistent meanwhile: only a loader that owns the head, and
// that calls sortLists before anyone reads it, may use it.
func (ix *postingsIndex) beginUnsorted() {
	ix.unsorted = true
}

// sortLists sorts every list and drops repeated refs, and makes add keep
// the lists sorted again. Lists already sorted are left as they are.
func (ix *postingsIndex) sortLists() {
	ix.unsorted = false
	ix.all = sortRefs(ix.all)
	for _, values := range ix.m {
		for v, list := range values {
			if sorted := sortRefs(list); !sameList(sorted, list) {
				values[v] = sorted // v is the map's own key: no new string kept
			}
		}
	}
}

// sortRefs sorts list in place and drops repeated refs.
func sortRefs(list []storage.SeriesRef) []storage.SeriesRef {
	if slices.IsSorted(list) {
		return slices.Compact(list)
	}
	slices.Sort(list)
	return slices.Compact(list)
}

// sameList reports whether a and b share their first element and length:
// whether a map entry holding b already holds a.
func sameList(a, b []storage.SeriesRef) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// remove drops a series from the index; keep is as for add. The caller holds
// mu.
func (ix *postingsIndex) remove(ref storage.SeriesRef, lset labels.Labels, keep func(string) string) {
	ix.all = deleteRef(ix.all, ref)
	lset.Range(func(l labels.Label) {
		values := ix.m[l.Name]
		list := deleteRef(values[l.Value], ref)
		switch {
		case len(list) > 0:
			values[keep(l.Value)] = list
		case len(values) > 1:
			delete(values, l.Value)
		default:
			delete(ix.m, l.Name)
		}
	})
}

// removeAll drops several series from the index with one pass over each
// list they are in, rather than one per series: refs holds their refs,
// sorted, and lsets[i] the labels of refs[i]; keep is as for add. The caller
// holds mu.
func (ix *postingsIndex) removeAll(refs []storage.SeriesRef, lsets []labels.Labels, keep func(string) string) {
	if len(refs) == 0 {
		return
	}
	ix.all = subtractByMoving(ix.all, refs)
	gone := map[string]map[string][]storage.SeriesRef{} // the refs to drop from each list, sorted
	for i, lset := range lsets {
		lset.Range(func(l labels.Label) {
			values := gone[l.Name]
			if values == nil {
				values = map[string][]storage.SeriesRef{}
				gone[l.Name] = values
			}
			values[l.Value] = append(values[l.Value], refs[i])
		})
	}
	for name, drop := range gone {
		values := ix.m[name]
		for value, refs := range drop {
			list := subtractByMoving(values[value], refs)
			switch {
			case len(list) > 0:
				values[keep(value)] = list
			case len(values) > 1:
				delete(values, value)
			default:
				delete(ix.m, name)
			}
		}
	}
}

// insertRef adds ref to a sorted list, usually at its end.
func insertRef(list []storage.SeriesRef, ref storage.SeriesRef) []storage.SeriesRef {
	if n := len(list); n == 0 || list[n-1] < ref {
		return append(list, ref)
	}
	i, found := slices.BinarySearch(list, ref)
	if found {
		return list
	}
	return slices.Insert(list, i, ref)
}

// deleteRef removes ref from a sorted list.
func deleteRef(list []storage.SeriesRef, ref storage.SeriesRef) []storage.SeriesRef {
	i, found := slices.BinarySearch(list, ref)
	if !found {
		return list
	}
	return slices.Delete(list, i, i+1)
}

// labelNames returns every label name, sorted. The caller holds mu (read).
func (ix *postingsIndex) labelNames() []string {
	names := make([]string, 0, len(ix.m))
	for name := range ix.m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// labelValues returns every value of a label, sorted. The caller holds mu
// (read).
func (ix *postingsIndex) labelValues(name string) []string {
	values := make([]string, 0, len(ix.m[name]))
	for v := range ix.m[name] {
		values = append(values, v)
	}
	slices.Sort(values)
	return values
}

// How to filter a list of refs by another, both sorted, in place. Walking
// the shorter list and galloping in the longer (seek) costs O(s·log(l/s));
// a merge walk costs O(s+l) but has cheaper steps; for subtracting a short
// list from a long one, walking the short list, seeking in the long one and
// moving the runs between removed refs with copy beats both. The ratios where
// each starts to win were measured by BenchmarkFilterRefs.
const (
	// seekRatio is how many times longer than the walked list the list
	// sought in must be for seeking to beat a merge walk.
	seekRatio = 32
	// moveRatio is how many times longer than the list subtracted the list
	// subtracted from must be for moving runs to beat a merge walk.
	moveRatio = 8
)

// seek returns the index of the first ref in the sorted list that is not
// below ref, or len(list). It gallops (probes 1, 2, 4, … ahead, then searches
// the last step in binary), so walking a list of l refs with s seeks costs
// O(s·log(l/s)), and a seek to the next ref costs a comparison.
func seek(list []storage.SeriesRef, ref storage.SeriesRef) int {
	if len(list) == 0 || list[0] >= ref {
		return 0
	}
	lo, step := 0, 1 // list[lo] < ref
	for lo+step < len(list) && list[lo+step] < ref {
		lo += step
		step *= 2
	}
	i, _ := slices.BinarySearch(list[lo+1:min(lo+step, len(list))], ref)
	return lo + 1 + i
}

// retainBySeek keeps, in place, the refs of out whose presence in any of
// the sorted lists is want, and returns the shortened out. It walks out and
// seeks in the lists, so its cost follows out. It advances the lists past the
// refs it has looked at: they are cursors, and must be the caller's copies of
// the slice headers.
func retainBySeek(out []storage.SeriesRef, lists [][]storage.SeriesRef, want bool) []storage.SeriesRef {
	kept := out[:0]
	for _, ref := range out {
		if seekAny(lists, ref) == want {
			kept = append(kept, ref)
		}
	}
	return kept
}

// seekAny advances each list to its first ref not below ref and reports
// whether one of them starts with ref. It stops at the first that does,
// leaving the others to catch up on a later seek.
func seekAny(lists [][]storage.SeriesRef, ref storage.SeriesRef) bool {
	for i, list := range lists {
		list = list[seek(list, ref):]
		lists[i] = list
		if len(list) > 0 && list[0] == ref {
			return true
		}
	}
	return false
}

// retainByMerge keeps, in place, the refs of out whose presence in the
// sorted list b is want, and returns the shortened out. It walks both lists.
func retainByMerge(out, b []storage.SeriesRef, want bool) []storage.SeriesRef {
	kept, i := out[:0], 0
	for _, ref := range out {
		for i < len(b) && b[i] < ref {
			i++
		}
		if (i < len(b) && b[i] == ref) == want {
			kept = append(kept, ref)
		}
	}
	return kept
}

// subtractByMoving removes, in place, the refs of the sorted list b from out
// and returns the shortened out. It walks b and seeks in out, moving the runs
// of out between removed refs with copy, so its comparisons follow b.
func subtractByMoving(out, b []storage.SeriesRef) []storage.SeriesRef {
	w, r, c := 0, 0, 0 // keep out[:w] and out[r:c]; out[c:] is not yet seen
	for _, ref := range b {
		if c += seek(out[c:], ref); c == len(out) {
			break
		}
		if out[c] == ref {
			w += copy(out[w:], out[r:c])
			c++
			r = c
		}
	}
	w += copy(out[w:], out[r:])
	return out[:w]
}
