package tsdb

import (
	"fmt"
	"path/filepath"

	"github.com/vigilsre/vigil/tsdb/block"
)

// Hooks for the tests of package tsdb_test.

// BlocksDirForTest returns the directory the DB keeps its blocks in.
func (db *DB) BlocksDirForTest() string { return db.blocksDir() }

// AddBlockForTest opens the block id that a test wrote into the blocks
// directory and adds it to the blocks queries read, as a cut adds the block
// it writes. Unlike a cut, it leaves the head as it is.
func (db *DB) AddBlockForTest(id string) error {
	b, err := block.Open(filepath.Join(db.blocksDir(), id))
	if err != nil {
		return fmt.Errorf("add block %s: %w", id, err)
	}
	db.blocks.replace(nil, b)
	return nil
}
