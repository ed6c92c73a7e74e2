package wal

import (
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
