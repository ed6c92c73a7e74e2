package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/timestamp"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// checkContextEvery is how many series Series reads between two checks of its
// context.
const checkContextEvery = 128

// errTruncated is the warning added when a limit cut a result short; the text
// is Prometheus'.
var errTruncated = errors.New("results truncated due to limit")

// Series returns the label sets of the series that match any of matcherSets
// (each a conjunction of matchers) and have samples between start and end,
// sorted, without duplicates. With limit > 0 at most limit are returned, and
// the warnings say so when more exist. The labels are copies, safe to keep.
func (e *Engine) Series(ctx context.Context, matcherSets [][]*labels.Matcher, start, end time.Time, limit int) ([]labels.Labels, annotations.Annotations, error) {
	defer e.metrics.observe(kindSeries, time.Now())
	if len(matcherSets) == 0 {
		return nil, nil, newError(ErrBadQuery, errors.New("series needs at least one set of matchers"))
	}
	var series []labels.Labels
	var ws annotations.Annotations
	err := e.read(ctx, start, end, func(ctx context.Context, q storage.Querier) (err error) {
		set := selectSeries(ctx, q, matcherSets, seriesHints(start, end, limit))
		series, ws, err = collectSeries(ctx, set, limit)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return series, ws, nil
}

// LabelNames returns the sorted label names of the series that match any of
// matcherSets (all series when there is none) and have samples between start
// and end. With limit > 0 at most limit are returned, the lexically smallest,
// and the warnings say so when more exist. The strings are copies.
func (e *Engine) LabelNames(ctx context.Context, matcherSets [][]*labels.Matcher, start, end time.Time, limit int) ([]string, annotations.Annotations, error) {
	defer e.metrics.observe(kindLabelNames, time.Now())
	return e.labels(ctx, matcherSets, start, end, limit, func(ctx context.Context, q storage.Querier, h *storage.LabelHints, ms []*labels.Matcher) ([]string, annotations.Annotations, error) {
		return q.LabelNames(ctx, h, ms...)
	})
}

// LabelValues returns the sorted values of label name in the series that
// match any of matcherSets (all series when there is none) and have samples
// between start and end. Limit works as in LabelNames.
func (e *Engine) LabelValues(ctx context.Context, name string, matcherSets [][]*labels.Matcher, start, end time.Time, limit int) ([]string, annotations.Annotations, error) {
	defer e.metrics.observe(kindLabelValues, time.Now())
	return e.labels(ctx, matcherSets, start, end, limit, func(ctx context.Context, q storage.Querier, h *storage.LabelHints, ms []*labels.Matcher) ([]string, annotations.Annotations, error) {
		return q.LabelValues(ctx, name, h, ms...)
	})
}

// labelLookup is one LabelNames or LabelValues call on a querier.
type labelLookup func(context.Context, storage.Querier, *storage.LabelHints, []*labels.Matcher) ([]string, annotations.Annotations, error)

// labels runs lookup for each matcher set (once with none when there is no
// set) and returns the sorted union, cut to limit.
func (e *Engine) labels(ctx context.Context, matcherSets [][]*labels.Matcher, start, end time.Time, limit int, lookup labelLookup) ([]string, annotations.Annotations, error) {
	if len(matcherSets) == 0 {
		matcherSets = [][]*labels.Matcher{nil}
	}
	hints := &storage.LabelHints{Limit: hintLimit(limit), LimitSmallest: limit > 0}
	var ws annotations.Annotations
	union := map[string]struct{}{}
	err := e.read(ctx, start, end, func(ctx context.Context, q storage.Querier) error {
		for _, ms := range matcherSets {
			vals, callWs, err := lookup(ctx, q, hints, ms)
			if err != nil {
				return storageError(err)
			}
			ws.Merge(callWs)
			for _, v := range vals {
				union[strings.Clone(v)] = struct{}{}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return truncate(sortedKeys(union), ws, limit)
}

// read opens a querier over [start, end], calls f with it under the Engine's
// timeout, and closes it.
func (e *Engine) read(ctx context.Context, start, end time.Time, f func(context.Context, storage.Querier) error) (err error) {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	q, err := e.queryable.Querier(timestamp.FromTime(start), timestamp.FromTime(end))
	if err != nil {
		return storageError(err)
	}
	defer func() {
		if cerr := q.Close(); cerr != nil && err == nil {
			err = storageError(fmt.Errorf("close querier: %w", cerr))
		}
	}()
	return f(ctx, q)
}

// seriesHints are the select hints of a series lookup: no samples needed.
func seriesHints(start, end time.Time, limit int) *storage.SelectHints {
	return &storage.SelectHints{
		Start: timestamp.FromTime(start),
		End:   timestamp.FromTime(end),
		Func:  "series", // not a function: tells the store no samples are read
		Limit: hintLimit(limit),
	}
}

// selectSeries selects the series matching any of matcherSets, sorted and
// merged without duplicates.
func selectSeries(ctx context.Context, q storage.Querier, matcherSets [][]*labels.Matcher, hints *storage.SelectHints) storage.SeriesSet {
	if len(matcherSets) == 1 {
		return q.Select(ctx, true, hints, matcherSets[0]...)
	}
	sets := make([]storage.SeriesSet, 0, len(matcherSets))
	for _, ms := range matcherSets {
		sets = append(sets, q.Select(ctx, true, hints, ms...))
	}
	return storage.NewMergeSeriesSet(sets, 0, storage.ChainedSeriesMerge)
}

// collectSeries copies the label sets of set, at most limit of them when
// limit > 0.
func collectSeries(ctx context.Context, set storage.SeriesSet, limit int) ([]labels.Labels, annotations.Annotations, error) {
	series := []labels.Labels{}
	for i := 1; set.Next(); i++ {
		if i%checkContextEvery == 0 && ctx.Err() != nil {
			return nil, nil, storageError(ctx.Err())
		}
		if limit > 0 && len(series) == limit {
			return series, withWarning(set.Warnings(), errTruncated), nil
		}
		series = append(series, set.At().Labels().Copy())
	}
	if err := set.Err(); err != nil {
		return nil, nil, storageError(err)
	}
	return series, withWarning(set.Warnings(), nil), nil
}

// truncate cuts vals to limit when limit > 0, adding the truncation warning
// when it did.
func truncate(vals []string, ws annotations.Annotations, limit int) ([]string, annotations.Annotations, error) {
	if limit > 0 && len(vals) > limit {
		return vals[:limit], withWarning(ws, errTruncated), nil
	}
	return vals, ws, nil
}

// withWarning returns a copy of ws (which may belong to the store) with w
// added when it is not nil.
func withWarning(ws annotations.Annotations, w error) annotations.Annotations {
	var out annotations.Annotations
	out.Merge(ws)
	if w != nil {
		out.Add(w)
	}
	return out
}

// sortedKeys returns the keys of set in order; never nil.
func sortedKeys(set map[string]struct{}) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// hintLimit is the limit passed to the store: one more than asked, so that a
// cut can be noticed and reported.
func hintLimit(limit int) int {
	if limit > 0 && limit < math.MaxInt {
		return limit + 1
	}
	return limit
}
