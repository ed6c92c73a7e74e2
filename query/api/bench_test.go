package api

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
)

// benchMatrix is a range query answer: 100 series of 720 points (12 hours at
// a 1m step, or one at 5s), values with a fixed seed.
func benchMatrix() promql.Matrix {
	r := rand.New(rand.NewPCG(1, 1))
	m := make(promql.Matrix, 0, 100)
	for i := range 100 {
		s := promql.Series{Metric: labels.FromStrings("__name__", "http_requests_total", "instance", fmt.Sprintf("10.0.0.%d:9100", i), "job", "api")}
		for j := range 720 {
			s.Floats = append(s.Floats, promql.FPoint{T: 1700000000000 + int64(j)*60000, F: r.Float64() * 1000})
		}
		m = append(m, s)
	}
	return m
}

// BenchmarkEncodeMatrix measures encoding a range query answer, against
// encoding/json over the promql types' MarshalJSON methods (which is not the
// Prometheus format, only a baseline).
//
//	go test ./query/api -run '^$' -bench EncodeMatrix -count 6 > new.txt
//	benchstat old.txt new.txt
func BenchmarkEncodeMatrix(b *testing.B) {
	m := benchMatrix()
	points := float64(len(m) * len(m[0].Floats))
	b.Run("vigil", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = appendSuccess(buf[:0], queryData{m}, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(points*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		b.ReportMetric(float64(len(buf))/points, "bytes/point")
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(points*float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
}
