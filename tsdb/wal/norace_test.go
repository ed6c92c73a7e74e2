//go:build !race

package wal

// raceEnabled reports whether the race detector is on.
const raceEnabled = false
