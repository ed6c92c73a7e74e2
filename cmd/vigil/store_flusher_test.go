package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/query/api"
	"github.com/vigilsre/vigil/tsdb"
	"github.com/vigilsre/vigil/tsdb/block"
)

// flushFunc is a store's Flush.
type flushFunc func(context.Context) (block.Meta, error)

func (f flushFunc) Flush(ctx context.Context) (block.Meta, error) { return f(ctx) }

func TestStoreFlusher(t *testing.T) {
	meta := block.Meta{ID: "b1", MinT: 1000, MaxT: 2000, NumSeries: 2, NumChunks: 3, NumSamples: 42, Level: 1, Parents: []string{}, Version: 1}
	diskFull := errors.New("write chunks: no space left on device")
	closed := fmt.Errorf("flush: %w", tsdb.ErrClosed)
	tests := []struct {
		name    string
		meta    block.Meta
		err     error
		want    *api.Block
		wantErr error
	}{
		{"block", meta, nil, &api.Block{ID: "b1", MinTime: 1000, MaxTime: 2000, NumSeries: 2, NumSamples: 42, Level: 1}, nil},
		{"empty head", block.Meta{}, nil, nil, nil},
		{"closed", block.Meta{}, closed, nil, &api.Error{Type: api.ErrorUnavailable, Err: closed}},
		{"other", block.Meta{}, diskFull, nil, diskFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := storeFlusher{flushFunc(func(context.Context) (block.Meta, error) { return tt.meta, tt.err })}
			got, err := f.Flush(t.Context())
			require.Equal(t, tt.wantErr, err)
			require.Equal(t, tt.want, got)
		})
	}
}
