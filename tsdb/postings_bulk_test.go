package tsdb

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

// bulkSeries returns n series with refs 1..n and labels of few and many
// values, some missing, in a random order.
func bulkSeries(rng *rand.Rand, n int) ([]storage.SeriesRef, []labels.Labels) {
	refs := make([]storage.SeriesRef, n)
	lsets := make([]labels.Labels, n)
	for i := range n {
		kv := []string{"job", fmt.Sprintf("job-%d", rng.IntN(5)), "inst", fmt.Sprint(i)}
		if rng.IntN(3) > 0 {
			kv = append(kv, "code", []string{"200", "404", "500"}[rng.IntN(3)])
		}
		refs[i], lsets[i] = storage.SeriesRef(i+1), labels.FromStrings(kv...)
	}
	rng.Shuffle(n, func(i, j int) {
		refs[i], refs[j] = refs[j], refs[i]
		lsets[i], lsets[j] = lsets[j], lsets[i]
	})
	return refs, lsets
}

// TestSortListsMatchesSortedAdds checks that adding series in any order
// without sorting, then sortLists, gives the index that adding them one by
// one in order gives, with refs added twice kept once.
func TestSortListsMatchesSortedAdds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	refs, lsets := bulkSeries(rng, 2000)
	want := &postingsIndex{}
	want.init()
	got := &postingsIndex{}
	got.init()
	got.beginUnsorted()
	for i := range refs {
		want.add(refs[i], lsets[i], strings.Clone)
		got.add(refs[i], lsets[i], strings.Clone)
		if i%100 == 0 {
			got.add(refs[i], lsets[i], strings.Clone)
		}
	}
	got.sortLists()
	require.Equal(t, cloneIndexLists(want), cloneIndexLists(got))
	require.Len(t, got.all, 2000)
	got.add(5000, labels.FromStrings("job", "job-1"), strings.Clone) // sorted again: an insert
	got.add(4000, labels.FromStrings("job", "job-1"), strings.Clone)
	list := got.m["job"]["job-1"]
	require.Equal(t, []storage.SeriesRef{4000, 5000}, list[len(list)-2:])
}

// TestRemoveAllMatchesRemove checks that removing a batch of series gives
// the index that removing them one by one gives, dropping emptied values
// and names.
func TestRemoveAllMatchesRemove(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	refs, lsets := bulkSeries(rng, 2000)
	one := &postingsIndex{}
	one.init()
	all := &postingsIndex{}
	all.init()
	byRef := map[storage.SeriesRef]labels.Labels{}
	for i := range refs {
		one.add(refs[i], lsets[i], strings.Clone)
		all.add(refs[i], lsets[i], strings.Clone)
		byRef[refs[i]] = lsets[i]
	}
	var gone []storage.SeriesRef
	var goneLsets []labels.Labels
	for ref := storage.SeriesRef(1); ref <= 2000; ref++ {
		// Every series with a code but those of job-0, and a third of the others.
		lset := byRef[ref]
		if (lset.Has("code") && lset.Get("job") != "job-0") || rng.IntN(3) == 0 {
			gone = append(gone, ref)
			goneLsets = append(goneLsets, lset)
			one.remove(ref, lset, strings.Clone)
		}
	}
	all.removeAll(gone, goneLsets, strings.Clone)
	require.Equal(t, cloneIndexLists(one), cloneIndexLists(all))
	require.Len(t, all.all, 2000-len(gone))
	require.Len(t, all.m["inst"], 2000-len(gone)) // emptied values went
	for _, list := range all.m["code"] {
		for _, ref := range list {
			require.Equal(t, "job-0", byRef[ref].Get("job"))
		}
	}

	all.removeAll(all.all, lsetsOf(all.all, byRef), strings.Clone)
	require.Empty(t, all.all)
	require.Empty(t, all.m)
}

func lsetsOf(refs []storage.SeriesRef, byRef map[storage.SeriesRef]labels.Labels) []labels.Labels {
	out := make([]labels.Labels, len(refs))
	for i, ref := range refs {
		out[i] = byRef[ref]
	}
	return out
}

// TestRemoveAllKeepsOnlyKeptStrings is TestPostingsKeepsOnlyKeptStrings for
// removeAll: entries it rewrites keep a string keep returned.
func TestRemoveAllKeepsOnlyKeptStrings(t *testing.T) {
	ix, keep, kept := keptStringsIndex()
	ix.removeAll([]storage.SeriesRef{4, 5}, []labels.Labels{
		labels.FromStrings("job", "app", "pod", "0"), labels.FromStrings("job", "app", "pod", "1"),
	}, keep)
	requireKeptKeys(t, ix, kept)
	require.Equal(t, []storage.SeriesRef{1, 7, 10}, ix.m["pod"]["0"])
	require.Equal(t, []storage.SeriesRef{2, 8}, ix.m["pod"]["1"])
	require.Len(t, ix.m["job"]["app"], 8)
}
