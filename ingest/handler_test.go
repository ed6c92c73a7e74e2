package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/prompb"

	"github.com/vigilsre/vigil/tsdb"
)

var testTime = time.UnixMilli(testNow)

// request is one push to a handler.
type request struct {
	method, path string
	body         []byte
	header       map[string]string
	chunked      bool // no Content-Length
}

func (r request) serve(h *Handler) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	h.Register(mux)
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	req := httptest.NewRequest(method, r.path, bytes.NewReader(r.body))
	if r.chunked {
		req.ContentLength = -1
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

func newTestHandler(app Appender, reg prometheus.Registerer) *Handler {
	return NewHandler(app, Options{MaxBodyBytes: 1024, Registerer: reg, Now: func() time.Time { return testTime },
		Logger: slog.New(slog.DiscardHandler)})
}

func rwRequest(t *testing.T, series ...prompb.TimeSeries) request {
	return request{path: WritePath, body: remoteWriteBody(t, writeRequest(series))}
}

func textRequest(body string) request {
	return request{path: ImportPath, body: []byte(body)}
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestHandlerRefuses checks that each kind of bad request is answered with
// its status and a message naming the problem, and that nothing reaches the
// store.
func TestHandlerRefuses(t *testing.T) {
	big := strings.Repeat("x", 2000)
	cases := []struct {
		name string
		req  request
		code int
		msg  string
	}{
		{"bad snappy", request{path: WritePath, body: []byte("not snappy")}, 400, "decode snappy: s2: corrupt input"},
		{"bad protobuf", request{path: WritePath, body: snappy.Encode(nil, []byte{0x0a, 0x05, 0x01})}, 400,
			"decode remote-write protobuf: WriteRequest field 1: length runs past the end of the message"},
		{"bad text line", textRequest("a 1\nb 2\nc{x=} 3\n"), 400, `line 3: expected a quoted value for label "x" in "c{x=} 3"`},
		{"invalid metric name", rwRequest(t, ts([]string{"__name__", "a-b"}, 1, 1)), 400, `invalid metric name "a-b" in series {__name__="a-b"}`},
		{"invalid metric name, text", textRequest("a-b 1\n"), 400, `line 1: invalid metric name "a-b" in series a-b`},
		{"invalid label name", rwRequest(t, ts([]string{"__name__", "a", "b-c", "1"}, 1, 1)), 400, `invalid label name "b-c" in series a{"b-c"="1"}`},
		{"duplicate label name", rwRequest(t, ts([]string{"__name__", "a", "b", "1", "b", "2"}, 1, 1)), 400, `duplicate label name "b" in series a{b="1", b="2"}`},
		{"empty label set", rwRequest(t, ts([]string{"b", ""}, 1, 1)), 400, `empty label set (labels with empty values count as absent) in series {b=""}`},
		{"invalid UTF-8", textRequest("a{b=\"\xc3\x28\"} 1\n"), 400, `line 1: invalid UTF-8 in the value of label b: "\xc3(" in series a{b="\xc3("}`},
		{"invalid UTF-8, remote write", rwRequest(t, ts([]string{"__name__", "a", "b", "\xff"}, 1, 1)), 400, `invalid UTF-8 in the value of label b: "\xff" in series a{b="\xff"}`},
		{"one bad series refuses the request", rwRequest(t, ts([]string{"__name__", "ok"}, 1, 1), ts([]string{"__name__", "1x"}, 1, 1)), 400,
			`invalid metric name "1x" in series {__name__="1x"}`},
		{"over the limit", textRequest(big), 413, "request body too large: the body is 2000 bytes, over the limit of 1024 bytes"},
		{"over the limit, chunked", request{path: ImportPath, body: []byte(big), chunked: true}, 413,
			"request body too large: the body is over the limit of 1024 bytes"},
		{"decompresses over the limit, snappy", request{path: WritePath, body: snappy.Encode(nil, []byte(big))}, 413,
			"request body too large: the remote-write body decompresses to 2000 bytes, over the limit of 1024 bytes"},
		{"decompresses over the limit, gzip", request{path: ImportPath, body: gzipped(t, big), header: map[string]string{"Content-Encoding": "gzip"}}, 413,
			"request body too large: the body decompresses to more than the limit of 1024 bytes"},
		{"bad gzip", request{path: ImportPath, body: []byte("up 1\ndown 0\n"), header: map[string]string{"Content-Encoding": "gzip"}}, 400,
			"read gzip body: gzip: invalid header"},
		{"truncated gzip", request{path: ImportPath, body: gzipped(t, "up 1\n")[:15], header: map[string]string{"Content-Encoding": "gzip"}}, 400,
			"read gzip body: unexpected EOF"},
		{"unknown encoding", request{path: ImportPath, body: []byte("up 1\n"), header: map[string]string{"Content-Encoding": "br"}}, 415,
			`unsupported encoding: Content-Encoding "br"; send identity or gzip`},
		{"remote write 2.0", request{path: WritePath, body: []byte{}, header: map[string]string{"Content-Type": "application/x-protobuf;proto=io.prometheus.write.v2.Request"}}, 415,
			"unsupported encoding: remote write 2.0 is not supported; send remote write 1.0 (prometheus.WriteRequest)"},
		{"wrong method", request{method: http.MethodGet, path: WritePath}, 405, "Method Not Allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := &fakeAppender{}
			rec := tc.req.serve(newTestHandler(app, nil))
			if rec.Code != tc.code || strings.TrimSuffix(rec.Body.String(), "\n") != tc.msg {
				t.Errorf("answer %d %q\nwant   %d %q", rec.Code, rec.Body.String(), tc.code, tc.msg)
			}
			if !utf8.Valid(rec.Body.Bytes()) {
				t.Errorf("body %q is not valid UTF-8", rec.Body.Bytes())
			}
			if calls := app.calls(); len(calls) != 0 {
				t.Errorf("the store got %q", calls)
			}
		})
	}
}

func TestHandlerStores(t *testing.T) {
	cases := []struct {
		name string
		req  request
		want string
	}{
		{"remote write", rwRequest(t, ts([]string{"__name__", "up", "job", "a"}, 1000, 1, 2000, 1), ts([]string{"__name__", "x"}, 5, 2.5)),
			"{__name__=\"up\", job=\"a\"} 1000:1 2000:1\n{__name__=\"x\"} 5:2.5\n"},
		{"text, missing timestamps get Options.Now", textRequest("# TYPE up gauge\nup{job=\"a\"} 1\nup{job=\"a\"} 0 1000\n"),
			"{__name__=\"up\", job=\"a\"} 1700000000000:1 1000:0\n"},
		{"text, gzip", request{path: ImportPath, body: gzipped(t, "up 1 5\n"), header: map[string]string{"Content-Encoding": "gzip"}},
			"{__name__=\"up\"} 5:1\n"},
		{"remote write, explicit snappy", request{path: WritePath, body: remoteWriteBody(t, writeRequest([]prompb.TimeSeries{ts([]string{"__name__", "a"}, 1, 1)})),
			header: map[string]string{"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"}}, "{__name__=\"a\"} 1:1\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := &fakeAppender{}
			rec := tc.req.serve(newTestHandler(app, nil))
			if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
				t.Fatalf("answer %d %q, want 204", rec.Code, rec.Body.String())
			}
			calls := app.calls()
			if len(calls) != 1 || calls[0] != tc.want {
				t.Fatalf("the store got %q, want [%q]", calls, tc.want)
			}
			if got, want := rec.Header().Get(SamplesWrittenHeader), strings.Count(tc.want, ":"); got != strconv.Itoa(want) {
				t.Errorf("%s: %s, want %d", SamplesWrittenHeader, got, want)
			}
		})
	}
}

