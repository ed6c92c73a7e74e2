package query

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
)

// benchSeries and benchSamples size the benchmark store: 200 counters
// sampled every 10s for an hour.
const (
	benchSeries  = 200
	benchSamples = 360
)

// newBenchEngine returns an Engine over a store holding the benchmark data.
func newBenchEngine(b *testing.B) *Engine {
	var sb strings.Builder
	sb.WriteString("load 10s\n")
	for i := range benchSeries {
		fmt.Fprintf(&sb, "\thttp_requests_total{job=\"job%d\", instance=\"i%d\"} 0+%dx%d\n", i%10, i, i+1, benchSamples)
	}
	return New(promqltest.LoadedStorage(b, sb.String()), Options{})
}

// BenchmarkQuery measures the two queries a dashboard panel and an alert rule
// make most: a sum of rates, instant and over the hour at a 1m step.
//
//	go test ./query -run '^$' -bench Query -benchtime 1s -count 6 > new.txt
//	benchstat old.txt new.txt
func BenchmarkQuery(b *testing.B) {
	e := newBenchEngine(b)
	const expr = `sum by (job) (rate(http_requests_total[1m]))`
	end := time.Unix(benchSamples*10, 0)
	b.Run("instant", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := e.Instant(b.Context(), expr, end)
			if err != nil {
				b.Fatal(err)
			}
			res.Close()
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
	})
	b.Run("range", func(b *testing.B) {
		b.ReportAllocs()
		var points int
		for b.Loop() {
			res, err := e.Range(b.Context(), expr, end.Add(-time.Hour), end, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			points = len(res.Value.(promql.Matrix)) * len(res.Value.(promql.Matrix)[0].Floats)
			res.Close()
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
		b.ReportMetric(float64(points), "points/query")
	})
	b.Run("series", func(b *testing.B) {
		sets, err := e.ParseMatchers([]string{`http_requests_total{job="job1"}`})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := e.Series(b.Context(), sets, end.Add(-time.Hour), end, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
	})
}
