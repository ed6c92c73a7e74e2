package ingest

import (
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"github.com/prometheus/prometheus/prompb"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb"
)

// FuzzDecodeRemoteWrite holds the hand-written protobuf decoder to gogo's
// prompb.WriteRequest.Unmarshal: on any input both fail, or both succeed
// and the batch is what gogo decoded, passed through Vigil's validation
// (re-implemented here with Prometheus' own name checks). The fuzzed bytes
// are the protobuf; the test snappy-compresses them.
func FuzzDecodeRemoteWrite(f *testing.F) {
	for _, seed := range remoteWriteSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var gogo prompb.WriteRequest
		gogoErr := gogo.Unmarshal(p)
		var b tsdb.Batch
		histograms, err := new(decoder).decodeRemoteWrite(&b, snappy.Encode(nil, p), math.MaxInt64)
		if err != nil && !utf8.ValidString(err.Error()) {
			t.Fatalf("error %q is not valid UTF-8", err)
		}
		if gogoErr != nil {
			if err == nil {
				t.Fatalf("gogo rejects the input (%v), DecodeRemoteWrite accepts it", gogoErr)
			}
			return
		}
		want, wantHistograms, problems := expectedBatch(&gogo)
		checkDecoded(t, &b, err, want, problems)
		if err == nil && histograms != wantHistograms {
			t.Fatalf("%d native histograms, gogo %d", histograms, wantHistograms)
		}
		if err == nil {
			checkCachedDecode(t, snappy.Encode(nil, p), want)
		}
	})
}

// checkCachedDecode decodes a valid body twice through a series cache: the
// first time every series is decoded from its labels, and cached under the
// reference a stand-in store gives it; the second time the series with
// their labels one after the other come by that reference alone, and
// resolving them gives the labels of the first time.
func checkCachedDecode(t *testing.T, body []byte, want string) {
	t.Helper()
	d := &decoder{cache: newSeriesCache(1 << 10)}
	var first, second tsdb.Batch
	if _, err := d.decodeRemoteWrite(&first, body, math.MaxInt64); err != nil {
		t.Fatalf("through the cache: %v", err)
	}
	if got := batchString(&first); got != want {
		t.Fatalf("through the cache:\n%s\nwant:\n%s", got, want)
	}
	refs := map[string]storage.SeriesRef{} // the stand-in store
	for i := range first.Series {
		s := &first.Series[i]
		if refs[s.Labels.String()] == 0 {
			refs[s.Labels.String()] = storage.SeriesRef(len(refs) + 1)
		}
		s.Ref = refs[s.Labels.String()]
	}
	d.remember(&first)
	if _, err := d.decodeRemoteWrite(&second, body, math.MaxInt64); err != nil {
		t.Fatalf("from the cache: %v", err)
	}
	for i := range second.Series {
		s := &second.Series[i]
		if s.Ref == 0 {
			continue // labels not one after the other: decoded again
		}
		ls, err := d.resolve(i)
		if err != nil {
			t.Fatalf("resolve series %d: %v", i, err)
		}
		if s.Ref != refs[ls.String()] {
			t.Fatalf("series %d %s came by ref %d, want %d", i, ls, s.Ref, refs[ls.String()])
		}
		s.Labels = ls
	}
	if got := batchString(&second); got != want {
		t.Fatalf("from the cache:\n%s\nwant:\n%s", got, want)
	}
}

// checkDecoded compares a decoded batch, or its error, with what gogo found.
func checkDecoded(t *testing.T, b *tsdb.Batch, err error, want string, problems int) {
	t.Helper()
	var invalid *InvalidError
	switch {
	case problems == 0 && err != nil:
		t.Fatalf("gogo accepts the input, DecodeRemoteWrite: %v", err)
	case problems > 0 && (!errors.As(err, &invalid) || invalid.Problems != problems):
		t.Fatalf("want %d invalid series, got %v", problems, err)
	case problems == 0 && batchString(b) != want:
		t.Fatalf("batch:\n%s\ngogo:\n%s", batchString(b), want)
	}
}

