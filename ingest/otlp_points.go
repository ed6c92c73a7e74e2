package ingest

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/vigilsre/vigil/tsdb"
)

// noRecordedValue is the data point flag of a point without a value: it
// becomes a stale marker, as in Prometheus.
const noRecordedValue = uint32(metricspb.DataPointFlags_DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK)

// otlpMillis converts an OTLP timestamp (ns) to Prometheus' ms, as
// Prometheus does.
func otlpMillis(ns uint64) int64 { return int64(ns) / 1_000_000 }

// pointValue is v, or a stale marker when flags say there is no value.
func pointValue(v float64, flags uint32) float64 {
	if flags&noRecordedValue != 0 {
		return math.Float64frombits(value.StaleNaN)
	}
	return v
}

// addNumbers appends one series per gauge or sum data point.
func (c *otlpConverter) addNumbers(dst *tsdb.Batch, m *metricspb.Metric, name string, pts []*metricspb.NumberDataPoint) {
	for _, pt := range pts {
		base, ok := c.pointLabels(m, pt.GetAttributes())
		if !ok {
			continue
		}
		v := 0.0
		switch x := pt.GetValue().(type) {
		case *metricspb.NumberDataPoint_AsInt:
			v = float64(x.AsInt)
		case *metricspb.NumberDataPoint_AsDouble:
			v = x.AsDouble
		}
		c.add(dst, base, name, "", "", otlpMillis(pt.GetTimeUnixNano()), pointValue(v, pt.GetFlags()))
	}
}

// addHistograms appends the _sum (when there is one), _count and
// cumulative _bucket{le} series of each explicit-bucket histogram point.
// An explicit +Inf bound is skipped: le="+Inf" is the count.
func (c *otlpConverter) addHistograms(dst *tsdb.Batch, m *metricspb.Metric, name string, pts []*metricspb.HistogramDataPoint) {
	for _, pt := range pts {
		base, ok := c.pointLabels(m, pt.GetAttributes())
		if !ok {
			continue
		}
		t, flags := otlpMillis(pt.GetTimeUnixNano()), pt.GetFlags()
		if pt.Sum != nil {
			c.add(dst, base, name+sumSuffix, "", "", t, pointValue(pt.GetSum(), flags))
		}
		c.add(dst, base, name+countSuffix, "", "", t, pointValue(float64(pt.GetCount()), flags))
		bounds, counts := pt.GetExplicitBounds(), pt.GetBucketCounts()
		var cumulative uint64
		for i := 0; i < len(bounds) && i < len(counts); i++ {
			cumulative += counts[i]
			if math.IsInf(bounds[i], 1) {
				continue
			}
			le := strconv.FormatFloat(bounds[i], 'f', -1, 64)
			c.add(dst, base, name+bucketSuffix, labels.BucketLabel, le, t, pointValue(float64(cumulative), flags))
		}
		c.add(dst, base, name+bucketSuffix, labels.BucketLabel, "+Inf", t, pointValue(float64(pt.GetCount()), flags))
	}
}

// addSummaries appends the _sum, _count and {quantile} series of each
// summary point.
func (c *otlpConverter) addSummaries(dst *tsdb.Batch, m *metricspb.Metric, name string, pts []*metricspb.SummaryDataPoint) {
	for _, pt := range pts {
		base, ok := c.pointLabels(m, pt.GetAttributes())
		if !ok {
			continue
		}
		t, flags := otlpMillis(pt.GetTimeUnixNano()), pt.GetFlags()
		c.add(dst, base, name+sumSuffix, "", "", t, pointValue(pt.GetSum(), flags))
		c.add(dst, base, name+countSuffix, "", "", t, pointValue(float64(pt.GetCount()), flags))
		for _, q := range pt.GetQuantileValues() {
			qs := strconv.FormatFloat(q.GetQuantile(), 'f', -1, 64)
			c.add(dst, base, name, "quantile", qs, t, pointValue(q.GetValue(), flags))
		}
	}
}

// pointLabels returns the labels of a data point without its name: its
// attributes (but __name__), job and instance. A problem is recorded and ok
// is false when an attribute does not translate.
func (c *otlpConverter) pointLabels(m *metricspb.Metric, kvs []*commonpb.KeyValue) (attrLabels, bool) {
	c.attrs = c.attrs[:0]
	err := c.addAttributes(&c.attrs, kvs, func(k string) bool { return k == labels.MetricName })
	if err != nil {
		c.problems.add(fmt.Errorf("metric %q: %w", m.GetName(), err), 1)
		return nil, false
	}
	c.res.identify(&c.attrs)
	return c.attrs, true
}

