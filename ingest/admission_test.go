package ingest

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vigilsre/vigil/tsdb"
)

func TestAdmissionRequests(t *testing.T) {
	a := newAdmission(3, 1<<20)
	for i := range 3 {
		if err := a.acquire(); err != nil {
			t.Fatalf("slot %d: %v", i+1, err)
		}
	}
	err := a.acquire()
	want := "too many push requests in flight: 3 push requests are in flight, the limit (ingest.max_inflight_requests); retry later"
	if !errors.Is(err, ErrOverloaded) || err.Error() != want {
		t.Fatalf("4th slot: %v, want %q", err, want)
	}
	if n, _ := a.inflight(); n != 3 {
		t.Fatalf("%d requests in flight after a refusal, want 3", n)
	}
	a.release(0)
	if err := a.acquire(); err != nil {
		t.Fatalf("slot after a release: %v", err)
	}
}

func TestAdmissionBytes(t *testing.T) {
	a := newAdmission(10, 100)
	var first, second int64
	if err := a.reserve(&first, 60); err != nil {
		t.Fatal(err)
	}
	if err := a.reserve(&second, 40); err != nil {
		t.Fatalf("up to the limit: %v", err)
	}
	if err := a.reserve(&second, 1); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("one byte over the limit: %v, want ErrOverloaded", err)
	}
	a.release(first)
	if err := a.reserve(&second, 500); err != nil {
		t.Fatalf("alone, over the limit: %v; a request alone must go through", err)
	}
	if _, n := a.inflight(); n != 540 || second != 540 {
		t.Fatalf("in flight %d, own %d; want 540, 540", n, second)
	}
	if err := a.reserve(&first, 1); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("another request while one is over the limit: %v, want ErrOverloaded", err)
	}
}

// blockingAppender holds every AppendBatch until release is closed, and
// says on entered when one has started.
type blockingAppender struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingAppender) AppendBatch(batch *tsdb.Batch) (tsdb.AppendResult, error) {
	select {
	case b.entered <- struct{}{}:
	case <-b.release: // released: nobody waits on entered any more
	}
	<-b.release
	return tsdb.AppendResult{Appended: batch.Samples()}, nil
}

// holdRequests starts n text pushes on h that block in the appender, and
// returns when all are inside it; wait waits for their answers.
func holdRequests(t *testing.T, h *Handler, app *blockingAppender, n int) (wait func() []int) {
	t.Helper()
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i] = textRequest("a 1\n").serve(h).Code })
		<-app.entered
	}
	return func() []int { wg.Wait(); return codes }
}

func TestHandlerMaxInflightRequests(t *testing.T) {
	app := &blockingAppender{entered: make(chan struct{}), release: make(chan struct{})}
	reg := prometheus.NewRegistry()
	h := NewHandler(app, Options{MaxInflightRequests: 2, Registerer: reg, Logger: slog.New(slog.DiscardHandler)})
	wait := holdRequests(t, h, app, 2)

	body := &countingReader{r: strings.NewReader("b 1\n")}
	rec := httptest.NewRecorder()
	mux := http.NewServeMux()
	h.Register(mux)
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, ImportPath, body))
	want := "too many push requests in flight: 2 push requests are in flight, the limit (ingest.max_inflight_requests); retry later\n"
	if rec.Code != http.StatusTooManyRequests || rec.Body.String() != want || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("3rd request: %d %q Retry-After %q; want 429 %q Retry-After 1", rec.Code, rec.Body.String(), rec.Header().Get("Retry-After"), want)
	}
	if body.n != 0 {
		t.Fatalf("the refused request's body was read (%d bytes)", body.n)
	}
	close(app.release)
	for i, code := range wait() {
		if code != http.StatusNoContent {
			t.Errorf("held request %d: %d, want 204", i, code)
		}
	}
	if rec := textRequest("c 1\n").serve(h); rec.Code != http.StatusNoContent {
		t.Fatalf("after the release: %d %q, want 204", rec.Code, rec.Body.String())
	}
	if got := testutil.ToFloat64(h.metrics.requests.WithLabelValues(ImportPath, "429")); got != 1 {
		t.Errorf("requests_total{code=429} = %v, want 1", got)
	}
}

func TestHandlerMaxInflightBytes(t *testing.T) {
	app := &blockingAppender{entered: make(chan struct{}), release: make(chan struct{})}
	h := NewHandler(app, Options{MaxInflightBytes: 10, Logger: slog.New(slog.DiscardHandler)})
	wait := holdRequests(t, h, app, 1) // holds 4 bytes ("a 1\n")

	for _, req := range []request{
		{path: ImportPath, body: []byte("abc 1\n\n")},                // 4+7 > 10, refused on Content-Length
		{path: ImportPath, body: []byte("abc 1\n\n"), chunked: true}, // refused as read
	} {
		rec := req.serve(h)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" ||
			!strings.Contains(rec.Body.String(), "(ingest.max_inflight_bytes)") {
			t.Fatalf("chunked %v: %d %q, want 429 naming ingest.max_inflight_bytes", req.chunked, rec.Code, rec.Body.String())
		}
	}
	close(app.release)
	wait()
	if rec := textRequest("abcdefghijklmn 1\n").serve(h); rec.Code != http.StatusNoContent {
		t.Fatalf("alone, over the limit: %d %q, want 204", rec.Code, rec.Body.String())
	}
	if _, n := h.adm.inflight(); n != 0 {
		t.Fatalf("%d bytes still reserved after every request ended", n)
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r *strings.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
