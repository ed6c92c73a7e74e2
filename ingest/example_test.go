package ingest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vigilsre/vigil/ingest"
	"github.com/vigilsre/vigil/tsdb"
)

func ExampleParseText() {
	body := []byte(`# TYPE http_requests_total counter
http_requests_total{code="200",path="/"} 1027 1700000000000
http_requests_total{code="500",path="/"} 3
`)
	var b tsdb.Batch
	if err := ingest.ParseText(&b, body, 1700000001000); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range b.Series {
		fmt.Println(s.Labels, s.Samples)
	}

	err := ingest.ParseText(&b, []byte("up 1\ncpu{0x=\"1\"} 1\n"), 0)
	fmt.Println(err)
	// Output:
	// {__name__="http_requests_total", code="200", path="/"} [{1700000000000 1027}]
	// {__name__="http_requests_total", code="500", path="/"} [{1700000001000 3}]
	// line 2: invalid label name "0x" in series cpu{0x="1"}
}

// printer is an Appender that prints what it would store.
type printer struct{}

func (printer) AppendBatch(b *tsdb.Batch) (tsdb.AppendResult, error) {
	for _, s := range b.Series {
		fmt.Println("store", s.Labels, s.Samples)
	}
	return tsdb.AppendResult{Appended: b.Samples()}, nil
}

func ExampleHandler() {
	mux := http.NewServeMux()
	ingest.NewHandler(printer{}, ingest.Options{}).Register(mux)

	req := httptest.NewRequest(http.MethodPost, ingest.ImportPath, strings.NewReader("up{job=\"api\"} 1 1000\n"))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get(ingest.SamplesWrittenHeader))
	// Output:
	// store {__name__="up", job="api"} [{1000 1}]
	// 204 1
}
