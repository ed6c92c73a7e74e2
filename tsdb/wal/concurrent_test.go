package wal

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConcurrentLog(t *testing.T) {
	const writers, calls = 8, 250
	dir := t.TempDir()
	opts := Options{SegmentSize: 16 << 10, SyncInterval: time.Millisecond}
	l, _ := openCollect(t, dir, opts)
	want := make([][]string, writers) // per writer: "call part" in the order logged
	var wg sync.WaitGroup
	for w := range writers {
		for i := range calls {
			want[w] = append(want[w], fmt.Sprintf("%d a", i))
			if i%3 == 0 {
				want[w] = append(want[w], fmt.Sprintf("%d b", i))
			}
		}
		wg.Go(func() {
			for i := range calls {
				recs := [][]byte{fmt.Appendf(nil, "%d %d a", w, i)}
				if i%3 == 0 {
					recs = append(recs, append(fmt.Appendf(nil, "%d %d b ", w, i), textBytes(uint64(i), 500)...))
				}
				if err := l.Log(recs...); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, l.Close())
	require.Greater(t, len(segmentSizes(t, dir)), 5, "writers must have rolled segments")

	got := make([][]string, writers)
	for _, rec := range replayAll(t, dir, opts) {
		f := bytes.SplitN(rec, []byte(" "), 4)
		var w int
		_, err := fmt.Sscan(string(f[0]), &w)
		require.NoError(t, err)
		got[w] = append(got[w], string(f[1])+" "+string(f[2]))
	}
	require.Equal(t, want, got, "every record once, each writer's in call order")
}