func TestHandlerEmptyRequestSkipsTheStore(t *testing.T) {
	app := &fakeAppender{}
	rec := textRequest("# nothing\n").serve(newTestHandler(app, nil))
	if rec.Code != http.StatusNoContent || len(app.calls()) != 0 {
		t.Fatalf("answer %d, store calls %d; want 204, 0", rec.Code, len(app.calls()))
	}
}

func TestHandlerPartialRejection(t *testing.T) {
	h := prompb.Histogram{Count: &prompb.Histogram_CountInt{CountInt: 1}, Timestamp: 1}
	withHistograms := ts([]string{"__name__", "h"}, 1, 1)
	withHistograms.Histograms = []prompb.Histogram{h, h}
	cases := []struct {
		name string
		res  tsdb.AppendResult
		req  request
		msg  string
	}{
		{"store rejections",
			tsdb.AppendResult{Appended: 8, Duplicates: 1, OutOfOrder: 2, Conflicts: 1, FirstError: errors.New(`out of order sample for series {__name__="a"} at 5`)},
			rwRequest(t, ts([]string{"__name__", "a"}, 1, 1)),
			`stored 8 samples; rejected 3: 2 out of order, 1 conflicting values; first: out of order sample for series {__name__="a"} at 5`},
		{"native histograms",
			tsdb.AppendResult{Appended: 1},
			rwRequest(t, withHistograms),
			"stored 1 samples; rejected 2: 0 out of order, 0 conflicting values, 2 native histograms; first: native histograms are not supported yet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.req.serve(newTestHandler(&fakeAppender{res: tc.res}, nil))
			if rec.Code != http.StatusBadRequest || strings.TrimSuffix(rec.Body.String(), "\n") != tc.msg {
				t.Errorf("answer %d %q\nwant   400 %q", rec.Code, rec.Body.String(), tc.msg)
			}
			if got := rec.Header().Get(SamplesWrittenHeader); got != strconv.Itoa(tc.res.Appended) {
				t.Errorf("%s: %s, want %d", SamplesWrittenHeader, got, tc.res.Appended)
			}
		})
	}
}

