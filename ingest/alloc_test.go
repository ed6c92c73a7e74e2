package ingest

import (
	"testing"

	"github.com/vigilsre/vigil/tsdb"
)

// The decoders allocate a series' label set and nothing else: no
// allocation per sample, and a fixed budget per new series.
const allocsPerSeries = 1

func TestDecodeRemoteWriteAllocs(t *testing.T) {
	for _, tc := range []struct{ series, samples int }{{100, 10}, {100, 100}, {200, 10}} {
		body := remoteWriteBody(t, writeRequest(testSeries(tc.series, tc.samples, 0)))
		got := allocs(t, func(b *tsdb.Batch) error { return DecodeRemoteWrite(b, body) })
		if max := float64(tc.series * allocsPerSeries); got > max {
			t.Errorf("%d series × %d samples: %.0f allocations, want at most %.0f", tc.series, tc.samples, got, max)
		}
	}
}

func TestParseTextAllocs(t *testing.T) {
	for _, tc := range []struct {
		series, samples int
		seriesMajor     bool
	}{{100, 10, true}, {100, 100, true}, {200, 10, true}, {100, 10, false}} {
		body := textBody(testSeries(tc.series, tc.samples, 0), tc.seriesMajor)
		got := allocs(t, func(b *tsdb.Batch) error { return ParseText(b, body, testNow) })
		if max := float64(tc.series * allocsPerSeries); got > max {
			t.Errorf("%d series × %d samples (series-major %v): %.0f allocations, want at most %.0f",
				tc.series, tc.samples, tc.seriesMajor, got, max)
		}
	}
}

// allocs returns the allocations of one decode into a reused batch, after a
// warm-up.
func allocs(t *testing.T, decode func(*tsdb.Batch) error) float64 {
	t.Helper()
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects at random")
	}
	var b tsdb.Batch
	run := func() {
		b.Reset()
		if err := decode(&b); err != nil {
			t.Fatal(err)
		}
	}
	run()
	return testing.AllocsPerRun(50, run)
}
