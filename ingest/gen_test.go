package ingest

import (
	"fmt"
	"strconv"

	"github.com/prometheus/prometheus/prompb"
)

// testSeries returns n series of five labels each, like a node exporter's,
// with samples samples each at a 10 s step from t0.
func testSeries(n, samples int, t0 int64) []prompb.TimeSeries {
	out := make([]prompb.TimeSeries, n)
	for i := range out {
		out[i].Labels = []prompb.Label{
			{Name: "__name__", Value: fmt.Sprintf("node_metric_%d_total", i%50)},
			{Name: "cpu", Value: strconv.Itoa(i / 50)},
			{Name: "instance", Value: fmt.Sprintf("host-%d.example.com:9100", i%7)},
			{Name: "job", Value: "node"},
			{Name: "mode", Value: "idle"},
		}
		for j := range samples {
			out[i].Samples = append(out[i].Samples, prompb.Sample{Timestamp: t0 + int64(j)*10_000, Value: float64(i*j) + 0.5})
		}
	}
	return out
}

// textBody renders series in the text format, each series' lines together
// (seriesMajor) or one line per series for each timestamp in turn, as
// successive scrapes would be.
func textBody(series []prompb.TimeSeries, seriesMajor bool) []byte {
	var b []byte
	line := func(s prompb.TimeSeries, j int) {
		b = append(b, s.Labels[0].Value...)
		b = append(b, '{')
		for k, l := range s.Labels[1:] {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, l.Name...)
			b = strconv.AppendQuote(append(b, '='), l.Value)
		}
		b = append(b, "} "...)
		b = strconv.AppendFloat(b, s.Samples[j].Value, 'g', -1, 64)
		b = strconv.AppendInt(append(b, ' '), s.Samples[j].Timestamp, 10)
		b = append(b, '\n')
	}
	if seriesMajor {
		for _, s := range series {
			for j := range s.Samples {
				line(s, j)
			}
		}
		return b
	}
	for j := range series[0].Samples {
		for _, s := range series {
			line(s, j)
		}
	}
	return b
}

// writeRequest wraps series in a request.
func writeRequest(series []prompb.TimeSeries) *prompb.WriteRequest {
	return &prompb.WriteRequest{Timeseries: series}
}
