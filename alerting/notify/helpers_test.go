package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

// t0 is the time the test alerts start firing.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// stub stands in for a receiver's HTTP endpoint on 127.0.0.1. It records
// every request and answers with the scripted statuses in turn, then 202.
type stub struct {
	srv *httptest.Server

	mu       sync.Mutex
	reqs     []stubRequest
	statuses []int
	fallback int           // status after the script; 0 means 202
	hold     chan struct{} // when set, requests wait for it to close
}

// stubRequest is what a stub received.
type stubRequest struct {
	method, path, contentType, body string
}

func newStub(t *testing.T, statuses ...int) *stub {
	s := &stub{statuses: statuses}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stub) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, stubRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(body)})
	status, hold := http.StatusAccepted, s.hold
	if s.fallback != 0 {
		status = s.fallback
	}
	if len(s.statuses) > 0 {
		status, s.statuses = s.statuses[0], s.statuses[1:]
	}
	s.mu.Unlock()
	if hold != nil {
		<-hold
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status == http.StatusAccepted {
		_, _ = io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"x"}`)
		return
	}
	_, _ = io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid","errors":["'routing_key' is invalid"]}`)
}

// requests returns a copy of the requests received so far.
func (s *stub) requests() []stubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubRequest(nil), s.reqs...)
}

// bodies returns the bodies of the requests received so far.
func (s *stub) bodies() []string {
	var bs []string
	for _, r := range s.requests() {
		bs = append(bs, r.body)
	}
	return bs
}

// holdRequests makes requests wait until the returned function is called.
func (s *stub) holdRequests() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer is a bytes.Buffer safe for concurrent use, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// harness is a Notifier under test with its logs and metrics.
type harness struct {
	n      *Notifier
	reg    *prometheus.Registry
	logs   *syncBuffer
	clock  *clock
	cancel context.CancelFunc
	done   chan struct{}
}

// newHarness builds a Notifier for opts with a settable clock, captured logs
// and millisecond backoff; start runs it.
func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{reg: prometheus.NewRegistry(), logs: &syncBuffer{}, clock: &clock{t: t0.Add(time.Minute)}}
	opts.Registerer = h.reg
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Now = h.clock.Now
	n, err := New(opts)
	require.NoError(t, err)
	for _, r := range n.receivers {
		r.retry.base, r.retry.max = time.Millisecond, 4*time.Millisecond
		r.retry.jitter = func() float64 { return 1 }
	}
	h.n = n
	return h
}

// start runs the Notifier until the test ends (or stop).
func (h *harness) start(t *testing.T) *harness {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		h.n.Run(ctx)
	}()
	t.Cleanup(func() { h.stop(t) })
	return h
}

// stop cancels Run and waits for it to return.
func (h *harness) stop(t *testing.T) {
	h.cancel()
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
}

// waitIdle waits until every notification handed to Notify was dispatched
// and every receiver's queue is empty with nothing in flight.
func (h *harness) waitIdle(t *testing.T) {
	t.Helper()
	waitFor(t, "notifier idle", h.n.idle)
}

// idle reports whether n has nothing to dispatch or send.
func (n *Notifier) idle() bool {
	if n.busy.Load() != 0 {
		return false
	}
	for _, r := range n.receivers {
		r.mu.Lock()
		busy := r.queue.len() > 0 || r.inflight != ""
		r.mu.Unlock()
		if busy {
			return false
		}
	}
	return true
}

// metric reads a counter or gauge of the harness' registry.
func (h *harness) metric(t *testing.T, name string, lvs ...string) float64 {
	t.Helper()
	var vec prometheus.Collector
	switch name {
	case "sent":
		vec = h.n.metrics.sent.WithLabelValues(lvs...)
	case "failed":
		vec = h.n.metrics.failed.WithLabelValues(lvs...)
	case "attempts":
		vec = h.n.metrics.attempts.WithLabelValues(lvs...)
	case "dropped":
		vec = h.n.metrics.dropped.WithLabelValues(lvs...)
	case "queue":
		vec = h.n.metrics.queueLength.WithLabelValues(lvs...)
	default:
		t.Fatalf("unknown metric %s", name)
	}
	return testutil.ToFloat64(vec)
}

// waitFor polls cond every few milliseconds for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// firing returns a firing notification with labels ls (name, value pairs).
func firing(ls ...string) alerting.Notification {
	return alerting.Notification{
		Labels:       labels.FromStrings(ls...),
		Annotations:  labels.FromStrings("summary", "it broke"),
		StartsAt:     t0,
		Value:        1,
		GeneratorURL: "http://vigil.test:9096/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
	}
}

// suppressedBy returns n firing, suppressed by causes.
func suppressedBy(n alerting.Notification, causes ...string) alerting.Notification {
	n.State, n.Suppressed, n.CausedBy = "firing", true, causes
	return n
}

// resolvedAt returns n resolved at t.
func resolvedAt(n alerting.Notification, t time.Time) alerting.Notification {
	n.EndsAt = t
	return n
}

// normJSON re-encodes JSON documents with sorted keys and no spaces, so
// documents that differ only in layout compare equal.
func normJSON(t *testing.T, docs ...string) []string {
	t.Helper()
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		var v any
		require.NoError(t, json.Unmarshal([]byte(d), &v), d)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

// alertNames returns the alertname label of every PagerDuty event body.
func alertNames(t *testing.T, bodies []string) []string {
	t.Helper()
	var names []string
	for _, b := range bodies {
		var ev struct {
			Payload struct {
				CustomDetails struct {
					Labels map[string]string `json:"labels"`
				} `json:"custom_details"`
			} `json:"payload"`
		}
		require.NoError(t, json.Unmarshal([]byte(b), &ev))
		names = append(names, ev.Payload.CustomDetails.Labels["alertname"])
	}
	return names
}

// failWith makes s answer status once its script is exhausted.
func (s *stub) failWith(status int) {
	s.mu.Lock()
	s.fallback = status
	s.mu.Unlock()
}
