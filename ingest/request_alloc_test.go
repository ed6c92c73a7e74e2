package ingest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"

	"github.com/vigilsre/vigil/tsdb"
)

// TestKnownSeriesRequestAllocs pins the whole push path of known series —
// read, decode, series cache, append, WAL — at a fixed number of
// allocations per request, for remote write and for text: the same for 5
// times the samples and for twice the series, so none per sample and none
// per known series (without the cache, each series allocated its label set
// in every request). The store copies a chunk when it closes it, once per
// 120 samples of a series: the warm-up fills each series' first chunk, and
// the requests measured stay inside the second, whose buffer is the first
// one's.
func TestKnownSeriesRequestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects at random")
	}
	for _, format := range []struct {
		path    string
		encoder func([]prompb.TimeSeries) func() []byte
	}{
		{WritePath, func(s []prompb.TimeSeries) func() []byte { return newRequestEncoder(s).next }},
		{ImportPath, func(s []prompb.TimeSeries) func() []byte { return newTextEncoder(s).next }},
	} {
		perRequest := map[[2]int]float64{}
		for _, tc := range [][2]int{{200, 1}, {200, 5}, {400, 1}} {
			next := format.encoder(testSeries(tc[0], tc[1], 0))
			perRequest[tc] = requestAllocs(t, format.path, tc[1], next)
		}
		base := perRequest[[2]int{200, 1}]
		if base > maxAllocsPerRequest {
			t.Errorf("%s: %.0f allocations per request, want at most %d", format.path, base, maxAllocsPerRequest)
		}
		for tc, n := range perRequest {
			if n != base {
				t.Errorf("%s, %d series × %d samples: %.0f allocations per request; 200 × 1: %.0f", format.path, tc[0], tc[1], n, base)
			}
		}
	}
}

// maxAllocsPerRequest is what net/http's test request and recorder and the
// handler's bookkeeping allocate, whatever the request holds.
const maxAllocsPerRequest = 10

// requestAllocs pushes the bodies next encodes, of samples samples a series,
// to path of a handler in front of a store, and returns the allocations of
// one request after a warm-up.
func requestAllocs(t *testing.T, path string, samples int, next func() []byte) float64 {
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
	for range warm/samples + runs + 1 { // warm-up, runs, and AllocsPerRun's own
		reqs = append(reqs, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(bytes.Clone(next()))))
		recs = append(recs, httptest.NewRecorder())
	}
	i := 0
	push := func() {
		mux.ServeHTTP(recs[i], reqs[i])
		if recs[i].Code != http.StatusNoContent {
			t.Fatalf("answer %d %s", recs[i].Code, recs[i].Body)
		}
		i++
	}
	for range warm / samples {
		push() // creates the series, fills their first chunk; the cache learns them
	}
	// A collection empties the sync.Pools, whose objects then grow again:
	// count the path's allocations, not the collector's.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return testing.AllocsPerRun(runs, push)
}
