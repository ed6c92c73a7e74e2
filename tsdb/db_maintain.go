package tsdb

import (
	"context"
	"time"
)

// maintenanceInterval is how often the maintenance loop runs.
const maintenanceInterval = time.Minute

// checkpointWALBytes is how much the WAL may grow after the last checkpoint
// before maintenance writes another, which bounds the replay after a crash.
const checkpointWALBytes = 256 << 20

// runMaintenance maintains the store now and then every interval until stop
// is closed. It is the goroutine Open starts.
func (db *DB) runMaintenance(stop <-chan struct{}, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		db.maintain(stop)
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
	}
}

// maintain cuts the head when it spans more than 1.5 block ranges, writes a
// checkpoint after a cut or when the WAL has grown enough, compacts and
// applies retention. Failures are logged and counted; the next run retries.
func (db *DB) maintain(stop <-chan struct{}) {
	db.maintainMu.Lock()
	defer db.maintainMu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	cut, err := db.maybeCut()
	if err != nil {
		db.logger.Error("cannot cut the head into a block; retrying at the next run", "err", err)
	}
	if cut || db.wal.Size()-db.walAtCheckpoint.Load() > checkpointWALBytes {
		if err := db.checkpoint(); err != nil {
			db.logger.Error("cannot checkpoint the head; the WAL is kept", "err", err)
		}
	}
	if err := db.compact(ctx); err != nil && ctx.Err() == nil {
		db.logger.Error("compaction failed; retrying at the next run", "err", err)
	}
	db.applyRetention()
}
