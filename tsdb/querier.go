package tsdb

import (
	"context"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// querier reads the head over [mint, maxt]. Each Select takes a consistent
// snapshot of the series it returns, so a querier and its results stay valid
// while appends and retention go on; Close releases nothing.
type querier struct {
	h          *head
	mint, maxt int64
}

// selection is what one Select reads: its time range and options.
type selection struct {
	mint, maxt int64
	trim       bool // drop samples outside [mint, maxt]
	noData     bool // labels only (hints.Func == "series")
	shardIndex uint64
	shardCount uint64
	limit      int
}

// Select returns the series that match every matcher and have samples in the
// querier's range (or hints.Start…End when hints are given), sorted by labels
// whatever sortSeries says. Samples outside the range are trimmed unless
// hints.DisableTrimming is set.
func (q *querier) Select(ctx context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	if err := ctx.Err(); err != nil {
		return storage.ErrSeriesSet(err)
	}
	sel := q.selection(hints)
	refs := q.postings(ms)
	series := q.h.snapshot(refs, sel)
	slices.SortFunc(series, func(a, b seriesSnapshot) int { return labels.Compare(a.lset, b.lset) })
	if sel.limit > 0 && len(series) > sel.limit {
		series = series[:sel.limit]
	}
	return &seriesSet{series: series, idx: -1}
}

// selection turns the querier's range and the hints into a selection.
func (q *querier) selection(hints *storage.SelectHints) selection {
	sel := selection{mint: q.mint, maxt: q.maxt, trim: true}
	if hints == nil {
		return sel
	}
	sel.mint, sel.maxt = hints.Start, hints.End
	sel.trim = !hints.DisableTrimming
	sel.noData = hints.Func == "series"
	sel.shardIndex, sel.shardCount = hints.ShardIndex, hints.ShardCount
	sel.limit = hints.Limit
	return sel
}

// postings returns the sorted refs of the series that match ms.
func (q *querier) postings(ms []*labels.Matcher) []storage.SeriesRef {
	q.h.index.mu.RLock()
	defer q.h.index.mu.RUnlock()
	return q.h.index.postingsForMatchers(ms)
}

// LabelNames returns the sorted label names of the series that match the
// matchers, or of every series without matchers. Like Prometheus' head it
// answers from the index, whatever the time range.
func (q *querier) LabelNames(ctx context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if len(ms) == 0 {
		q.h.index.mu.RLock()
		names := q.h.index.labelNames()
		q.h.index.mu.RUnlock()
		return applyLimit(names, hints), nil, nil
	}
	names := q.collect(q.postings(ms), func(lset labels.Labels, add func(string)) {
		lset.Range(func(l labels.Label) { add(l.Name) })
	})
	return applyLimit(names, hints), nil, nil
}

// LabelValues returns the sorted values of a label over the series that match
// the matchers, or over every series without matchers. Like Prometheus' head
// it answers from the index, whatever the time range.
func (q *querier) LabelValues(ctx context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if len(ms) == 0 {
		q.h.index.mu.RLock()
		values := q.h.index.labelValues(name)
		q.h.index.mu.RUnlock()
		return applyLimit(values, hints), nil, nil
	}
	values := q.collect(q.postings(ms), func(lset labels.Labels, add func(string)) {
		if v := lset.Get(name); v != "" {
			add(v)
		}
	})
	return applyLimit(values, hints), nil, nil
}

// collect calls each for the labels of every series in refs and returns the
// distinct strings it adds, sorted.
func (q *querier) collect(refs []storage.SeriesRef, each func(labels.Labels, func(string))) []string {
	seen := map[string]struct{}{}
	add := func(s string) { seen[s] = struct{}{} }
	for _, ref := range refs {
		if lset, ok := q.h.seriesLabels(ref); ok {
			each(lset, add)
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// applyLimit keeps the first hints.Limit of sorted strings, which are also
// the smallest.
func applyLimit(sorted []string, hints *storage.LabelHints) []string {
	limited, _ := hints.ApplyLimit(sorted)
	return limited
}

// Close releases the querier; it holds no resources.
func (*querier) Close() error { return nil }
