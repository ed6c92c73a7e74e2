package ingest

import (
	"compress/gzip"
	"io"
	"sync"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/tsdb"
)

// Pooled objects that grew past these sizes are dropped rather than kept,
// so that one huge request does not pin its memory for ever.
const (
	maxPooledBytes   = 1 << 20 // per buffer: pooled memory stays small next to max_inflight_bytes
	maxPooledSeries  = 1 << 16 // series of a Batch, and entries of a map
	maxPooledSamples = 1 << 20 // sample capacity of a Batch
)

// decoder holds the scratch memory of the decoders; a warm decoder decodes
// a request without allocating per sample. It is not safe for concurrent
// use.
type decoder struct {
	plain    []byte        // the decompressed remote-write body
	ws       wireSeries    // the TimeSeries being decoded
	sb       seriesBuilder // the labels of the series being decoded
	text     textState
	problems problems

	cache *seriesCache // the Handler's; nil decodes every series' labels
	hits  []cacheHit   // series of the batch found in the cache
	fills []cacheFill  // series of the batch to cache once stored
}

// reusable reports whether d is small enough to go back to a pool.
func (d *decoder) reusable() bool {
	return cap(d.plain) <= maxPooledBytes && cap(d.text.scratch) <= maxPooledBytes &&
		cap(d.ws.samples) <= maxPooledSamples && cap(d.ws.labels) <= maxPooledSeries &&
		cap(d.hits) <= maxPooledSeries && cap(d.fills) <= maxPooledSeries
}

// decoders serves DecodeRemoteWrite and ParseText. It is a cache of scratch
// memory, not state: any decoder decodes like any other.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

func getDecoder() *decoder { return decoders.Get().(*decoder) }

func putDecoder(d *decoder) {
	if d.reusable() {
		decoders.Put(d)
	}
}

// requestCtx is everything one push request needs. A Handler pools them, so
// a warm handler serves a request without allocating per sample.
type requestCtx struct {
	body  []byte       // the request body, decompressed for gzip
	batch tsdb.Batch   // the decoded, validated request
	dec   decoder      // the decoders' scratch memory
	gz    *gzip.Reader // reused across gzip requests; nil until the first
	limit io.LimitedReader
	otlp  otlpState // the OTLP decoder's state

	reserved       int64         // bytes reserved by admission control
	meter, gzMeter meteredReader // reserve bytes as read: body, gzip output
}

// Reset empties c for the next request and keeps its memory, but not the
// label sets of the last request.
func (c *requestCtx) Reset() {
	for i := range c.batch.Series {
		c.batch.Series[i].Labels = labels.EmptyLabels()
	}
	c.batch.Reset()
	clear(c.dec.hits[:cap(c.dec.hits)]) // drop their views into the request
	c.dec.hits, c.dec.fills = c.dec.hits[:0], c.dec.fills[:0]
	c.body = c.body[:0]
	c.limit = io.LimitedReader{}
	c.otlp.reset()
	c.reserved = 0
	c.meter, c.gzMeter = meteredReader{}, meteredReader{}
}

// reusable reports whether c is small enough to go back to the pool.
func (c *requestCtx) reusable() bool {
	if cap(c.body) > maxPooledBytes || cap(c.batch.Series) > maxPooledSeries || !c.dec.reusable() {
		return false
	}
	n := 0
	for _, s := range c.batch.Series[:cap(c.batch.Series)] {
		n += cap(s.Samples)
	}
	return n <= maxPooledSamples
}

// ctxPool is a typed pool of request contexts.
type ctxPool struct{ p sync.Pool }

func (p *ctxPool) get() *requestCtx {
	if c, ok := p.p.Get().(*requestCtx); ok {
		return c
	}
	c := new(requestCtx)
	c.batch.Resolve = c.dec.resolve
	return c
}

func (p *ctxPool) put(c *requestCtx) {
	if c.reusable() {
		c.Reset()
		p.p.Put(c)
	}
}
