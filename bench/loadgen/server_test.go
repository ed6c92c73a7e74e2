package loadgen

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/prompb"
)

// fakeWriter is a remote-write receiver that keeps every sample, decoded
// with the reference decoder (prompb).
type fakeWriter struct {
	t *testing.T
	// answer, when set, picks the answer to request n (from 0): a status
	// code other than 2xx and its Retry-After, or 0 to store it.
	answer func(n int) (code int, retryAfter string)

	mu       sync.Mutex
	requests int
	series   map[string][]prompb.Sample // by labels, in arrival order
	sizes    []int                      // samples per stored request
}

// newFakeWriter starts a receiver on 127.0.0.1 and returns its base URL.
func newFakeWriter(t *testing.T) (*fakeWriter, string) {
	fw := &fakeWriter{t: t, series: map[string][]prompb.Sample{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/write", fw.write)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return fw, srv.URL
}

func (fw *fakeWriter) write(w http.ResponseWriter, r *http.Request) {
	fw.mu.Lock()
	n := fw.requests
	fw.requests++
	fw.mu.Unlock()
	if fw.answer != nil {
		if code, ra := fw.answer(n); code != 0 {
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			http.Error(w, "go away", code)
			return
		}
	}
	wr, err := decodeWrite(r)
	if err != nil {
		fw.t.Errorf("decode request %d: %v", n, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fw.store(wr)
	w.WriteHeader(http.StatusNoContent)
}

// decodeWrite checks the headers and decodes a remote-write body.
func decodeWrite(r *http.Request) (*prompb.WriteRequest, error) {
	if r.Header.Get("Content-Encoding") != "snappy" || r.Header.Get("Content-Type") != "application/x-protobuf" ||
		r.Header.Get("X-Prometheus-Remote-Write-Version") != "0.1.0" {
		return nil, io.ErrUnexpectedEOF
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	pb, err := snappy.Decode(nil, body)
	if err != nil {
		return nil, err
	}
	var wr prompb.WriteRequest
	return &wr, wr.Unmarshal(pb)
}

// store keeps the samples of a request.
func (fw *fakeWriter) store(wr *prompb.WriteRequest) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	n := 0
	for _, ts := range wr.Timeseries {
		key := labelsOf(ts.Labels).String()
		fw.series[key] = append(fw.series[key], ts.Samples...)
		n += len(ts.Samples)
	}
	fw.sizes = append(fw.sizes, n)
}

// labelsOf converts prompb labels, checking nothing.
func labelsOf(ls []prompb.Label) labels.Labels {
	b := labels.NewScratchBuilder(len(ls))
	for _, l := range ls {
		b.Add(l.Name, l.Value)
	}
	return b.Labels()
}

// total returns the number of samples stored.
func (fw *fakeWriter) total() int {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	n := 0
	for _, s := range fw.series {
		n += len(s)
	}
	return n
}

// snapshot returns a copy of the stored series.
func (fw *fakeWriter) snapshot() map[string][]prompb.Sample {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	c := make(map[string][]prompb.Sample, len(fw.series))
	for k, v := range fw.series {
		c[k] = append([]prompb.Sample(nil), v...)
	}
	return c
}

// keys returns the stored series' labels, sorted.
func keys(m map[string][]prompb.Sample) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
