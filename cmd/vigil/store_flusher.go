package main

import (
	"context"
	"errors"

	"github.com/vigilsre/vigil/query/api"
	"github.com/vigilsre/vigil/tsdb"
	"github.com/vigilsre/vigil/tsdb/block"
)

// storeFlusher serves POST /api/v1/admin/flush over the store: it
// implements api.Flusher, translating the block's meta and a closed store
// (ErrorUnavailable) into the API's terms, so query/api needs no tsdb.
type storeFlusher struct {
	db interface {
		Flush(ctx context.Context) (block.Meta, error)
	}
}

// Flush cuts the head into a block; nil when the head held no sample.
func (f storeFlusher) Flush(ctx context.Context) (*api.Block, error) {
	m, err := f.db.Flush(ctx)
	switch {
	case errors.Is(err, tsdb.ErrClosed):
		return nil, &api.Error{Type: api.ErrorUnavailable, Err: err}
	case err != nil:
		return nil, err
	case m.ID == "":
		return nil, nil
	}
	return &api.Block{ID: m.ID, MinTime: m.MinT, MaxTime: m.MaxT,
		NumSeries: m.NumSeries, NumSamples: m.NumSamples, Level: m.Level}, nil
}
