package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/value"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vigilsre/vigil/tsdb"
)

const (
	cumulative = metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE
	delta      = metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA
	t1ns       = uint64(1_700_000_000_123_456_789) // 1700000000123 ms
)

func strAttr(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func intAttr(k string, v int64) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
}

// otlpRequest wraps metrics in one resource with attrs.
func otlpRequest(attrs []*commonpb.KeyValue, ms ...*metricspb.Metric) *colmetricspb.ExportMetricsServiceRequest {
	return &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource:     &resourcepb.Resource{Attributes: attrs},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: ms}},
	}}}
}

func gauge(name, unit string, v float64, attrs ...*commonpb.KeyValue) *metricspb.Metric {
	return &metricspb.Metric{Name: name, Unit: unit, Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{
		DataPoints: []*metricspb.NumberDataPoint{{Attributes: attrs, TimeUnixNano: t1ns,
			Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: v}}}}}}
}

func sum(name, unit string, monotonic bool, temp metricspb.AggregationTemporality, v int64, attrs ...*commonpb.KeyValue) *metricspb.Metric {
	return &metricspb.Metric{Name: name, Unit: unit, Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{
		IsMonotonic: monotonic, AggregationTemporality: temp,
		DataPoints: []*metricspb.NumberDataPoint{{Attributes: attrs, TimeUnixNano: t1ns,
			Value: &metricspb.NumberDataPoint_AsInt{AsInt: v}}}}}}
}

func histogram(name, unit string, temp metricspb.AggregationTemporality) *metricspb.Metric {
	s := 7.5
	return &metricspb.Metric{Name: name, Unit: unit, Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{
		AggregationTemporality: temp,
		DataPoints: []*metricspb.HistogramDataPoint{{TimeUnixNano: t1ns, Count: 6, Sum: &s,
			ExplicitBounds: []float64{0.1, 1, 2.5}, BucketCounts: []uint64{1, 2, 0, 3}}}}}}
}

