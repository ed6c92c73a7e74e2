package storagecmp

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/storage"
	promtsdb "github.com/prometheus/prometheus/tsdb"
)

// blockRange is the block duration of both stores.
const blockRange = 2 * time.Hour

// openProm opens a Prometheus tsdb in dir with 2h blocks compacted up to
// 2 days, as a Prometheus server with a few weeks of retention does.
func openProm(dir string) (*promtsdb.DB, error) {
	opts := promtsdb.DefaultOptions()
	opts.MinBlockDuration = blockRange.Milliseconds()
	opts.MaxBlockDuration = 24 * blockRange.Milliseconds()
	opts.RetentionDuration = 0
	db, err := promtsdb.Open(dir, nil, nil, opts, nil)
	if err != nil {
		return nil, fmt.Errorf("open prometheus tsdb %s: %w", dir, err)
	}
	return db, nil
}

// appendProm appends the dataset, one commit per step. With copyLabels each
// series gets labels of its own, as series parsed from a scrape do.
func appendProm(db *promtsdb.DB, d *dataset, copyLabels bool) error {
	refs := make([]storage.SeriesRef, len(d.lsets))
	ctx := context.Background()
	return d.each(func(_ int, t int64, vals []float64) error {
		app := db.Appender(ctx)
		for i, v := range vals {
			ls := d.lsets[i]
			if copyLabels && refs[i] == 0 {
				ls = ls.Copy()
			}
			ref, err := app.Append(refs[i], ls, t, v)
			if err != nil {
				return fmt.Errorf("prometheus append %s at %d: %w", d.lsets[i], t, err)
			}
			refs[i] = ref
		}
		return app.Commit()
	})
}

// persistProm moves everything in the head into blocks, 2h each, and runs
// Prometheus' compaction of blocks.
func persistProm(ctx context.Context, db *promtsdb.DB) error {
	if err := db.Compact(ctx); err != nil {
		return fmt.Errorf("prometheus compact: %w", err)
	}
	r := blockRange.Milliseconds()
	head := db.Head()
	for range 1000 {
		mint, maxt := head.MinTime(), head.MaxTime()
		if head.NumSeries() == 0 || mint > maxt {
			break
		}
		end := mint - mint%r + r
		if err := db.CompactHead(promtsdb.NewRangeHead(head, mint, end-1)); err != nil {
			return fmt.Errorf("prometheus compact head [%d, %d): %w", mint, end, err)
		}
		if head.MinTime() == mint {
			break
		}
	}
	if err := db.Compact(ctx); err != nil {
		return fmt.Errorf("prometheus compact blocks: %w", err)
	}
	return nil
}

// promBlocks returns the bytes on disk and the samples of the blocks.
func promBlocks(db *promtsdb.DB) (bytes int64, samples uint64, err error) {
	for _, b := range db.Blocks() {
		n, err := dirSize(b.Dir())
		if err != nil {
			return 0, 0, err
		}
		bytes += n
		samples += b.Meta().Stats.NumSamples
	}
	return bytes, samples, nil
}
