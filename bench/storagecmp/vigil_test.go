package storagecmp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/vigilsre/vigil/tsdb"
)

// openVigil opens Vigil's store in dir with 2h blocks. The WAL is fsynced
// every second, not after every batch: Prometheus' WAL does not fsync per
// commit either.
func openVigil(dir string) (*tsdb.DB, error) {
	db, err := tsdb.Open(tsdb.Options{
		Dir:             dir,
		BlockDuration:   blockRange,
		WALSyncInterval: time.Second,
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, fmt.Errorf("open vigil store %s: %w", dir, err)
	}
	return db, nil
}

// appendVigil appends the dataset, one batch per step. With copyLabels each
// series gets labels of its own, as series decoded from a request do.
func appendVigil(db *tsdb.DB, d *dataset, copyLabels bool) error {
	var b tsdb.Batch
	return d.each(func(_ int, t int64, vals []float64) error {
		b.Reset()
		for i, v := range vals {
			s := b.Next()
			s.Labels = d.lsets[i]
			if copyLabels {
				s.Labels = s.Labels.Copy()
			}
			s.Samples = append(s.Samples, tsdb.Sample{T: t, V: v})
		}
		res, err := db.AppendBatch(&b)
		if err != nil {
			return fmt.Errorf("vigil append at %d: %w", t, err)
		}
		if res.Rejected() > 0 {
			return fmt.Errorf("vigil append at %d: %d samples rejected: %w", t, res.Rejected(), res.FirstError)
		}
		return nil
	})
}

// persistVigil cuts the head into blocks and compacts them.
func persistVigil(ctx context.Context, db *tsdb.DB) error {
	if _, err := db.Flush(ctx); err != nil {
		return fmt.Errorf("vigil flush: %w", err)
	}
	if err := db.Compact(ctx); err != nil {
		return fmt.Errorf("vigil compact: %w", err)
	}
	return nil
}

// vigilBlocks returns the bytes on disk and the samples of the blocks.
func vigilBlocks(db *tsdb.DB, dir string) (bytes int64, samples uint64, err error) {
	for _, m := range db.Blocks() {
		samples += m.NumSamples
	}
	bytes, err = dirSize(filepath.Join(dir, "blocks"))
	return bytes, samples, err
}