func TestDecodeOTLP(t *testing.T) {
	service := []*commonpb.KeyValue{strAttr("service.name", "api"), strAttr("service.namespace", "shop"),
		strAttr("service.instance.id", "host-1:8080")}
	withHost := append(service[:3:3], strAttr("host.name", "host-1"), intAttr("cpu.count", 4))
	summary := &metricspb.Metric{Name: "rpc.latency", Unit: "ms", Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{
		DataPoints: []*metricspb.SummaryDataPoint{{TimeUnixNano: t1ns, Count: 4, Sum: 10,
			QuantileValues: []*metricspb.SummaryDataPoint_ValueAtQuantile{{Quantile: 0.5, Value: 2}, {Quantile: 0.99, Value: 5}}}}}}}
	stale := gauge("queue.depth", "", 3)
	stale.GetGauge().DataPoints[0].Flags = noRecordedValue
	expo := &metricspb.Metric{Name: "lat", Data: &metricspb.Metric_ExponentialHistogram{ExponentialHistogram: &metricspb.ExponentialHistogram{
		AggregationTemporality: cumulative, DataPoints: []*metricspb.ExponentialHistogramDataPoint{{TimeUnixNano: t1ns}, {TimeUnixNano: t1ns}}}}}
	const job = `instance="host-1:8080", job="shop/api"`
	tests := []struct {
		name     string
		req      *colmetricspb.ExportMetricsServiceRequest
		want     string
		rejected int
		rejErr   string
	}{
		{"gauge with unit", otlpRequest(service, gauge("memory.usage", "By", 42, strAttr("area", "heap"))),
			`{__name__="memory_usage_bytes", area="heap", ` + job + "} 1700000000123:42\n", 0, ""},
		{"monotonic cumulative sum is a counter", otlpRequest(service, sum("http.requests", "", true, cumulative, 5, strAttr("http.route", "/a"))),
			`{__name__="http_requests_total", http_route="/a", ` + job + "} 1700000000123:5\n", 0, ""},
		{"non-monotonic sum is a gauge", otlpRequest(service, sum("pool.size", "{connection}", false, cumulative, 3)),
			`{__name__="pool_size", ` + job + "} 1700000000123:3\n", 0, ""},
		{"histogram", otlpRequest(nil, histogram("http.server.duration", "s", cumulative)), `{__name__="http_server_duration_seconds_sum"} 1700000000123:7.5
{__name__="http_server_duration_seconds_count"} 1700000000123:6
{__name__="http_server_duration_seconds_bucket", le="0.1"} 1700000000123:1
{__name__="http_server_duration_seconds_bucket", le="1"} 1700000000123:3
{__name__="http_server_duration_seconds_bucket", le="2.5"} 1700000000123:3
{__name__="http_server_duration_seconds_bucket", le="+Inf"} 1700000000123:6
`, 0, ""},
		{"summary", otlpRequest(nil, summary), `{__name__="rpc_latency_milliseconds_sum"} 1700000000123:10
{__name__="rpc_latency_milliseconds_count"} 1700000000123:4
{__name__="rpc_latency_milliseconds", quantile="0.5"} 1700000000123:2
{__name__="rpc_latency_milliseconds", quantile="0.99"} 1700000000123:5
`, 0, ""},
		{"target_info", otlpRequest(withHost, gauge("up", "", 1)), `{__name__="up", ` + job + `} 1700000000123:1
{__name__="target_info", cpu_count="4", host_name="host-1", ` + job + "} 1700000000123:1\n", 0, ""},
		{"no recorded value is a stale marker", otlpRequest(nil, stale), `{__name__="queue_depth"} 1700000000123:` + valueString(math.Float64frombits(value.StaleNaN)) + "\n", 0, ""},
		{"colliding attributes are joined", otlpRequest(nil, gauge("g", "", 1, strAttr("a_b", "2"), strAttr("a.b", "1"))),
			`{__name__="g", a_b="1;2"} 1700000000123:1` + "\n", 0, ""},
		{"delta sum is rejected", otlpRequest(nil, sum("d", "", true, delta, 1), gauge("g", "", 1)),
			`{__name__="g"} 1700000000123:1` + "\n", 1, `metric "d": delta temporality is not supported; configure cumulative temporality`},
		{"exponential histogram is rejected", otlpRequest(nil, expo), "", 2,
			`metric "lat": exponential histograms are not supported: native histograms are not stored; configure explicit bucket histograms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := proto.Marshal(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var b tsdb.Batch
			rej, err := DecodeOTLP(&b, body, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := batchString(&b); got != tt.want {
				t.Errorf("batch:\n%s\nwant:\n%s", got, tt.want)
			}
			if rej.Points != tt.rejected || errString(rej.Err) != tt.rejErr {
				t.Errorf("rejected %d (%v), want %d (%s)", rej.Points, rej.Err, tt.rejected, tt.rejErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDecodeOTLPInvalid(t *testing.T) {
	var b tsdb.Batch
	_, err := DecodeOTLP(&b, []byte{0x0a, 0x05, 0x01}, false)
	var invalid *InvalidError
	if !errors.As(err, &invalid) || !strings.HasPrefix(err.Error(), "decode OTLP protobuf: ") {
		t.Fatalf("truncated protobuf: %v, want an InvalidError decoding the protobuf", err)
	}
	body, _ := proto.Marshal(otlpRequest(nil, gauge("g", "", 1, strAttr("___", "x")), gauge("ok", "", 1)))
	_, err = DecodeOTLP(&b, body, false)
	want := `metric "g": attribute "___": normalization for label name "___" resulted in invalid name "___"`
	if !errors.As(err, &invalid) || err.Error() != want {
		t.Fatalf("bad attribute: %v, want %q", err, want)
	}
	if _, err = DecodeOTLP(&b, []byte(`{"resourceMetrics": 1}`), true); !errors.As(err, &invalid) || !strings.HasPrefix(err.Error(), "decode OTLP JSON: ") {
		t.Fatalf("bad JSON: %v", err)
	}
}

// otlpPost sends body to /v1/metrics with the content type and encoding.
func otlpPost(h *Handler, body []byte, ct, enc string) (int, http.Header, []byte) {
	hdr := map[string]string{"Content-Type": ct}
	if enc != "" {
		hdr["Content-Encoding"] = enc
	}
	rec := request{path: OTLPPath, body: body, header: hdr}.serve(h)
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

func TestHandlerOTLP(t *testing.T) {
	app := &fakeAppender{}
	h := newTestHandler(app, prometheus.NewRegistry())
	req := otlpRequest(nil, gauge("g", "", 1))
	pb, _ := proto.Marshal(req)
	js, _ := protojson.Marshal(req)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(pb)
	zw.Close()

	for _, tc := range []struct {
		name, ct, enc string
		body          []byte
		wantBody      string
	}{
		{"protobuf", otlpProtobuf, "", pb, ""},
		{"gzip protobuf", otlpProtobuf, "gzip", gz.Bytes(), ""},
		{"json", otlpJSON + "; charset=utf-8", "", js, "{}"},
	} {
		code, hdr, body := otlpPost(h, tc.body, tc.ct, tc.enc)
		if code != http.StatusOK || string(body) != tc.wantBody || hdr.Get("Content-Type") != strings.Split(tc.ct, ";")[0] {
			t.Errorf("%s: %d %s %q, want 200 %q", tc.name, code, hdr.Get("Content-Type"), body, tc.wantBody)
		}
	}
	if n := len(app.calls()); n != 3 {
		t.Fatalf("%d batches stored, want 3", n)
	}
}

func TestHandlerOTLPPartialSuccess(t *testing.T) {
	app := &fakeAppender{}
	h := newTestHandler(app, prometheus.NewRegistry())
	js, _ := protojson.Marshal(otlpRequest(nil, sum("d", "", true, delta, 1), gauge("g", "", 1)))
	code, _, body := otlpPost(h, js, otlpJSON, "")
	var resp colmetricspb.ExportMetricsServiceResponse
	if err := protojson.Unmarshal(body, &resp); err != nil || code != http.StatusOK {
		t.Fatalf("%d %q: %v", code, body, err)
	}
	ps := resp.GetPartialSuccess()
	want := `stored 1 samples; rejected 1 data points of unsupported kinds and 0 samples (0 out of order, 0 conflicting values); first: metric "d": delta temporality is not supported; configure cumulative temporality`
	if ps.GetRejectedDataPoints() != 1 || ps.GetErrorMessage() != want {
		t.Fatalf("partial success %d %q, want 1 %q", ps.GetRejectedDataPoints(), ps.GetErrorMessage(), want)
	}
}

func TestHandlerOTLPErrors(t *testing.T) {
	app := &fakeAppender{}
	h := newTestHandler(app, prometheus.NewRegistry())
	big, _ := proto.Marshal(otlpRequest(nil, gauge(strings.Repeat("x", 2000), "", 1)))
	for _, tc := range []struct {
		name, ct string
		body     []byte
		code     int
		msg      string
	}{
		{"malformed", otlpProtobuf, []byte{0x0a, 0x05, 0x01}, 400, "decode OTLP protobuf: "},
		{"content type", "text/plain", []byte("x"), 415, `unsupported encoding: Content-Type "text/plain"; OTLP/HTTP takes application/x-protobuf or application/json`},
		{"too large", otlpProtobuf, big, 413, "request body too large: the body is "},
	} {
		code, hdr, body := otlpPost(h, tc.body, tc.ct, "")
		var st statuspb.Status
		if err := proto.Unmarshal(body, &st); err != nil || code != tc.code || hdr.Get("Content-Type") != otlpProtobuf ||
			!strings.HasPrefix(st.GetMessage(), tc.msg) {
			t.Errorf("%s: %d %q (%v), want %d with a Status starting %q", tc.name, code, st.GetMessage(), err, tc.code, tc.msg)
		}
	}
	if n := len(app.calls()); n != 0 {
		t.Fatalf("%d batches stored from bad requests, want 0", n)
	}
}

// TestHandlerOTLPLabelAmplification: resource attributes are copied into
// every series, so a small request can ask for many times its size in
// labels; past 8× the body limit it is 413 and nothing is stored.
func TestHandlerOTLPLabelAmplification(t *testing.T) {
	app := &fakeAppender{}
	h := newTestHandler(app, prometheus.NewRegistry()) // 1024-byte body limit
	var ms []*metricspb.Metric
	for i := range 17 {
		ms = append(ms, gauge(fmt.Sprintf("g%d", i), "", 1))
	}
	pb, err := proto.Marshal(otlpRequest([]*commonpb.KeyValue{strAttr("service.name", strings.Repeat("s", 480))}, ms...))
	if err != nil {
		t.Fatal(err)
	}
	if len(pb) > 1024 {
		t.Fatalf("the body is %d bytes; the test needs it under the limit", len(pb))
	}
	code, _, body := otlpPost(h, pb, otlpProtobuf, "")
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "labels take more than 8192 bytes") {
		t.Fatalf("answer %d %q, want 413 naming the label limit", code, body)
	}
	if n := len(app.calls()); n != 0 {
		t.Fatalf("%d batches stored, want none", n)
	}
}
