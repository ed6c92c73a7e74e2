//go:build !race

package tsdb

// raceEnabled is set under -race, where sync.Pool drops items on purpose and
// allocation counts mean nothing.
const raceEnabled = false
