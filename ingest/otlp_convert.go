package ingest

import (
	"errors"
	"fmt"
	"math"

	"github.com/prometheus/otlptranslator"
	"github.com/prometheus/prometheus/model/labels"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/vigilsre/vigil/tsdb"
)

// Suffixes and labels of the series a histogram or summary becomes, as in
// Prometheus' OTLP translator.
const (
	sumSuffix    = "_sum"
	countSuffix  = "_count"
	bucketSuffix = "_bucket"
)

// otlpConverter translates an ExportMetricsServiceRequest into a Batch. It
// follows Prometheus' OTLP receiver (storage/remote/otlptranslator) with
// its default settings: names escaped to the classic charset with type and
// unit suffixes (otlptranslator.MetricNamer and LabelNamer), job and
// instance from the resource, a target_info series for the other resource
// attributes, cumulative temporality only, classic histograms, no scope
// labels. It is reused across requests and not safe for concurrent use.
type otlpConverter struct {
	metricNamer otlptranslator.MetricNamer
	labelNamer  otlptranslator.LabelNamer
	names       map[string]string // attribute key → label name, capped at maxCachedNames
	res         otlpResource      // the resource being converted
	attrs       attrLabels        // scratch: the labels of one data point
	series      attrLabels        // scratch: the labels of one series
	sb          labels.ScratchBuilder
	rejected    OTLPRejected
	problems    problems

	// labelBytes counts the bytes of the label sets built for this request,
	// up to labelLimit: resource attributes are copied into every series,
	// so a small request could otherwise build gigabytes of labels.
	labelBytes, labelLimit int64
}

// labelAmplification is how many times the body limit the label sets of
// one OTLP request may take, all series together.
const labelAmplification = 8

// maxCachedNames caps the attribute-name cache kept across requests.
const maxCachedNames = 256

func (c *otlpConverter) reset() {
	c.metricNamer = otlptranslator.MetricNamer{WithMetricSuffixes: true}
	// Prometheus' defaults, kept for backwards compatibility: "_x" becomes
	// "key_x" and runs of underscores are kept.
	c.labelNamer = otlptranslator.LabelNamer{UnderscoreLabelSanitization: true, PreserveMultipleUnderscores: true} //nolint:staticcheck // the deprecated field is Prometheus' default
	if len(c.names) > maxCachedNames {
		c.names = nil
	}
	c.rejected = OTLPRejected{}
	c.problems.reset()
	c.labelBytes = 0
}

// convert appends every data point of req to dst.
func (c *otlpConverter) convert(dst *tsdb.Batch, req *colmetricspb.ExportMetricsServiceRequest) error {
	for _, rm := range req.GetResourceMetrics() {
		c.convertResource(dst, rm)
	}
	return c.problems.err(dst.Samples())
}

// convertResource appends the data points of one resource, then its
// target_info series.
func (c *otlpConverter) convertResource(dst *tsdb.Batch, rm *metricspb.ResourceMetrics) {
	if err := c.res.set(c, rm.GetResource().GetAttributes()); err != nil {
		c.problems.add(err, 0)
		return
	}
	span := timeSpan{earliest: math.MaxUint64}
	for _, sm := range rm.GetScopeMetrics() {
		for _, m := range sm.GetMetrics() {
			span.add(m)
			c.convertMetric(dst, m)
		}
	}
	if span.earliest != math.MaxUint64 {
		c.addTargetInfo(dst, span)
	}
}

// convertMetric appends the series of one metric, or records why it was
// left out.
func (c *otlpConverter) convertMetric(dst *tsdb.Batch, m *metricspb.Metric) {
	if err := checkTemporality(m); err != nil {
		c.reject(err, countPoints(m))
		return
	}
	name, err := c.metricNamer.Build(translatorMetric(m))
	if err != nil {
		c.problems.add(fmt.Errorf("metric %q: %w", m.GetName(), err), countPoints(m))
		return
	}
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		c.addNumbers(dst, m, name, d.Gauge.GetDataPoints())
	case *metricspb.Metric_Sum:
		c.addNumbers(dst, m, name, d.Sum.GetDataPoints())
	case *metricspb.Metric_Histogram:
		c.addHistograms(dst, m, name, d.Histogram.GetDataPoints())
	case *metricspb.Metric_Summary:
		c.addSummaries(dst, m, name, d.Summary.GetDataPoints())
	}
}

// reject records points left out for err.
func (c *otlpConverter) reject(err error, points int) {
	if c.rejected.Err == nil {
		c.rejected.Err = err
	}
	c.rejected.Points += points
}

// Reasons for leaving a metric out.
var (
	errNoData              = errors.New("no data: not a gauge, sum, histogram, exponential histogram or summary")
	errExponentialHisto    = errors.New("exponential histograms are not supported: native histograms are not stored; configure explicit bucket histograms")
	errNotCumulative       = errors.New("delta temporality is not supported; configure cumulative temporality")
	errUnspecifiedTemporal = errors.New("aggregation temporality is unspecified; configure cumulative temporality")
)

// checkTemporality says why a metric cannot be stored, or nil. Like
// Prometheus without delta support, only cumulative sums and histograms
// are taken.
func checkTemporality(m *metricspb.Metric) error {
	var t metricspb.AggregationTemporality
	switch d := m.GetData().(type) {
	case nil:
		return fmt.Errorf("metric %q: %w", m.GetName(), errNoData)
	case *metricspb.Metric_ExponentialHistogram:
		return fmt.Errorf("metric %q: %w", m.GetName(), errExponentialHisto)
	case *metricspb.Metric_Sum:
		t = d.Sum.GetAggregationTemporality()
	case *metricspb.Metric_Histogram:
		t = d.Histogram.GetAggregationTemporality()
	default:
		return nil
	}
	switch t {
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE:
		return nil
	case metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA:
		return fmt.Errorf("metric %q: %w", m.GetName(), errNotCumulative)
	}
	return fmt.Errorf("metric %q: %w", m.GetName(), errUnspecifiedTemporal)
}

// translatorMetric describes m to otlptranslator's namer.
func translatorMetric(m *metricspb.Metric) otlptranslator.Metric {
	tm := otlptranslator.Metric{Name: m.GetName(), Unit: m.GetUnit(), Type: otlptranslator.MetricTypeUnknown}
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		tm.Type = otlptranslator.MetricTypeGauge
	case *metricspb.Metric_Sum:
		tm.Type = otlptranslator.MetricTypeNonMonotonicCounter
		if d.Sum.GetIsMonotonic() {
			tm.Type = otlptranslator.MetricTypeMonotonicCounter
		}
	case *metricspb.Metric_Histogram:
		tm.Type = otlptranslator.MetricTypeHistogram
	case *metricspb.Metric_ExponentialHistogram:
		tm.Type = otlptranslator.MetricTypeExponentialHistogram
	case *metricspb.Metric_Summary:
		tm.Type = otlptranslator.MetricTypeSummary
	}
	return tm
}

// countPoints returns the number of data points of m.
func countPoints(m *metricspb.Metric) int {
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		return len(d.Gauge.GetDataPoints())
	case *metricspb.Metric_Sum:
		return len(d.Sum.GetDataPoints())
	case *metricspb.Metric_Histogram:
		return len(d.Histogram.GetDataPoints())
	case *metricspb.Metric_ExponentialHistogram:
		return len(d.ExponentialHistogram.GetDataPoints())
	case *metricspb.Metric_Summary:
		return len(d.Summary.GetDataPoints())
	}
	return 0
}