// expectedBatch applies Vigil's validation rules to gogo's request.
func expectedBatch(req *prompb.WriteRequest) (batch string, histograms, problems int) {
	var b tsdb.Batch
	for _, ts := range req.Timeseries {
		histograms += len(ts.Histograms)
		ls, ok := expectedLabels(ts.Labels)
		if !ok {
			problems++
			continue
		}
		if len(ts.Samples) == 0 {
			continue
		}
		s := b.Next()
		s.Labels = ls
		for _, smp := range ts.Samples {
			s.Samples = append(s.Samples, tsdb.Sample{T: smp.Timestamp, V: smp.Value})
		}
	}
	return batchString(&b), histograms, problems
}

// expectedLabels validates labels with Prometheus' checks.
func expectedLabels(pl []prompb.Label) (labels.Labels, bool) {
	var sb labels.ScratchBuilder
	for _, l := range pl {
		if !model.LegacyValidation.IsValidLabelName(l.Name) || !utf8.ValidString(l.Value) {
			return labels.EmptyLabels(), false
		}
		if l.Name == labels.MetricName && !model.LegacyValidation.IsValidMetricName(l.Value) {
			return labels.EmptyLabels(), false
		}
		sb.Add(l.Name, l.Value)
	}
	sb.Sort()
	ls := sb.Labels()
	if _, dup := ls.HasDuplicateLabelNames(); dup {
		return ls, false
	}
	ls = ls.WithoutEmpty()
	return ls, !ls.IsEmpty()
}

// remoteWriteSeeds are protobuf bodies of valid requests of several shapes.
// Malformed ones are in testdata/fuzz/FuzzDecodeRemoteWrite.
func remoteWriteSeeds() [][]byte {
	h := prompb.Histogram{
		Count: &prompb.Histogram_CountInt{CountInt: 3}, Sum: 1.5, Schema: 1, ZeroThreshold: 0.001,
		ZeroCount:      &prompb.Histogram_ZeroCountInt{ZeroCountInt: 1},
		PositiveSpans:  []prompb.BucketSpan{{Offset: -1, Length: 2}},
		PositiveDeltas: []int64{1, -1}, NegativeCounts: []float64{1, 2}, Timestamp: 9,
	}
	reqs := []prompb.WriteRequest{
		{},
		{Timeseries: []prompb.TimeSeries{ts([]string{"__name__", "up", "job", "api"}, 1000, 1, 2000, 0)}},
		{Timeseries: []prompb.TimeSeries{ts([]string{"__name__", "a"}, 1, 1), ts([]string{"__name__", "b", "x", ""}, 2, math.NaN())}},
		{Timeseries: []prompb.TimeSeries{ts([]string{"__name__", "0bad", "a", "\xff"}, 1, 1), ts([]string{"a", "1", "a", "2"}, 1, 1)}},
		{Timeseries: []prompb.TimeSeries{{
			Labels:     []prompb.Label{{Name: "__name__", Value: "h"}},
			Samples:    []prompb.Sample{{Value: 1, Timestamp: 1}},
			Exemplars:  []prompb.Exemplar{{Labels: []prompb.Label{{Name: "trace_id", Value: "t"}}, Value: 1, Timestamp: 1}},
			Histograms: []prompb.Histogram{h},
		}}, Metadata: []prompb.MetricMetadata{{Type: prompb.MetricMetadata_GAUGE, MetricFamilyName: "h", Help: "help", Unit: "s"}}},
	}
	var seeds [][]byte
	for i := range reqs {
		p, err := reqs[i].Marshal()
		if err != nil {
			panic("BUG: marshal seed: " + err.Error())
		}
		seeds = append(seeds, p)
	}
	return seeds
}

// FuzzParseText checks that ParseText never panics, that what it accepts is
// a valid batch, and that it reads what Prometheus' own text parser reads
// (for inputs without comments, leading blanks or signed timestamps, where
// the two knowingly differ).
func FuzzParseText(f *testing.F) {
	for _, seed := range textSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkCachedText(t, body)
		var b tsdb.Batch
		if err := ParseText(&b, body, testNow); err != nil {
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error %q is not valid UTF-8", err)
			}
			return
		}
		checkValidBatch(t, &b)
		if comparableWithPrometheus(body) {
			if got, want := seriesSamples(&b), prometheusSamples(t, body); got != want {
				t.Fatalf("ParseText:\n%s\nPrometheus:\n%s", got, want)
			}
		}
	})
}

