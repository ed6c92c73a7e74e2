package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
	"github.com/stretchr/testify/require"
)

// fakeQueryServer takes markers by remote write and shows each one only
// from the visibleAfter-th query after its push on; before, a query sees
// the previous marker.
type fakeQueryServer struct {
	t            *testing.T
	visibleAfter int
	queryCode    int // when not 0, every query gets this status

	bulk *fakeWriter // keeps the pushes that are not markers

	mu      sync.Mutex
	phases  []string  // the phase label of each marker
	values  []float64 // the markers pushed, in order
	ts      []int64
	polls   int   // queries since the last push
	perPush []int // queries each marker took to show
	queries []string
}

func newFakeQueryServer(t *testing.T, visibleAfter int) (*fakeQueryServer, string) {
	s := &fakeQueryServer{t: t, visibleAfter: visibleAfter, bulk: &fakeWriter{t: t, series: map[string][]prompb.Sample{}}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/write", s.write)
	mux.HandleFunc("GET /api/v1/query", s.query)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *fakeQueryServer) write(w http.ResponseWriter, r *http.Request) {
	wr, err := decodeWrite(r)
	if err == nil && labelsOf(wr.Timeseries[0].Labels).Get("__name__") != DefaultMarkerName {
		s.bulk.store(wr)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil || len(wr.Timeseries) != 1 || len(wr.Timeseries[0].Samples) != 1 {
		s.t.Errorf("a marker push holds one sample: %v %v", wr, err)
		http.Error(w, "bad marker", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	smp := wr.Timeseries[0].Samples[0]
	s.phases = append(s.phases, labelsOf(wr.Timeseries[0].Labels).Get("phase"))
	s.values = append(s.values, smp.Value)
	s.ts = append(s.ts, smp.Timestamp)
	s.polls = 0
	w.WriteHeader(http.StatusNoContent)
}

func (s *fakeQueryServer) query(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries = append(s.queries, r.URL.Query().Get("query")+" @ "+r.URL.Query().Get("time"))
	if s.queryCode != 0 {
		http.Error(w, "bad query", s.queryCode)
		return
	}
	s.polls++
	n := len(s.values)
	if s.polls < s.visibleAfter {
		n-- // the last marker is not visible yet
	}
	if s.polls == s.visibleAfter {
		s.perPush = append(s.perPush, s.polls)
	}
	if n == 0 {
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
		return
	}
	fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d.%03d,"%g"]}]}}`,
		s.ts[n-1]/1000, s.ts[n-1]%1000, s.values[n-1])
}

func TestMeasureLatency(t *testing.T) {
	s, url := newFakeQueryServer(t, 3)
	var seen []int
	l, err := MeasureLatency(context.Background(), LatencyOptions{URL: url, Samples: 5, Phase: "idle", Gap: time.Microsecond,
		OnMarker: func(i int, d time.Duration) {
			require.Positive(t, d)
			seen = append(seen, i)
		}})
	require.NoError(t, err)
	require.Equal(t, 5, l.Markers)
	require.Zero(t, l.Timeouts)
	require.Equal(t, []int{0, 1, 2, 3, 4}, seen)
	require.Equal(t, []float64{1, 2, 3, 4, 5}, s.values)
	require.Equal(t, []int{3, 3, 3, 3, 3}, s.perPush, "each marker is polled until it shows, and no longer")
	require.Len(t, s.queries, 15)
	require.Regexp(t, `^vigil_bench_marker\{phase="idle",run="[0-9a-z]+"\} @ \d+\.\d{3}$`, s.queries[0])
	require.True(t, l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max && l.P50 > 0, "%+v", l)
	for i := 1; i < len(s.ts); i++ {
		require.Greater(t, s.ts[i], s.ts[i-1], "marker timestamps increase")
	}
}

func TestMeasureLatencyTimeout(t *testing.T) {
	_, url := newFakeQueryServer(t, 1_000_000)
	l, err := MeasureLatency(context.Background(), LatencyOptions{URL: url, Samples: 2, Timeout: 20 * time.Millisecond, Gap: time.Microsecond})
	require.NoError(t, err)
	timeout := 20 * time.Millisecond // a marker never seen counts at the timeout
	require.Equal(t, Latency{Markers: 2, Timeouts: 2, P50: timeout, P90: timeout, P99: timeout, Max: timeout}, l)
}

func TestMeasureLatencyQueryRefused(t *testing.T) {
	s, url := newFakeQueryServer(t, 1)
	s.queryCode = http.StatusBadRequest
	_, err := MeasureLatency(context.Background(), LatencyOptions{URL: url, Samples: 2})
	require.ErrorContains(t, err, "marker 1 of 2: query "+url+"/api/v1/query?query=vigil_bench_marker")
	require.ErrorContains(t, err, ": server answered 400 Bad Request: bad query")
}

func TestMeasureLatencyQueryURL(t *testing.T) {
	q, qurl := newFakeQueryServer(t, 1)
	w, wurl := newFakeQueryServer(t, 1)
	// The query server never saw a push, so it shows nothing: every
	// marker times out there, but the pushes went to the write server.
	l, err := MeasureLatency(context.Background(), LatencyOptions{URL: wurl, QueryURL: qurl, Samples: 2, Timeout: 5 * time.Millisecond, Gap: time.Microsecond})
	require.NoError(t, err)
	require.Equal(t, 2, l.Timeouts)
	require.Len(t, w.values, 2)
	require.Empty(t, w.queries)
	require.NotEmpty(t, q.queries)
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	require.Equal(t, Latency{Markers: 100, Timeouts: 3, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond,
		P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}, summarize(ds, 3))
	require.Equal(t, Latency{Markers: 1, P50: 7, P90: 7, P99: 7, Max: 7}, summarize([]time.Duration{7}, 0))
	require.Equal(t, Latency{Timeouts: 2}, summarize(nil, 2))
}

// TestRunLatency runs the whole of Run against the fake query server:
// the backfill, the latency idle, then under a background load whose
// series carry loadgen="background".
func TestRunLatency(t *testing.T) {
	s, url := newFakeQueryServer(t, 2)
	var progress syncBuffer
	o := Options{URL: url, Series: 20, Duration: time.Minute, LatencySamples: 4, BackgroundRate: 20_000,
		Progress: &progress, ProgressInterval: time.Millisecond, Latency: LatencyOptions{Gap: 5 * time.Millisecond}}
	res, err := Run(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, int64(120), res.Ingest.SamplesAccepted)
	l := res.Latency
	require.Equal(t, 4, l.Idle.Markers)
	require.Equal(t, 4, l.UnderLoad.Markers)
	require.Equal(t, 20_000.0, l.BackgroundRate)
	require.Equal(t, []string{"idle", "idle", "idle", "idle", "load", "load", "load", "load"}, s.phases)

	bg := 0
	for k, smp := range s.bulk.snapshot() {
		if strings.Contains(k, `loadgen="background"`) {
			bg += len(smp)
		}
	}
	require.Positive(t, bg, "the background load was pushed during the loaded measurement")
	require.Equal(t, int64(bg), l.Background.SamplesAccepted)
	require.Equal(t, int64(120+bg), int64(s.bulk.total()))
	require.Contains(t, progress.String(), "latency load")
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
