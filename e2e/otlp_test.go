package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// TestOTLPFromSDK pushes a counter, a gauge and a histogram with the
// OpenTelemetry Go SDK's OTLP/HTTP exporter, then reads them back as
// Prometheus series named and labelled as Prometheus' OTLP receiver names
// them: job and instance from the resource, _total on counters, unit
// suffixes, classic _bucket{le} series, and target_info for the other
// resource attributes.
func TestOTLPFromSDK(t *testing.T) {
	v := startVigil(t, vigilOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mp := otlpMeterProvider(ctx, t, v.api.base)
	record(ctx, t, mp.Meter("e2e"))
	if err := mp.ForceFlush(ctx); err != nil {
		t.Fatalf("export: %v", err)
	}
	if err := mp.Shutdown(ctx); err != nil {
		t.Fatalf("shut the meter provider down: %v", err)
	}
	const id = `instance="pod-1", job="shop/checkout"`
	want := strings.Join([]string{
		`{__name__="memory_used_bytes", area="heap", ` + id + `} 1048576`,
		`{__name__="orders_total", ` + id + `, route="/buy"} 3`,
		`{__name__="request_duration_seconds_bucket", ` + id + `, le="+Inf", route="/buy"} 4`,
		`{__name__="request_duration_seconds_bucket", ` + id + `, le="0.1", route="/buy"} 1`,
		`{__name__="request_duration_seconds_bucket", ` + id + `, le="0.5", route="/buy"} 2`,
		`{__name__="request_duration_seconds_bucket", ` + id + `, le="1", route="/buy"} 3`,
		`{__name__="request_duration_seconds_count", ` + id + `, route="/buy"} 4`,
		`{__name__="request_duration_seconds_sum", ` + id + `, route="/buy"} 3.0625`,
		`{__name__="target_info", deployment_environment="test", ` + id + `} 1`,
	}, "\n")
	var got string
	err := poll(readyTimeout, "the pushed series are queryable", func() (bool, error) {
		res, err := v.api.query(`{job="shop/checkout"}`, time.Now().UnixMilli())
		if err != nil {
			return false, err
		}
		got = latestValues(res)
		return got == want, nil
	})
	if err != nil {
		t.Fatalf("%v\ngot:\n%s\nwant:\n%s", err, got, want)
	}
}

// otlpMeterProvider returns a meter provider exporting over OTLP/HTTP
// (protobuf, gzip) to base, with the resource of a service instance. It
// exports when flushed.
func otlpMeterProvider(ctx context.Context, t *testing.T, base string) *sdkmetric.MeterProvider {
	t.Helper()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(base+"/v1/metrics"),
		otlpmetrichttp.WithInsecure(), otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression))
	if err != nil {
		t.Fatalf("OTLP exporter: %v", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "checkout"), attribute.String("service.namespace", "shop"),
		attribute.String("service.instance.id", "pod-1"), attribute.String("deployment.environment", "test"))
	reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))
	return sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(reader))
}

// record records a counter, a gauge and a histogram whose values are exact
// in binary.
func record(ctx context.Context, t *testing.T, m metric.Meter) {
	t.Helper()
	route := metric.WithAttributes(attribute.String("route", "/buy"))
	orders, err := m.Int64Counter("orders", metric.WithUnit("{order}"))
	if err != nil {
		t.Fatal(err)
	}
	orders.Add(ctx, 1, route)
	orders.Add(ctx, 2, route)
	mem, err := m.Int64Gauge("memory.used", metric.WithUnit("By"))
	if err != nil {
		t.Fatal(err)
	}
	mem.Record(ctx, 1<<20, metric.WithAttributes(attribute.String("area", "heap")))
	dur, err := m.Float64Histogram("request.duration", metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(0.1, 0.5, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []float64{0.0625, 0.25, 0.75, 2} {
		dur.Record(ctx, v, route)
	}
}

// latestValues renders an instant vector one series per line, sorted.
func latestValues(res *queryResult) string {
	lines := make([]string, 0, len(res.Series))
	for _, s := range res.Series {
		if len(s.Points) == 1 {
			lines = append(lines, fmt.Sprintf("%s %s", metricString(s.Metric), s.Points[0].V))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
