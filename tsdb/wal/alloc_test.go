package wal

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLogAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items, so Log allocates")
	}
	for _, tc := range []struct {
		name string
		recs [][]byte
	}{
		{"2KiB labels record", [][]byte{textBytes(1, 2048)}},
		{"2KiB random record", [][]byte{randomBytes(1, 2048)}},
		{"series and samples records", [][]byte{textBytes(2, 300), randomBytes(2, 1700)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Interval mode keeps fsync, and its syscall bookkeeping, out of Log.
			l, _ := openCollect(t, t.TempDir(), Options{SyncInterval: time.Hour})
			for range 10 { // warm the buffer pools
				require.NoError(t, l.Log(tc.recs...))
			}
			allocs := testing.AllocsPerRun(1000, func() {
				if err := l.Log(tc.recs...); err != nil {
					t.Fatal(err)
				}
			})
			require.Zero(t, allocs, "allocations per Log")
			require.NoError(t, l.Close())
		})
	}
}

// TestGroupCommitAllocs pins the fsync-per-call path: Log, its fsync and
// the wait for it, alone and with other callers waiting on the same fsync,
// allocate nothing. The other callers are long-lived goroutines started by
// channel, so that only Log's own allocations are counted.
func TestGroupCommitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items, so Log allocates")
	}
	recs := [][]byte{textBytes(2, 300), randomBytes(2, 1700)}
	l, _ := openCollect(t, t.TempDir(), Options{})
	const others = 3
	start, done := make(chan struct{}), make(chan error)
	for range others {
		go func() {
			for range start {
				done <- l.Log(recs...)
			}
		}()
	}
	defer close(start)
	call := func() {
		for range others {
			start <- struct{}{}
		}
		err := l.Log(recs...)
		for range others {
			err = errors.Join(err, <-done)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 10 { // warm the buffer pools
		call()
	}
	require.Zero(t, testing.AllocsPerRun(200, call), "allocations per round of concurrent Log calls")
	require.NoError(t, l.Close())
}
