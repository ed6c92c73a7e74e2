package block

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// Querier returns a querier over the block's samples in [mint, maxt]. The
// block stays open until the querier is closed; the series it returns are
// valid until then.
func (b *Block) Querier(mint, maxt int64) (storage.Querier, error) {
	if err := b.acquire(); err != nil {
		return nil, err
	}
	return &querier{b: b, mint: mint, maxt: maxt}, nil
}

// querier reads one block. Its methods are safe for concurrent use; each
// Select's series set is used by one goroutine at a time.
type querier struct {
	b          *Block
	mint, maxt int64

	// mu guards closed and caches, the page caches of the Selects, returned
	// to the block's pool on Close.
	mu     sync.Mutex
	closed bool
	caches []*pageCache
}

// Close releases the querier; the block may then close.
func (q *querier) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	q.closed = true
	for _, c := range q.caches {
		c.valid = false
		q.b.caches.Put(c)
	}
	q.caches = nil
	q.b.queries.Done()
	return nil
}

// cache returns a page cache for one Select.
func (q *querier) cache() (*pageCache, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, fmt.Errorf("select on block %s: %w", q.b.dir, ErrClosed)
	}
	c := q.b.caches.Get().(*pageCache)
	q.caches = append(q.caches, c)
	return c, nil
}

// Select returns the series matching every matcher that have samples in the
// querier's range, sorted by labels (always: sortSeries is ignored).
// hints narrow the range to its intersection with [Start, End] when they
// set either, DisableTrimming
// keeps the samples of the chosen chunks outside the range, Func "series"
// returns labels without reading chunks, Limit caps the series and
// ShardCount/ShardIndex pick a shard by labels.StableHash.
func (q *querier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	cache, err := q.cache()
	if err != nil {
		return storage.ErrSeriesSet(err)
	}
	s := &seriesSet{ix: q.b.ix, cache: cache, mint: q.mint, maxt: q.maxt, trim: true}
	if hints != nil {
		s.applyHints(hints)
	}
	s.ids = q.b.ix.postingsForMatchers(ms)
	return s
}

// applyHints narrows the set by hints.
func (s *seriesSet) applyHints(h *storage.SelectHints) {
	if h.Start != 0 || h.End != 0 {
		s.mint, s.maxt = max(s.mint, h.Start), min(s.maxt, h.End)
	}
	s.trim = !h.DisableTrimming
	s.labelsOnly = h.Func == "series"
	s.limit = h.Limit
	s.shardCount, s.shardIndex = h.ShardCount, h.ShardIndex
}

// LabelValues returns the sorted values of label name, of every series when
// there are no matchers, else of the matching series (from the index; no
// chunk is read). The block's time range is not narrowed to the querier's.
func (q *querier) LabelValues(_ context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	if err := q.check(); err != nil {
		return nil, nil, err
	}
	ix := q.b.ix
	var values []string
	if len(ms) == 0 {
		if vp := ix.postings[name]; vp != nil {
			values = slices.Clone(vp.values)
		}
	} else {
		values = ix.valuesOf(name, ix.postingsForMatchers(ms))
	}
	return limitStrings(values, hints), nil, nil
}

// LabelNames returns the sorted label names of every series when there are
// no matchers, else of the matching series.
func (q *querier) LabelNames(_ context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	if err := q.check(); err != nil {
		return nil, nil, err
	}
	ix := q.b.ix
	if len(ms) == 0 {
		return limitStrings(slices.Clone(ix.names), hints), nil, nil
	}
	return limitStrings(ix.namesOf(ix.postingsForMatchers(ms)), hints), nil, nil
}

func (q *querier) check() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("query block %s: %w", q.b.dir, ErrClosed)
	}
	return nil
}

func limitStrings(s []string, hints *storage.LabelHints) []string {
	if hints != nil && hints.Limit > 0 && len(s) > hints.Limit {
		return s[:hints.Limit]
	}
	return s
}

// valuesOf returns the sorted distinct values of label name among series ids.
func (ix *index) valuesOf(name string, ids []uint32) []string {
	seen := map[string]struct{}{}
	var sb labels.ScratchBuilder
	for _, id := range ids {
		if v := ix.labels(id, &sb).Get(name); v != "" {
			seen[v] = struct{}{}
		}
	}
	return sortedKeys(seen)
}

// namesOf returns the sorted distinct label names of series ids.
func (ix *index) namesOf(ids []uint32) []string {
	seen := map[string]struct{}{}
	var sb labels.ScratchBuilder
	for _, id := range ids {
		ix.labels(id, &sb).Range(func(l labels.Label) {
			if l.Value != "" {
				seen[l.Name] = struct{}{}
			}
		})
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
