package ingest

import (
	"fmt"
	"sort"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/tsdb"
)

// cacheHit is a series of the batch appended by the reference the series
// cache had for its raw label bytes.
type cacheHit struct {
	series int // index in the batch
	key    seriesKey
	raw    []byte // its Label fields or series text, a view into the request
	text   bool   // raw is a series text of the text format
}

// cacheFill is a series of the batch whose reference goes into the series
// cache once it is stored.
type cacheFill struct {
	series int
	key    seriesKey
}

// resolve is the batch's tsdb.Batch.Resolve: the labels of a series that
// went in by a cached reference the store no longer knows. It decodes and
// validates them from the raw bytes, as when they were first cached.
func (d *decoder) resolve(i int) (labels.Labels, error) {
	j := sort.Search(len(d.hits), func(j int) bool { return d.hits[j].series >= i })
	if j == len(d.hits) || d.hits[j].series != i {
		return labels.EmptyLabels(), fmt.Errorf("series %d of the batch did not come from the series cache", i)
	}
	h := d.hits[j]
	wls, err := d.cachedLabels(h)
	if err != nil {
		return labels.EmptyLabels(), err
	}
	var sb seriesBuilder
	ls, err := sb.build(wls)
	if err != nil {
		return labels.EmptyLabels(), fmt.Errorf("validate cached labels: %w", err)
	}
	d.fills = append(d.fills, cacheFill{series: i, key: h.key})
	return ls, nil
}

// remember caches the references the store reported for the series of b
// that were decoded from their labels, or resolved again, or that a text
// request named under a text the cache did not know.
func (d *decoder) remember(b *tsdb.Batch) {
	for _, f := range d.fills {
		if ref := b.Series[f.series].Ref; ref != 0 {
			d.cache.put(f.key, ref)
		}
	}
	d.hits, d.fills = d.hits[:0], d.fills[:0]
}

// cachedLabels decodes the labels of a cache hit from its raw bytes, in the
// order they came. They are views into the request or into d's scratch
// memory, valid until the next call.
func (d *decoder) cachedLabels(h cacheHit) ([]wireLabel, error) {
	if h.text {
		if _, _, err := d.text.other.parse(h.raw); err != nil {
			return nil, fmt.Errorf("parse cached series %s: %w", printable(string(h.raw)), err)
		}
		return d.text.other.labels, nil
	}
	var ws wireSeries
	if err := ws.decodeLabels(h.raw); err != nil {
		return nil, fmt.Errorf("decode cached labels: %w", err)
	}
	return ws.labels, nil
}