func TestHandlerStorageFailure(t *testing.T) {
	app := &fakeAppender{err: errors.New("write wal segment 3: no space left on device")}
	rec := textRequest("up 1\n").serve(newTestHandler(app, nil))
	want := "store samples: write wal segment 3: no space left on device\n"
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
		t.Fatalf("answer %d %q, want 500 %q", rec.Code, rec.Body.String(), want)
	}
}

func TestHandlerMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	app := &fakeAppender{}
	h := newTestHandler(app, reg)
	textRequest("a 1\nb 2\n").serve(h)
	textRequest("a 1\nb x\nc 3\n").serve(h) // invalid: 3 samples refused
	app.res = tsdb.AppendResult{Appended: 1, OutOfOrder: 1, Conflicts: 2, FirstError: errors.New("x")}
	withHistogram := ts([]string{"__name__", "h"}, 1, 1)
	withHistogram.Histograms = []prompb.Histogram{{Timestamp: 1}}
	rwRequest(t, withHistogram).serve(h)
	want := `
# HELP vigil_ingest_requests_total Push requests, by endpoint and HTTP status code.
# TYPE vigil_ingest_requests_total counter
vigil_ingest_requests_total{code="204",handler="/api/v1/import/prometheus"} 1
vigil_ingest_requests_total{code="400",handler="/api/v1/import/prometheus"} 1
vigil_ingest_requests_total{code="400",handler="/api/v1/write"} 1
# HELP vigil_ingest_samples_total Samples stored by push requests.
# TYPE vigil_ingest_samples_total counter
vigil_ingest_samples_total{handler="/api/v1/import/prometheus"} 2
vigil_ingest_samples_total{handler="/api/v1/write"} 1
vigil_ingest_samples_total{handler="/v1/metrics"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vigil_ingest_requests_total", "vigil_ingest_samples_total"); err != nil {
		t.Error(err)
	}
	rejected := map[[2]string]float64{
		{ImportPath, reasonInvalid}: 3, {WritePath, reasonOutOfOrder}: 1, {WritePath, reasonConflict}: 2,
		{WritePath, reasonNativeHistogram}: 1, {WritePath, reasonInvalid}: 0, {ImportPath, reasonOutOfOrder}: 0,
	}
	for k, want := range rejected {
		if got := testutil.ToFloat64(h.metrics.endpoints[endpointOf(k[0])].counter(k[1])); got != want {
			t.Errorf("rejected{handler=%q, reason=%q} = %v, want %v", k[0], k[1], got, want)
		}
	}
	if n := testutil.CollectAndCount(reg, "vigil_ingest_request_duration_seconds"); n != int(numEndpoints) {
		t.Errorf("%d duration histograms, want %d", n, numEndpoints)
	}
}

func endpointOf(path string) endpoint {
	if path == WritePath {
		return remoteWrite
	}
	return textImport
}

func (m *endpointMetrics) counter(reason string) prometheus.Counter {
	return map[string]prometheus.Counter{reasonOutOfOrder: m.outOfOrder, reasonConflict: m.conflict,
		reasonInvalid: m.invalid, reasonNativeHistogram: m.histograms}[reason]
}

func TestOptionsValidate(t *testing.T) {
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero Options: %v", err)
	}
	for n, want := range map[int64]string{
		-1:                    "ingest: max body bytes is -1; want 0 (default 33554432) to 1073741824",
		MaxBodyBytesLimit + 1: "ingest: max body bytes is 1073741825; want 0 (default 33554432) to 1073741824",
	} {
		if err := (Options{MaxBodyBytes: n}).Validate(); err == nil || err.Error() != want {
			t.Errorf("MaxBodyBytes %d: %v, want %q", n, err, want)
		}
	}
	if err := (Options{MaxBodyBytes: MaxBodyBytesLimit}).Validate(); err != nil {
		t.Errorf("MaxBodyBytes at the limit: %v", err)
	}
	if got := NewHandler(&fakeAppender{}, Options{MaxBodyBytes: 4 * MaxBodyBytesLimit}).opts.MaxBodyBytes; got != MaxBodyBytesLimit {
		t.Errorf("NewHandler took MaxBodyBytes over the limit as %d, want %d", got, MaxBodyBytesLimit)
	}
}

// TestHandlerConcurrent pushes from several goroutines through one handler,
// so that -race checks the pooled request contexts.
func TestHandlerConcurrent(t *testing.T) {
	app := &fakeAppender{}
	h := NewHandler(app, Options{Logger: slog.New(slog.DiscardHandler)})
	const workers, pushes = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range pushes {
				body := fmt.Sprintf("w%d{i=\"%d\"} %d %d\nw%d{i=\"%d\"} %d %d\n", w, i, i, i, w, i, i+1, i+1)
				if rec := textRequest(body).serve(h); rec.Code != http.StatusNoContent {
					t.Errorf("answer %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	wg.Wait()
	want := map[string]bool{}
	for w := range workers {
		for i := range pushes {
			want[fmt.Sprintf("{__name__=\"w%d\", i=\"%d\"} %d:%d %d:%d\n", w, i, i, i, i+1, i+1)] = true
		}
	}
	calls := app.calls()
	for _, c := range calls {
		if !want[c] {
			t.Errorf("unexpected batch %q", c)
		}
		delete(want, c)
	}
	if len(want) != 0 {
		t.Errorf("%d batches missing", len(want))
	}
}

func TestRequestCtxPoolCaps(t *testing.T) {
	cases := []struct {
		name string
		ctx  requestCtx
		want bool
	}{
		{"small", requestCtx{body: make([]byte, 0, 1024)}, true},
		{"large body", requestCtx{body: make([]byte, 0, maxPooledBytes+1)}, false},
		{"large decompressed body", requestCtx{dec: decoder{plain: make([]byte, 0, maxPooledBytes+1)}}, false},
		{"many series", requestCtx{batch: tsdb.Batch{Series: make([]tsdb.BatchSeries, 0, maxPooledSeries+1)}}, false},
		{"many samples", requestCtx{batch: tsdb.Batch{Series: []tsdb.BatchSeries{{Samples: make([]tsdb.Sample, 0, maxPooledSamples+1)}}}}, false},
	}
	for _, tc := range cases {
		if got := tc.ctx.reusable(); got != tc.want {
			t.Errorf("%s: reusable %v, want %v", tc.name, got, tc.want)
		}
	}
}
