package tsdb

import (
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func TestSymbolTableRoundTrip(t *testing.T) {
	var st symbolTable
	st.init()
	lsets := []labels.Labels{
		labels.FromStrings("__name__", "up", "job", "node"),
		labels.FromStrings("__name__", "up", "job", "app"),
		labels.FromStrings("__name__", "up"),
		labels.FromStrings("__name__", "up", "job", "node", "zone", "a"),
		labels.FromStrings("a", "job", "job", "a"),
		labels.EmptyLabels(),
	}
	for i := range 3000 { // past one symbol block and one-byte varints
		lsets = append(lsets, labels.FromStrings("__name__", "m", "id", string(rune('a'+i%26))+labels.FromStrings("n", "x").String()+string(rune(i))))
	}
	syms := make([]string, len(lsets))
	for i, ls := range lsets {
		syms[i] = st.intern(ls)
	}
	var b labels.ScratchBuilder
	for i, ls := range lsets {
		if got := st.labels(&b, syms[i]); !labels.Equal(got, ls) {
			t.Fatalf("labels(%d) = %s, want %s", i, got, ls)
		}
		for j, other := range lsets[:8] {
			if got, want := st.equal(syms[i], other), labels.Equal(ls, other); got != want {
				t.Fatalf("equal(%s, %s) = %t, want %t", ls, other, got, want)
			}
			if got, want := st.compare(syms[i], syms[j]), labels.Compare(ls, other); sign(got) != sign(want) {
				t.Fatalf("compare(%s, %s) = %d, want %d", ls, other, got, want)
			}
		}
	}
}

func sign(c int) int { return min(max(c, -1), 1) }

func TestSymbolTableReleaseAndRecycle(t *testing.T) {
	var st symbolTable
	st.init()
	a := labels.FromStrings("job", "a")
	b := labels.FromStrings("job", "b")
	sa, sb := st.intern(a), st.intern(b)
	st.release(sa)
	if _, ok := st.ids["a"]; ok {
		t.Fatal(`"a" still interned after its only series released it`)
	}
	if _, ok := st.ids["job"]; !ok {
		t.Fatal(`"job" forgotten while b uses it`)
	}
	c := st.intern(labels.FromStrings("job", "c")) // "a"'s id is pending: not reused
	if st.get(mustID(t, &st, "c")) != "c" || len(st.free) != 0 || len(st.pending) != 1 {
		t.Fatalf("free %v pending %v after interning c", st.free, st.pending)
	}
	st.recycle()
	d := st.intern(labels.FromStrings("job", "d")) // reuses "a"'s id
	if len(st.free) != 0 || st.next != 4 {
		t.Fatalf("free %v next %d, want the id of a reused", st.free, st.next)
	}
	var lb labels.ScratchBuilder
	for syms, want := range map[string]labels.Labels{sb: b, c: labels.FromStrings("job", "c"), d: labels.FromStrings("job", "d")} {
		if got := st.labels(&lb, syms); !labels.Equal(got, want) {
			t.Fatalf("labels = %s, want %s", got, want)
		}
	}
}

func mustID(t *testing.T, st *symbolTable, s string) uint32 {
	t.Helper()
	id, ok := st.ids[s]
	if !ok {
		t.Fatalf("%q not interned", s)
	}
	return id
}

// TestTruncateForgetsSymbols checks that the label strings of series that
// truncation removes are forgotten, and their ids reused a truncation later.
func TestTruncateForgetsSymbols(t *testing.T) {
	h := newHead(2)
	old := labels.FromStrings("__name__", "m", "pod", "old")
	live := labels.FromStrings("__name__", "m", "pod", "live")
	_, err := h.appendBatch(batchOf(spec(old, Sample{T: 10, V: 1}), spec(live, Sample{T: 10, V: 1}, Sample{T: 2000, V: 2})), nopLog{})
	require.NoError(t, err)
	h.setMinValidTime(1000)
	_, series := h.truncateBefore(1000)
	require.Equal(t, 1, series)
	require.NotContains(t, h.symbols.ids, "old")
	require.Contains(t, h.symbols.ids, "live")
	require.Equal(t, uint32(5), h.symbols.next)

	fresh := labels.FromStrings("__name__", "m", "pod", "fresh")
	h.truncateBefore(1000) // makes the id of "old" reusable
	_, err = h.appendBatch(batchOf(spec(fresh, Sample{T: 3000, V: 1})), nopLog{})
	require.NoError(t, err)
	require.Equal(t, uint32(5), h.symbols.next, "the id of old is reused")
	s := findSeries(h, fresh)
	require.NotNil(t, s)
	lset, ok := h.seriesLabels(s.ref)
	require.True(t, ok)
	require.Equal(t, fresh.String(), lset.String())
	require.Equal(t, live.String(), h.labelsOf(findSeries(h, live)).String())
}

// findSeries returns the series of lset in h, or nil.
func findSeries(h *head, lset labels.Labels) *memSeries {
	hash, _ := hashLabels(nil, lset)
	return h.shards[h.shardOf(hash)].get(&h.symbols, hash, lset)
}
