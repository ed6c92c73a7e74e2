package ingest

import (
	"bytes"
	"hash/maphash"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb"
)

// textKey returns the series cache's key of the series text raw. Without a
// cache it computes only key[0], the xxhash that textState.byText needs.
//
// Text and remote-write series share the cache without meeting: raw label
// bytes of remote write begin with the tag of field 1 (0x0a, a line feed),
// which no series text holds.
func (d *decoder) textKey(raw []byte) seriesKey {
	if d.cache == nil {
		return seriesKey{xxhash.Sum64(raw)}
	}
	return d.cache.key(raw)
}

// addCachedText returns the index in dst of the series of raw, a series text
// new to the request that the series cache holds, by ref: a new series of
// the batch with no labels, unless the series came under another text
// before. raw was valid when it was cached; it is not validated again.
func (d *decoder) addCachedText(dst *tsdb.Batch, raw []byte, key seriesKey, ref storage.SeriesRef, fresh bool) int {
	idx, slot, found := d.text.find()
	if found { // cache raw again under the series' reference, which may be newer
		d.fills = append(d.fills, cacheFill{series: idx, key: key})
		return idx
	}
	dst.Next().Ref = ref
	idx = len(dst.Series) - 1
	d.text.byLabels[slot] = textSeen{raw: raw, idx: idx}
	d.hits = append(d.hits, cacheHit{series: idx, key: key, raw: raw, text: true})
	if !fresh {
		d.fills = append(d.fills, cacheFill{series: idx, key: key})
	}
	return idx
}

// find looks for the series of the valid labels just parsed among those of
// the request so far. It returns the series' index in dst, or else the free
// slot of byLabels to record it in: the canonical hash of the labels, or the
// first free hash after it when other series hold it.
func (t *textState) find() (idx int, slot uint64, found bool) {
	for h := t.canonicalHash(); ; h++ {
		seen, taken := t.byLabels[h]
		if !taken {
			return -1, h, false
		}
		if t.sameLabels(seen.raw) {
			return seen.idx, h, true
		}
	}
}

// canonicalHash sorts the labels just parsed by name and hashes those with
// a value, so that every text of a series hashes alike. Valid names and
// values never hold the byte 0xff that ends each of them.
func (t *textState) canonicalHash() uint64 {
	sortLabels(t.labels)
	t.canon = t.canon[:0]
	for _, l := range t.labels {
		if len(l.value) > 0 {
			t.canon = append(append(t.canon, l.name...), 0xff)
			t.canon = append(append(t.canon, l.value...), 0xff)
		}
	}
	return maphash.Bytes(t.seed, t.canon)
}

// sameLabels reports whether raw, an earlier valid series text of the
// request, has the labels just parsed, which canonicalHash sorted.
func (t *textState) sameLabels(raw []byte) bool {
	if _, _, err := t.other.parse(raw); err != nil {
		return false // cannot happen: raw was parsed before
	}
	sortLabels(t.other.labels)
	return equalNonEmpty(t.labels, t.other.labels)
}

// sortLabels sorts ls by name. Most senders sort their labels already.
func sortLabels(ls []wireLabel) {
	for i := 1; i < len(ls); i++ {
		if bytes.Compare(ls[i-1].name, ls[i].name) > 0 {
			slices.SortFunc(ls, func(a, b wireLabel) int { return bytes.Compare(a.name, b.name) })
			return
		}
	}
}

// equalNonEmpty reports whether two sorted label lists are equal once the
// labels with empty values are left out.
func equalNonEmpty(a, b []wireLabel) bool {
	for {
		a, b = skipEmpty(a), skipEmpty(b)
		if len(a) == 0 || len(b) == 0 {
			return len(a) == len(b)
		}
		if !bytes.Equal(a[0].name, b[0].name) || !bytes.Equal(a[0].value, b[0].value) {
			return false
		}
		a, b = a[1:], b[1:]
	}
}

func skipEmpty(ls []wireLabel) []wireLabel {
	for len(ls) > 0 && len(ls[0].value) == 0 {
		ls = ls[1:]
	}
	return ls
}
