//go:build race

package ingest

// raceEnabled: the race detector makes sync.Pool drop objects at random, so
// allocation counts through a pool are not meaningful.
const raceEnabled = true
