package query

import (
	"context"
	"errors"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// store wraps the Queryable given to New so that the promql engine reports
// the store's failures as promql.ErrStorage: the engine passes them through
// untyped, and without the tag a broken store would look like a bad query.
// Context errors are left alone; they are timeouts and cancellations.
type store struct{ storage.Queryable }

// Querier implements storage.Queryable.
func (s store) Querier(mint, maxt int64) (storage.Querier, error) {
	q, err := s.Queryable.Querier(mint, maxt)
	if err != nil {
		return nil, tagStorage(err)
	}
	return querier{q}, nil
}

// querier tags the errors of a storage.Querier.
type querier struct{ storage.Querier }

// Select implements storage.Querier.
func (q querier) Select(ctx context.Context, sortSeries bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	return seriesSet{q.Querier.Select(ctx, sortSeries, hints, ms...)}
}

// LabelValues implements storage.Querier.
func (q querier) LabelValues(ctx context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	vals, ws, err := q.Querier.LabelValues(ctx, name, hints, ms...)
	return vals, ws, tagStorage(err)
}

// LabelNames implements storage.Querier.
func (q querier) LabelNames(ctx context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	names, ws, err := q.Querier.LabelNames(ctx, hints, ms...)
	return names, ws, tagStorage(err)
}

// seriesSet tags the error of a storage.SeriesSet.
type seriesSet struct{ storage.SeriesSet }

// Err implements storage.SeriesSet.
func (s seriesSet) Err() error { return tagStorage(s.SeriesSet.Err()) }

// tagStorage returns err as a promql.ErrStorage unless it is nil, already
// tagged, or a context error.
func tagStorage(err error) error {
	if err == nil || contextKind(err) != nil {
		return err
	}
	if _, ok := errors.AsType[promql.ErrStorage](err); ok {
		return err
	}
	return promql.ErrStorage{Err: err}
}
