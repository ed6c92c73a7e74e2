package ingest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"testing"
	"time"

	"github.com/vigilsre/vigil/tsdb"
)

// TestRemoteWriteRequestAllocs pins the whole remote-write path of known
// series — read, snappy, decode, series cache, append, WAL — at a fixed
// number of allocations per request: the same for 5 times the samples and
// for twice the series, so none per sample and none per known series. (The
// store copies a chunk when it closes it, once per 120 samples of a
// series: the warm-up fills each series' first chunk, and the requests
// measured stay inside the second, whose buffer is the first one's.)
func TestRemoteWriteRequestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects at random")
	}
	perRequest := map[[2]int]float64{}
	for _, tc := range [][2]int{{200, 1}, {200, 5}, {400, 1}} {
		perRequest[tc] = requestAllocs(t, tc[0], tc[1])
	}
	base := perRequest[[2]int{200, 1}]
	if base > maxAllocsPerRequest {
		t.Errorf("%.0f allocations per request, want at most %d", base, maxAllocsPerRequest)
	}
	for tc, n := range perRequest {
		if n != base {
			t.Errorf("%d series × %d samples: %.0f allocations per request; 200 × 1: %.0f", tc[0], tc[1], n, base)
		}
	}
}

// maxAllocsPerRequest is what net/http's test request and recorder and the
// handler's bookkeeping allocate, whatever the request holds.
const maxAllocsPerRequest = 10

// requestAllocs pushes requests of series × samples known series into a
// store and returns the allocations of one, after a warm-up.
func requestAllocs(t *testing.T, series, samples int) float64 {
	db, err := tsdb.Open(tsdb.Options{Dir: t.TempDir(), WALSyncInterval: time.Hour, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer db.Close()
	mux := http.NewServeMux()
	NewHandler(db, Options{Logger: slog.New(slog.DiscardHandler)}).Register(mux)
	const runs, warm = 20, 130 // 130 samples: one chunk closed, the next begun
	var reqs []*http.Request
	var recs []*httptest.ResponseRecorder
	add := func(body []byte) {
		reqs = append(reqs, httptest.NewRequest(http.MethodPost, WritePath, bytes.NewReader(bytes.Clone(body))))
		recs = append(recs, httptest.NewRecorder())
	}
	enc := newRequestEncoder(testSeries(series, samples, 0))
	for range warm/samples + runs + 1 { // warm-up, runs, and AllocsPerRun's own
		add(enc.next())
	}
	next := 0
	push := func() {
		mux.ServeHTTP(recs[next], reqs[next])
		if recs[next].Code != http.StatusNoContent {
			t.Fatalf("answer %d %s", recs[next].Code, recs[next].Body)
		}
		next++
	}
	for range warm / samples {
		push() // creates the series, fills their first chunk; the cache learns them
	}
	// A collection empties the sync.Pools, whose objects then grow again:
	// count the path's allocations, not the collector's.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return testing.AllocsPerRun(runs, push)
}