// add appends the series base{extra=extraValue} named name with one sample.
func (c *otlpConverter) add(dst *tsdb.Batch, base attrLabels, name, extra, extraValue string, t int64, v float64) {
	ls, err := c.seriesLabels(base, name, extra, extraValue)
	if err != nil {
		c.problems.add(err, 1)
		return
	}
	s := dst.Next()
	s.Labels = ls
	s.Samples = append(s.Samples, tsdb.Sample{T: t, V: v})
}

// seriesLabels builds and checks the label set of one series.
func (c *otlpConverter) seriesLabels(base attrLabels, name, extra, extraValue string) (labels.Labels, error) {
	ls := append(c.series[:0], base...)
	if extra != "" {
		ls.set(extra, extraValue)
	}
	ls.set(labels.MetricName, name)
	c.series = ls
	c.sb.Reset()
	for _, l := range ls {
		if err := checkLabel([]byte(l.name), []byte(l.value)); err != nil {
			return labels.EmptyLabels(), fmt.Errorf("%w in series %s", err, formatAttrLabels(ls))
		}
		c.sb.Add(l.name, l.value)
	}
	c.sb.Sort()
	lset := c.sb.Labels()
	if c.labelBytes += int64(lset.ByteSize()); c.labelBytes > c.labelLimit {
		return labels.EmptyLabels(), fmt.Errorf("%w: its series' labels take more than %d bytes (%d× the body limit); send fewer points or shorter attributes per request",
			ErrTooLarge, c.labelLimit, labelAmplification)
	}
	return lset, nil
}

// formatAttrLabels writes ls for an error message.
func formatAttrLabels(ls attrLabels) string {
	wire := make([]wireLabel, len(ls))
	for i, l := range ls {
		wire[i] = wireLabel{[]byte(l.name), []byte(l.value)}
	}
	return formatSeries(wire)
}

// timeSpan is the earliest and latest timestamp of a resource's points.
type timeSpan struct{ earliest, latest uint64 }

func (s *timeSpan) add(m *metricspb.Metric) {
	each := func(ns uint64) {
		s.earliest, s.latest = min(s.earliest, ns), max(s.latest, ns)
	}
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		forEachTime(d.Gauge.GetDataPoints(), each)
	case *metricspb.Metric_Sum:
		forEachTime(d.Sum.GetDataPoints(), each)
	case *metricspb.Metric_Histogram:
		forEachTime(d.Histogram.GetDataPoints(), each)
	case *metricspb.Metric_ExponentialHistogram:
		forEachTime(d.ExponentialHistogram.GetDataPoints(), each)
	case *metricspb.Metric_Summary:
		forEachTime(d.Summary.GetDataPoints(), each)
	}
}

func forEachTime[P interface{ GetTimeUnixNano() uint64 }](pts []P, f func(uint64)) {
	for _, p := range pts {
		f(p.GetTimeUnixNano())
	}
}

// Timing of target_info samples: one every targetInfoInterval (half of
// Prometheus' default lookback delta, as its receiver does) from the
// resource's earliest point, and one at its latest. maxTargetInfoSamples
// caps a request whose points span days: past it only the last is added.
const (
	targetInfoInterval   = 5 * time.Minute / 2
	maxTargetInfoSamples = 100
)

// addTargetInfo appends the resource's target_info series, value 1, over
// the span of its points.
func (c *otlpConverter) addTargetInfo(dst *tsdb.Batch, span timeSpan) {
	if c.res.info == nil {
		return
	}
	ls, err := c.seriesLabels(c.res.info, "target_info", "", "")
	if err != nil {
		c.problems.add(fmt.Errorf("resource: %w", err), 0)
		return
	}
	s := dst.Next()
	s.Labels = ls
	earliest, latest := time.Unix(0, int64(span.earliest)), time.Unix(0, int64(span.latest))
	for t, n := earliest, 0; t.Before(latest) && n < maxTargetInfoSamples; t, n = t.Add(targetInfoInterval), n+1 {
		s.Samples = append(s.Samples, tsdb.Sample{T: t.UnixMilli(), V: 1})
	}
	if last := latest.UnixMilli(); len(s.Samples) == 0 || s.Samples[len(s.Samples)-1].T != last {
		s.Samples = append(s.Samples, tsdb.Sample{T: last, V: 1})
	}
}
