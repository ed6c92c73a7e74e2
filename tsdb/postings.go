package tsdb

import (
	"slices"
	"strings"
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
}

func (ix *postingsIndex) init() {
	ix.m = map[string]map[string][]storage.SeriesRef{}
}

// add indexes a series. The caller holds mu.
func (ix *postingsIndex) add(ref storage.SeriesRef, lset labels.Labels) {
	ix.all = insertRef(ix.all, ref)
	lset.Range(func(l labels.Label) {
		values := ix.m[l.Name]
		if values == nil {
			values = map[string][]storage.SeriesRef{}
			ix.m[strings.Clone(l.Name)] = values
		}
		list, ok := values[l.Value]
		if !ok {
			values[strings.Clone(l.Value)] = []storage.SeriesRef{ref}
			return
		}
		values[l.Value] = insertRef(list, ref)
	})
}

// remove drops a series from the index. The caller holds mu.
func (ix *postingsIndex) remove(ref storage.SeriesRef, lset labels.Labels) {
	ix.all = deleteRef(ix.all, ref)
	lset.Range(func(l labels.Label) {
		values := ix.m[l.Name]
		list := deleteRef(values[l.Value], ref)
		switch {
		case len(list) > 0:
			values[l.Value] = list
		case len(values) > 1:
			delete(values, l.Value)
		default:
			delete(ix.m, l.Name)
		}
	})
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

// intersect returns the refs in both sorted lists, in a new list.
func intersect(a, b []storage.SeriesRef) []storage.SeriesRef {
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

// subtract returns the refs of a that are not in b, in a new list.
func subtract(a, b []storage.SeriesRef) []storage.SeriesRef {
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
