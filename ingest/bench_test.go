package ingest

// Compare runs with benchstat:
//
//	go test ./ingest -run '^$' -bench . -benchtime 1s -count 6 > new.txt
//	benchstat old.txt new.txt

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/prometheus/prometheus/prompb"

	"github.com/vigilsre/vigil/tsdb"
)

// BenchmarkDecodeRemoteWrite decodes a remote-write body of 1000 series × 10
// samples into a reused batch; "prompb" is gogo's Unmarshal of the same
// body, the baseline.
func BenchmarkDecodeRemoteWrite(b *testing.B) {
	const series, perSeries = 1000, 10
	body := remoteWriteBody(b, writeRequest(testSeries(series, perSeries, 0)))
	b.Run("vigil", func(b *testing.B) {
		var batch tsdb.Batch
		benchSamples(b, series*perSeries, func() error {
			batch.Reset()
			return DecodeRemoteWrite(&batch, body)
		})
	})
	b.Run("prompb", func(b *testing.B) {
		var buf []byte
		benchSamples(b, series*perSeries, func() error {
			p, err := snappy.Decode(buf, body)
			if err != nil {
				return err
			}
			buf = p
			var req prompb.WriteRequest
			return req.Unmarshal(p)
		})
	})
}

// BenchmarkParseText parses 1000 series × 10 samples of text, each series'
// lines together or interleaved as successive scrapes; "textparse" is
// Prometheus' parser building the same label sets, the baseline.
func BenchmarkParseText(b *testing.B) {
	const series, perSeries = 1000, 10
	for _, seriesMajor := range []bool{true, false} {
		body := textBody(testSeries(series, perSeries, 0), seriesMajor)
		name := map[bool]string{true: "series-major", false: "interleaved"}[seriesMajor]
		b.Run("vigil/"+name, func(b *testing.B) {
			var batch tsdb.Batch
			benchSamples(b, series*perSeries, func() error {
				batch.Reset()
				return ParseText(&batch, body, testNow)
			})
		})
		b.Run("textparse/"+name, func(b *testing.B) {
			benchSamples(b, series*perSeries, func() error { return promParse(body) })
		})
	}
}

// promParse reads every sample of body with textparse.
func promParse(body []byte) error {
	p := textparse.NewPromParser(body, labels.NewSymbolTable(), false)
	var ls labels.Labels
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if entry == textparse.EntrySeries {
			p.Labels(&ls)
		}
	}
}

// benchSamples runs decode in b.Loop and reports per-sample figures.
func benchSamples(b *testing.B, samples int, decode func() error) {
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	n := 0
	for b.Loop() {
		if err := decode(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	runtime.ReadMemStats(&m1)
	reportPerSample(b, n*samples, m1.Mallocs-m0.Mallocs)
}

func reportPerSample(b *testing.B, samples int, mallocs uint64) {
	b.ReportMetric(float64(samples)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(samples), "ns/sample")
	b.ReportMetric(float64(mallocs)/float64(samples), "allocs/sample")
}

// BenchmarkRemoteWriteRequest pushes remote-write requests of 1000 series ×
// 10 samples, timestamps increasing from request to request, through a
// Handler (no network) into a tsdb.DB that fsyncs its WAL every second.
// Encoding each request is not timed; allocs/sample counts everything,
// encoding included (it allocates little: buffers are reused).
func BenchmarkRemoteWriteRequest(b *testing.B) {
	const series, perSeries = 1000, 10
	benchRequests(b, WritePath, newRequestEncoder(testSeries(series, perSeries, 0)).next, series*perSeries)
}

// benchRequests pushes the bodies next encodes, of samples samples each, to
// path of a Handler in front of a tsdb.DB that fsyncs its WAL every second.
// Encoding is not timed; allocs/sample counts everything.
func benchRequests(b *testing.B, path string, next func() []byte, samples int) {
	db, err := tsdb.Open(tsdb.Options{Dir: b.TempDir(), WALSyncInterval: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			b.Errorf("close store: %v", err)
		}
	}()
	mux := http.NewServeMux()
	NewHandler(db, Options{Logger: slog.New(slog.DiscardHandler)}).Register(mux)
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	n := 0
	for b.Loop() {
		b.StopTimer()
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(next()))
		rec := httptest.NewRecorder()
		b.StartTimer()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			b.Fatalf("answer %d %s", rec.Code, rec.Body)
		}
		n++
	}
	runtime.ReadMemStats(&m1)
	reportPerSample(b, n*samples, m1.Mallocs-m0.Mallocs)
}

// requestEncoder encodes a remote-write request again and again, moving its
// timestamps forward each time, into reused buffers.
type requestEncoder struct {
	req       prompb.WriteRequest
	pb, body  []byte
	step, gen int64
}

func newRequestEncoder(series []prompb.TimeSeries) *requestEncoder {
	return &requestEncoder{req: prompb.WriteRequest{Timeseries: series}, step: 10_000}
}

func (e *requestEncoder) next() []byte {
	for i := range e.req.Timeseries {
		s := e.req.Timeseries[i].Samples
		for j := range s {
			s[j].Timestamp = (e.gen*int64(len(s)) + int64(j)) * e.step
		}
	}
	e.gen++
	size := e.req.Size()
	if cap(e.pb) < size {
		e.pb = make([]byte, size)
	}
	n, err := e.req.MarshalToSizedBuffer(e.pb[:size])
	if err != nil {
		panic("BUG: marshal: " + err.Error())
	}
	e.body = snappy.Encode(e.body[:cap(e.body)], e.pb[size-n:size])
	return e.body
}
