package query

import (
	"context"
	"errors"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// failingStore is a store whose every read fails.
type failingStore struct{}

func (failingStore) Querier(int64, int64) (storage.Querier, error) { return failingQuerier{}, nil }

// failingQuerier answers every read with an error: "disk on fire", or the
// context's error when it has ended.
type failingQuerier struct{}

func (failingQuerier) Select(ctx context.Context, _ bool, _ *storage.SelectHints, _ ...*labels.Matcher) storage.SeriesSet {
	return storage.ErrSeriesSet(failure(ctx))
}

func (failingQuerier) LabelValues(ctx context.Context, _ string, _ *storage.LabelHints, _ ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, failure(ctx)
}

func (failingQuerier) LabelNames(ctx context.Context, _ *storage.LabelHints, _ ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, failure(ctx)
}

func (failingQuerier) Close() error { return nil }

// failure is the error of a failing read under ctx.
func failure(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.New("disk on fire")
}

// failingQueryable cannot even open a querier.
type failingQueryable struct{}

func (failingQueryable) Querier(int64, int64) (storage.Querier, error) {
	return nil, errors.New("no querier today")
}

// blockingStore is a store whose selects wait for their context to end.
type blockingStore struct{}

func (blockingStore) Querier(int64, int64) (storage.Querier, error) { return blockingQuerier{}, nil }

// blockingQuerier selects series sets that block until the context ends.
type blockingQuerier struct{ failingQuerier }

func (blockingQuerier) Select(ctx context.Context, _ bool, _ *storage.SelectHints, _ ...*labels.Matcher) storage.SeriesSet {
	return blockingSet{ctx: ctx}
}

// blockingSet is empty, but only says so once its context has ended.
type blockingSet struct{ ctx context.Context }

func (s blockingSet) Next() bool                      { <-s.ctx.Done(); return false }
func (blockingSet) At() storage.Series                { return nil }
func (s blockingSet) Err() error                      { return s.ctx.Err() }
func (blockingSet) Warnings() annotations.Annotations { return nil }
