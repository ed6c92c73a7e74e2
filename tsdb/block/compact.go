package block

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/prometheus/storage"
)

// Compact writes block id under parent holding the samples of every source,
// merged series by series with storage.ChainedSeriesMerge (samples of equal
// timestamps in overlapping sources are kept once). The new block's Level is
// the sources' maximum plus one, its Parents the sources' ids, and its time
// range covers theirs. The sources are read, never changed; the caller
// deletes them once the new block is open.
func Compact(parent, id string, sources []*Block, opts WriteOptions) (meta Meta, err error) {
	if len(sources) == 0 {
		return Meta{}, fmt.Errorf("compact block %s: no sources", id)
	}
	tmpl := Meta{MinT: math.MaxInt64, MaxT: math.MinInt64}
	sets := make([]storage.SeriesSet, 0, len(sources))
	for _, src := range sources {
		m := src.Meta()
		tmpl.Level = max(tmpl.Level, m.Level+1)
		tmpl.Parents = append(tmpl.Parents, m.ID)
		tmpl.MinT, tmpl.MaxT = min(tmpl.MinT, m.MinT), max(tmpl.MaxT, m.MaxT)
		q, err := src.Querier(math.MinInt64, math.MaxInt64)
		if err != nil {
			return Meta{}, fmt.Errorf("compact block %s: %w", id, err)
		}
		defer func() { err = errors.Join(err, q.Close()) }()
		sets = append(sets, q.Select(context.Background(), true, nil))
	}
	merged := storage.NewMergeSeriesSet(sets, 0, storage.ChainedSeriesMerge)
	return writeBlock(parent, id, merged, opts, tmpl)
}

// RemoveTmp removes the *.tmp directories under parent that a crash during
// Write or Compact left behind. A missing parent is not an error.
func RemoveTmp(parent string) error {
	entries, err := os.ReadDir(parent)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove tmp blocks in %s: %w", parent, err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
			return fmt.Errorf("remove tmp blocks in %s: %w", parent, err)
		}
	}
	return nil
}
