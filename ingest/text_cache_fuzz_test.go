package ingest

import (
	"bytes"
	"testing"

	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb"
)

// checkCachedText parses body through a series cache that knows some of
// its series texts, and checks that the result is what ParseText gives
// without a cache: the same error, or the same batch once the series that
// came by reference are resolved to their labels. The cache learns the
// texts of body's lines parsed one by one (the valid ones only get in, each
// under the reference a stand-in store gives its labels): every line's,
// then every other line's, so that known and unknown texts of a series
// meet in one request.
func checkCachedText(t *testing.T, body []byte) {
	t.Helper()
	var plain tsdb.Batch
	wantErr := ParseText(&plain, body, testNow)
	want := batchString(&plain)
	for _, every := range []int{1, 2} {
		d := &decoder{cache: newSeriesCache(1 << 10)}
		refs := map[string]storage.SeriesRef{} // the stand-in store
		learnLines(t, d, body, every, refs)
		var b tsdb.Batch
		err := d.parseText(&b, body, testNow)
		if errString(err) != errString(wantErr) {
			t.Fatalf("every %d: error %v, without a cache %v", every, err, wantErr)
		}
		if err != nil {
			continue
		}
		resolveAll(t, d, &b, refs)
		checkValidBatch(t, &b)
		if got := batchString(&b); got != want {
			t.Fatalf("every %d, through the cache:\n%s\nwithout:\n%s", every, got, want)
		}
	}
}

// learnLines parses every every-th line of body alone through d and caches
// the texts of those that are valid.
func learnLines(t *testing.T, d *decoder, body []byte, every int, refs map[string]storage.SeriesRef) {
	t.Helper()
	k := 0
	for line := range bytes.SplitSeq(body, []byte{'\n'}) {
		if k++; (k-1)%every != 0 {
			continue
		}
		var b tsdb.Batch
		if err := d.parseText(&b, line, testNow); err != nil {
			d.hits, d.fills = d.hits[:0], d.fills[:0]
			continue
		}
		for i := range b.Series {
			if s := &b.Series[i]; s.Ref == 0 {
				s.Ref = refOf(refs, s.Labels.String())
			}
		}
		d.remember(&b)
	}
}

// resolveAll gives the series of b that came by reference their labels, and
// checks the reference is the one the stand-in store gave them.
func resolveAll(t *testing.T, d *decoder, b *tsdb.Batch, refs map[string]storage.SeriesRef) {
	t.Helper()
	for i := range b.Series {
		s := &b.Series[i]
		if s.Ref == 0 {
			continue
		}
		if !s.Labels.IsEmpty() {
			t.Fatalf("series %d has both ref %d and labels %s", i, s.Ref, s.Labels)
		}
		ls, err := d.resolve(i)
		if err != nil {
			t.Fatalf("resolve series %d: %v", i, err)
		}
		if want := refs[ls.String()]; s.Ref != want {
			t.Fatalf("series %d %s came by ref %d, want %d", i, ls, s.Ref, want)
		}
		s.Labels = ls
	}
}

func refOf(refs map[string]storage.SeriesRef, ls string) storage.SeriesRef {
	if refs[ls] == 0 {
		refs[ls] = storage.SeriesRef(len(refs) + 1)
	}
	return refs[ls]
}
