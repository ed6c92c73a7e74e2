package depgraph

import (
	"slices"
	"strconv"
	"strings"
)

// A path's label set is the intersection of the match lists of its hops.
// Label sets are interned: an id names one sorted set, and lsTop names the
// set of all labels, the intersection of no hop at all (membership and
// contains hops leave a path's set unchanged, so a path that has not yet
// crossed a depends_on or service hop carries lsTop).
const lsTop int32 = 0

// labelSets interns sorted label-name sets. Only Build writes it; Explain
// reads it, concurrently, so Build freezes it when done.
type labelSets struct {
	sets   [][]string
	ids    map[string]int32
	inter  map[[2]int32]int32
	frozen bool
}

func newLabelSets() *labelSets {
	return &labelSets{sets: [][]string{nil}, ids: map[string]int32{}, inter: map[[2]int32]int32{}}
}

// intern returns the id of the set of names (a copy is kept).
func (s *labelSets) intern(names []string) int32 {
	set := slices.Clone(names)
	slices.Sort(set)
	set = slices.Compact(set)
	key := strings.Join(set, "\xff")
	if id, ok := s.ids[key]; ok {
		return id
	}
	if s.frozen {
		panic("BUG: depgraph interned a label set after Build")
	}
	id := int32(len(s.sets))
	s.sets = append(s.sets, set)
	s.ids[key] = id
	return id
}

// intersect returns the id of a ∩ b.
func (s *labelSets) intersect(a, b int32) int32 {
	switch {
	case a == lsTop:
		return b
	case b == lsTop || a == b:
		return a
	}
	if id, ok := s.inter[[2]int32{a, b}]; ok {
		return id
	}
	if s.frozen {
		panic("BUG: depgraph intersected label sets after Build")
	}
	var both []string
	for _, n := range s.sets[a] {
		if s.has(b, n) {
			both = append(both, n)
		}
	}
	id := s.intern(both)
	s.inter[[2]int32{a, b}] = id
	return id
}

// has reports whether set id contains name.
func (s *labelSets) has(id int32, name string) bool {
	if id == lsTop {
		return true
	}
	_, ok := slices.BinarySearch(s.sets[id], name)
	return ok
}

// subset reports whether a ⊆ b: a path carrying a matches at least every
// pair of instances a path carrying b matches.
func (s *labelSets) subset(a, b int32) bool {
	if b == lsTop || a == b {
		return true
	}
	if a == lsTop {
		return false
	}
	for _, n := range s.sets[a] {
		if !s.has(b, n) {
			return false
		}
	}
	return true
}

// cond is one all_of hop of a path: group's every alternative must have a
// firing instance that matches the dependent on the label set ls (the
// path's intersection up to and including that hop).
type cond struct{ group, ls int32 }

// condSets interns sorted sets of conds; id 0 is the empty set. Like
// labelSets, Build freezes it.
type condSets struct {
	sets   [][]cond
	ids    map[string]int32
	frozen bool
}

func newCondSets() *condSets {
	return &condSets{sets: [][]cond{nil}, ids: map[string]int32{"": 0}}
}

// add returns the id of set id plus c.
func (s *condSets) add(id int32, c cond) int32 {
	set := append(slices.Clone(s.sets[id]), c)
	slices.SortFunc(set, func(x, y cond) int {
		if x.group != y.group {
			return int(x.group - y.group)
		}
		return int(x.ls - y.ls)
	})
	set = slices.Compact(set)
	var key strings.Builder
	for _, c := range set {
		key.WriteString(strconv.Itoa(int(c.group)) + "/" + strconv.Itoa(int(c.ls)) + ",")
	}
	if got, ok := s.ids[key.String()]; ok {
		return got
	}
	if s.frozen {
		panic("BUG: depgraph interned conditions after Build")
	}
	got := int32(len(s.sets))
	s.sets = append(s.sets, set)
	s.ids[key.String()] = got
	return got
}

// weaker reports whether set a is at most as demanding as set b: each cond
// of a has a cond of b on the same group with a superset of labels.
func (s *condSets) weaker(ls *labelSets, a, b int32) bool {
	if a == 0 || a == b {
		return true
	}
	for _, ca := range s.sets[a] {
		if !slices.ContainsFunc(s.sets[b], func(cb cond) bool {
			return cb.group == ca.group && ls.subset(ca.ls, cb.ls)
		}) {
			return false
		}
	}
	return true
}
