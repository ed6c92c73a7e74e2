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

// TestTextRequestAllocs pins the whole text path of known series — read,
// parse, series cache, append, WAL — at a fixed number of allocations per
// request: the same for 5 times the lines and for twice the series, so none
// per sample and none per known series (without the cache, each series
// allocates its label set in every request). See TestRemoteWriteRequestAllocs
// for the warm-up.
func TestTextRequestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects at random")
	}
	perRequest := map[[2]int]float64{}
	for _, tc := range [][2]int{{200, 1}, {200, 5}, {400, 1}} {
		perRequest[tc] = textRequestAllocs(t, tc[0], tc[1])
	}
	base := perRequest[[2]int{200, 1}]
	if base > maxAllocsPerRequest {
		t.Errorf("%.0f allocations per request, want at most %d", base, maxAllocsPerRequest)
	}
	for tc, n := range perRequest {
		if n != base {
			t.Errorf("%d series × %d lines: %.0f allocations per request; 200 × 1: %.0f", tc[0], tc[1], n, base)
		}
	}
}

// textRequestAllocs pushes text requests of series × samples lines of known
// series into a store and returns the allocations of one, after a warm-up.
func textRequestAllocs(t *testing.T, series, samples int) float64 {
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
	enc := newTextEncoder(testSeries(series, samples, 0))
	for range warm/samples + runs + 1 { // warm-up, runs, and AllocsPerRun's own
		reqs = append(reqs, httptest.NewRequest(http.MethodPost, ImportPath, bytes.NewReader(bytes.Clone(enc.next()))))
		recs = append(recs, httptest.NewRecorder())
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
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // see requestAllocs
	return testing.AllocsPerRun(runs, push)
}
