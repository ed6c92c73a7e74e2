package tsdb

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/block"
)

// blockSet is the DB's list of open blocks, sorted by MinT. Queriers take a
// reference to each block they read (block.Querier), so a block removed from
// the set is closed only once its queries are done.
type blockSet struct {
	mu     sync.RWMutex
	blocks []*block.Block
}

// blocksDir is where the blocks live; quarantineDir is where corrupt ones
// are moved.
func (db *DB) blocksDir() string     { return filepath.Join(db.opts.Dir, "blocks") }
func (db *DB) quarantineDir() string { return filepath.Join(db.opts.Dir, "quarantine") }

// openBlocks opens every block in the blocks directory. A block that fails
// to open is moved to the quarantine directory, logged and counted, and the
// store starts without it. Blocks that a complete compaction has replaced
// (they are the parents of another block) are deleted: a crash after the
// compaction wrote its block but before it deleted its sources leaves them.
func (db *DB) openBlocks() error {
	dir := db.blocksDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create blocks directory: %w", err)
	}
	if err := block.RemoveTmp(dir); err != nil {
		return fmt.Errorf("remove unfinished blocks: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list blocks: %w", err)
	}
	var opened []*block.Block
	for _, e := range entries {
		if !e.IsDir() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		b, err := block.Open(filepath.Join(dir, e.Name()))
		switch {
		case errors.Is(err, block.ErrCorrupt) || errors.Is(err, fs.ErrNotExist):
			db.quarantine(e.Name(), err)
		case err != nil: // not the block's fault: a full file table, permissions…
			return errors.Join(fmt.Errorf("open block %s: %w", e.Name(), err), closeBlocks(opened))
		case b.Meta().NumSamples == 0: // a crash between writing an empty cut and removing it
			if err := deleteBlock(b); err != nil {
				return errors.Join(fmt.Errorf("remove empty block %s: %w", e.Name(), err), closeBlocks(opened))
			}
		default:
			opened = append(opened, b)
		}
	}
	db.blocks.set(db.dropReplaced(opened))
	return nil
}

// quarantine moves a block that could not be opened aside.
func (db *DB) quarantine(name string, cause error) {
	db.metrics.corruptBlocks.Inc()
	src := filepath.Join(db.blocksDir(), name)
	dst := filepath.Join(db.quarantineDir(), name)
	err := os.MkdirAll(db.quarantineDir(), 0o755)
	if err == nil {
		_ = os.RemoveAll(dst) // an older copy of the same block
		err = os.Rename(src, dst)
	}
	if err != nil {
		db.logger.Error("cannot open block, and cannot move it aside; it is ignored", "block", src, "err", cause, "move_err", err)
		return
	}
	db.logger.Error("cannot open block; moved it aside, serving the others", "block", src, "moved_to", dst, "err", cause)
}

// dropReplaced closes and deletes the blocks that are parents of another
// block (of a lower level, inside its time range), and returns the others.
func (db *DB) dropReplaced(blocks []*block.Block) []*block.Block {
	children := map[string]block.Meta{}
	for _, b := range blocks {
		for _, p := range b.Meta().Parents {
			children[p] = b.Meta()
		}
	}
	kept := blocks[:0]
	for _, b := range blocks {
		m := b.Meta()
		child, ok := children[m.ID]
		if !ok || m.Level >= child.Level || m.MinT < child.MinT || m.MaxT > child.MaxT {
			kept = append(kept, b)
			continue
		}
		db.logger.Info("deleting a block a compaction replaced", "block", b.Meta().ID)
		if err := deleteBlock(b); err != nil {
			db.logger.Warn("cannot delete replaced block", "block", b.Dir(), "err", err)
		}
	}
	return kept
}

// deleteBlock closes b, waiting for its queries, and removes its directory.
// It renames the directory to <id>.tmp first, so a crash while removing
// leaves what Open removes (block.RemoveTmp), not a damaged block.
func deleteBlock(b *block.Block) error {
	if err := b.Close(); err != nil {
		return err
	}
	doomed := b.Dir() + ".tmp"
	if err := os.Rename(b.Dir(), doomed); err != nil {
		return fmt.Errorf("delete block %s: %w", b.Dir(), err)
	}
	return os.RemoveAll(doomed)
}

// closeBlocks closes blocks opened before a failure.
func closeBlocks(blocks []*block.Block) error {
	var errs []error
	for _, b := range blocks {
		errs = append(errs, b.Close())
	}
	return errors.Join(errs...)
}

// set replaces the blocks.
func (s *blockSet) set(blocks []*block.Block) {
	slices.SortFunc(blocks, compareBlocks)
	s.mu.Lock()
	s.blocks = blocks
	s.mu.Unlock()
}

func compareBlocks(a, b *block.Block) int {
	am, bm := a.Meta(), b.Meta()
	if am.MinT != bm.MinT {
		return cmp.Compare(am.MinT, bm.MinT)
	}
	return strings.Compare(am.ID, bm.ID)
}

// replace removes the blocks in old from the set and adds the ones in add,
// in one step, so a query sees either the old blocks or the new ones.
func (s *blockSet) replace(old []*block.Block, add ...*block.Block) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := make([]*block.Block, 0, len(s.blocks)+len(add))
	for _, b := range s.blocks {
		if !slices.Contains(old, b) {
			kept = append(kept, b)
		}
	}
	kept = append(kept, add...)
	slices.SortFunc(kept, compareBlocks)
	s.blocks = kept
}

// list returns the blocks, oldest first.
func (s *blockSet) list() []*block.Block {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.blocks)
}

// metas returns the blocks' metas, oldest first.
func (s *blockSet) metas() []block.Meta {
	s.mu.RLock()
	defer s.mu.RUnlock()
	metas := make([]block.Meta, len(s.blocks))
	for i, b := range s.blocks {
		metas[i] = b.Meta()
	}
	return metas
}

// maxTime returns the newest sample time of any block.
func (s *blockSet) maxTime() (int64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var maxt int64
	for i, b := range s.blocks {
		if m := b.Meta(); i == 0 || m.MaxT > maxt {
			maxt = m.MaxT
		}
	}
	return maxt, len(s.blocks) > 0
}

// size returns the bytes on disk of every block.
func (s *blockSet) size() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var n int64
	for _, b := range s.blocks {
		n += b.Size()
	}
	return n
}

// querier merges the queriers of the blocks that overlap [mint, maxt] with
// head. With no block in range it returns head itself.
func (s *blockSet) querier(mint, maxt int64, head storage.Querier) (storage.Querier, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var qs []storage.Querier
	for _, b := range s.blocks {
		if m := b.Meta(); m.MaxT < mint || m.MinT > maxt {
			continue
		}
		q, err := b.Querier(mint, maxt)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("query block %s: %w", b.Meta().ID, err), closeQueriers(qs))
		}
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return head, nil
	}
	return storage.NewMergeQuerier(append(qs, head), nil, storage.ChainedSeriesMerge), nil
}

func closeQueriers(qs []storage.Querier) error {
	var errs []error
	for _, q := range qs {
		errs = append(errs, q.Close())
	}
	return errors.Join(errs...)
}

// closeAll closes every block and empties the set.
func (s *blockSet) closeAll() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := closeBlocks(s.blocks)
	s.blocks = nil
	return err
}
