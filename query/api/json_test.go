package api

import (
	"math"
	"testing"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"
)

// TestEncodeLikePrometheus holds the cases of Prometheus'
// web/api/v1/json_codec_test.go, with the bodies Prometheus expects.
func TestEncodeLikePrometheus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value parser.Value
		want  string
	}{
		{"vector", promql.Vector{
			{Metric: labels.FromStrings("__name__", "foo"), T: 1000, F: 1},
			{Metric: labels.FromStrings("__name__", "bar"), T: 2000, F: 2},
		}, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"foo"},"value":[1,"1"]},{"metric":{"__name__":"bar"},"value":[2,"2"]}]}}`},
		{"matrix", promql.Matrix{
			{Metric: labels.FromStrings("__name__", "foo"), Floats: []promql.FPoint{{F: 1, T: 1000}}},
			{Metric: labels.FromStrings("__name__", "bar"), Floats: []promql.FPoint{{F: 2, T: 2000}}},
		}, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"foo"},"values":[[1,"1"]]},{"metric":{"__name__":"bar"},"values":[[2,"2"]]}]}}`},
		{"histogram matrix", promql.Matrix{{
			Metric:     labels.FromStrings("__name__", "foo"),
			Histograms: []promql.HPoint{{H: testHistogram(), T: 1000}},
		}}, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"foo"},"histograms":[[1,{"count":"10","sum":"20","buckets":[[1,"-1.6817928305074288","-1.414213562373095","1"],[1,"-1.414213562373095","-1.189207115002721","2"],[3,"-0.001","0.001","12"],[0,"1.414213562373095","1.6817928305074288","1"],[0,"1.6817928305074288","2","2"],[0,"2.378414230005442","2.82842712474619","2"],[0,"2.82842712474619","3.3635856610148576","1"],[0,"3.3635856610148576","4","1"]]}]]}]}}`},
		{"histogram vector", promql.Vector{{Metric: labels.EmptyLabels(), T: 1500, H: &histogram.FloatHistogram{Count: 0, Sum: 0}}},
			`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1.500,{"count":"0","sum":"0"}]}]}}`},
		{"series without points", promql.Matrix{{Metric: labels.FromStrings("a", "b")}},
			`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"}}]}}`},
		{"empty vector", promql.Vector{}, `{"status":"success","data":{"resultType":"vector","result":[]}}`},
		{"nil matrix", promql.Matrix(nil), `{"status":"success","data":{"resultType":"matrix","result":[]}}`},
		{"scalar", promql.Scalar{T: 1435781451780, V: 1.5},
			`{"status":"success","data":{"resultType":"scalar","result":[1435781451.78,"1.5"]}}`},
		{"scalar NaN", promql.Scalar{T: 0, V: math.NaN()},
			`{"status":"success","data":{"resultType":"scalar","result":[0,"NaN"]}}`},
		{"string", promql.String{T: 1001, V: "a<b>&\"c\""},
			`{"status":"success","data":{"resultType":"string","result":[1.001,"a\u003cb\u003e\u0026\"c\""]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendSuccess(nil, queryData{tc.value}, nil, nil)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}

// testHistogram is the histogram of Prometheus' codec test.
func testHistogram() *histogram.FloatHistogram {
	return &histogram.FloatHistogram{
		Schema:          2,
		ZeroThreshold:   0.001,
		ZeroCount:       12,
		Count:           10,
		Sum:             20,
		PositiveSpans:   []histogram.Span{{Offset: 3, Length: 2}, {Offset: 1, Length: 3}},
		NegativeSpans:   []histogram.Span{{Offset: 2, Length: 2}},
		PositiveBuckets: []float64{1, 2, 2, 1, 1},
		NegativeBuckets: []float64{2, 1},
	}
}

func TestAppendFPoint(t *testing.T) {
	for _, tc := range []struct {
		t    int64
		f    float64
		want string
	}{
		{0, 0, `[0,"0"]`},
		{1, 20, `[0.001,"20"]`},
		{10, 20, `[0.010,"20"]`},
		{100, 20, `[0.100,"20"]`},
		{1001, 20, `[1.001,"20"]`},
		{1010, 20, `[1.010,"20"]`},
		{1100, 20, `[1.100,"20"]`},
		{12345678123456555, 20, `[12345678123456.555,"20"]`},
		{-1, 20, `[-0.001,"20"]`},
		{-1500, 20, `[-1.500,"20"]`},
		{math.MinInt64, 1, `[-9223372036854775.808,"1"]`},
		{0, math.NaN(), `[0,"NaN"]`},
		{0, math.Inf(1), `[0,"+Inf"]`},
		{0, math.Inf(-1), `[0,"-Inf"]`},
		{0, 1.2345678e6, `[0,"1234567.8"]`},
		{0, 1.2345678e-6, `[0,"0.0000012345678"]`},
		{0, 1.2345678e-67, `[0,"1.2345678e-67"]`},
		{0, 1e-7, `[0,"1e-07"]`},
		{0, 1e21, `[0,"1e+21"]`},
		{0, -0.5, `[0,"-0.5"]`},
	} {
		require.Equal(t, tc.want, string(appendFPoint(nil, tc.t, tc.f)), "t=%d f=%v", tc.t, tc.f)
	}
}

func TestAppendStrings(t *testing.T) {
	for _, tc := range []struct {
		in, raw, escaped string
	}{
		{"plain", `"plain"`, `"plain"`},
		{`q"b\`, `"q\"b\\"`, `"q\"b\\"`},
		{"a\nb\rc\td", `"a\nb\rc\td"`, `"a\nb\rc\td"`},
		{"\x00\x08\x0c\x1f", `"\u0000\u0008\u000c\u001f"`, `"\u0000\u0008\u000c\u001f"`},
		{"<a&b>", `"<a&b>"`, `"\u003ca\u0026b\u003e"`},
		{"héllo ✓", `"héllo ✓"`, `"héllo ✓"`},
		{"line\u2028para\u2029", "\"line\u2028para\u2029\"", `"line\u2028para\u2029"`},
		{"bad\xffutf8", "\"bad\xffutf8\"", `"bad\ufffdutf8"`},
	} {
		require.Equal(t, tc.raw, string(appendRawString(nil, tc.in)), "raw %q", tc.in)
		require.Equal(t, tc.escaped, string(appendString(nil, tc.in)), "escaped %q", tc.in)
	}
}

func TestAppendLabelSets(t *testing.T) {
	got, err := labelSets{
		labels.FromStrings("__name__", "up", "path", "/a?b=<c>&d"),
		labels.EmptyLabels(),
	}.appendJSON(nil)
	require.NoError(t, err)
	require.Equal(t, `[{"__name__":"up","path":"/a?b=<c>&d"},{}]`, string(got))
}