var textSeeds = []string{
	"up 1\n",
	"up{job=\"api\",instance=\"a:1\"} 1 1000\n",
	"# HELP up Whether up.\n# TYPE up gauge\nup 1\n\n",
	"m{a=\"q\\\"b\\\\s\\nn\",} NaN 5\nm{a=\"x\"} +Inf\nm -Inf -5\n",
	" m { a = \"1\" } 1e3 \t7 \n",
	"a 1 1\nb 1 1\na 2 2\n",
	"cpu{0x=\"1\"} 1\n",
	"m{a=\"1\" b=\"2\"} 1\n",
	"m{a=\"\\t\"} 1\n",
	"x{a=\"\"} 1\n",
	// One series under several texts, for the series cache (checkCachedText).
	"m{a=\"1\",b=\"2\"} 1 1\nm{b=\"2\",a=\"1\"} 2 2\nm{ a=\"1\", b=\"2\", c=\"\" } 3 3\nm{a=\"1\",b=\"2\"} 4 4\n",
	"up 1 1\nup{} 2 2\nup { } 3\nx{a=\"\\\"\"} 1 1\nx{a=\"\\\"\",} 2 2\nup 4 4\n",
	"a 1 1\nb{0x=\"1\"} 1 1\na{} 2 2\n",
}

// checkValidBatch checks the contract of tsdb.BatchSeries.
func checkValidBatch(t *testing.T, b *tsdb.Batch) {
	t.Helper()
	for _, s := range b.Series {
		if s.Labels.IsEmpty() || len(s.Samples) == 0 {
			t.Fatalf("series %s with %d samples", s.Labels, len(s.Samples))
		}
		prev := ""
		s.Labels.Range(func(l labels.Label) {
			ok := l.Name > prev && l.Value != "" && utf8.ValidString(l.Value) && model.LegacyValidation.IsValidLabelName(l.Name)
			if l.Name == labels.MetricName {
				ok = ok && model.LegacyValidation.IsValidMetricName(l.Value)
			}
			if !ok {
				t.Fatalf("invalid label %s=%q after %q in series %s", l.Name, l.Value, prev, s.Labels)
			}
			prev = l.Name
		})
	}
}

// comparableWithPrometheus reports whether body avoids the places where
// ParseText knowingly departs from textparse: comments (skipped, where
// textparse applies # TYPE to label values), leading blanks (textparse
// keeps them in the metric name) and signed timestamps (textparse rejects
// them).
func comparableWithPrometheus(body []byte) bool {
	for line := range bytes.SplitSeq(body, []byte{'\n'}) {
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') || bytes.Contains(line, []byte{'#'}) ||
			bytes.Contains(line, []byte(" -")) || bytes.Contains(line, []byte(" +")) ||
			bytes.Contains(line, []byte("\t-")) || bytes.Contains(line, []byte("\t+")) {
			return false
		}
	}
	return true
}

// seriesSamples renders the samples of b grouped by series, sorted.
func seriesSamples(b *tsdb.Batch) string {
	var lines []string
	for _, s := range b.Series {
		one := tsdb.Batch{Series: []tsdb.BatchSeries{s}}
		lines = append(lines, batchString(&one))
	}
	slices.Sort(lines)
	return string(bytes.Join(toBytes(lines), nil))
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// prometheusSamples parses body with textparse into the same form.
func prometheusSamples(t *testing.T, body []byte) string {
	p := textparse.NewPromParser(slices.Clone(body), labels.NewSymbolTable(), false)
	var b tsdb.Batch
	index := map[string]int{}
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("ParseText accepts the input, textparse: %v", err)
		}
		if entry != textparse.EntrySeries {
			continue
		}
		var ls labels.Labels
		p.Labels(&ls)
		ls = ls.WithoutEmpty()
		_, tp, v := p.Series()
		tm := int64(testNow)
		if tp != nil {
			tm = *tp
		}
		i, ok := index[ls.String()]
		if !ok {
			i = len(b.Series)
			index[ls.String()] = i
			b.Next().Labels = ls
		}
		b.Series[i].Samples = append(b.Series[i].Samples, tsdb.Sample{T: tm, V: v})
	}
	return seriesSamples(&b)
}
