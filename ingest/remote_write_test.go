package ingest

import (
	"errors"
	"math"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/prompb"

	"github.com/vigilsre/vigil/tsdb"
)

func TestDecodeRemoteWrite(t *testing.T) {
	staleNaN := math.Float64frombits(value.StaleNaN)
	cases := []struct {
		name string
		req  prompb.WriteRequest
		want string
	}{{
		name: "labels sorted, samples in order",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
			ts([]string{"job", "api", "__name__", "up", "instance", "a:1"}, 1000, 1, 2000, 0),
		}},
		want: `{__name__="up", instance="a:1", job="api"} 1000:1 2000:0` + "\n",
	}, {
		name: "several series, same labels twice stay apart",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
			ts([]string{"__name__", "a"}, 1, 1.5),
			ts([]string{"__name__", "b", "x", "y"}, 2, -2),
			ts([]string{"__name__", "a"}, 3, 3),
		}},
		want: "{__name__=\"a\"} 1:1.5\n{__name__=\"b\", x=\"y\"} 2:-2\n{__name__=\"a\"} 3:3\n",
	}, {
		name: "empty label value dropped",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
			ts([]string{"__name__", "a", "empty", "", "z", "1"}, 5, 5),
		}},
		want: `{__name__="a", z="1"} 5:5` + "\n",
	}, {
		name: "series without samples is left out",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
			ts([]string{"__name__", "nosamples"}),
			ts([]string{"__name__", "a"}, 1, 1),
		}},
		want: `{__name__="a"} 1:1` + "\n",
	}, {
		name: "special values and negative timestamp",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
			ts([]string{"__name__", "a"}, -5, math.Inf(1), 0, math.Inf(-1), 1, staleNaN, 2, math.NaN()),
		}},
		want: `{__name__="a"} -5:+Inf 0:-Inf 1:NaN(0x7ff0000000000002) 2:NaN(0x7ff8000000000001)` + "\n",
	}, {
		name: "series without a metric name",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
			ts([]string{"job", "x"}, 1, 1),
		}},
		want: `{job="x"} 1:1` + "\n",
	}, {
		name: "exemplars and metadata dropped",
		req: prompb.WriteRequest{
			Timeseries: []prompb.TimeSeries{{
				Labels:    []prompb.Label{{Name: "__name__", Value: "a"}},
				Samples:   []prompb.Sample{{Value: 1, Timestamp: 1}},
				Exemplars: []prompb.Exemplar{{Labels: []prompb.Label{{Name: "trace_id", Value: "abc"}}, Value: 1, Timestamp: 1}},
			}},
			Metadata: []prompb.MetricMetadata{{Type: prompb.MetricMetadata_COUNTER, MetricFamilyName: "a", Help: "h"}},
		},
		want: `{__name__="a"} 1:1` + "\n",
	}, {
		name: "native histograms dropped, float samples of the series kept",
		req: prompb.WriteRequest{Timeseries: []prompb.TimeSeries{{
			Labels:     []prompb.Label{{Name: "__name__", Value: "h"}},
			Samples:    []prompb.Sample{{Value: 2, Timestamp: 7}},
			Histograms: []prompb.Histogram{{Count: &prompb.Histogram_CountInt{CountInt: 3}, Sum: 1, Timestamp: 7}},
		}}},
		want: `{__name__="h"} 7:2` + "\n",
	}, {
		name: "empty request",
		req:  prompb.WriteRequest{},
		want: "",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b tsdb.Batch
			if err := DecodeRemoteWrite(&b, remoteWriteBody(t, &tc.req)); err != nil {
				t.Fatalf("DecodeRemoteWrite: %v", err)
			}
			if got := batchString(&b); got != tc.want {
				t.Errorf("batch:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestDecodeRemoteWriteCountsHistograms(t *testing.T) {
	h := prompb.Histogram{Count: &prompb.Histogram_CountInt{CountInt: 1}, Timestamp: 1}
	req := prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		{Labels: []prompb.Label{{Name: "__name__", Value: "a"}}, Histograms: []prompb.Histogram{h, h}},
		{Labels: []prompb.Label{{Name: "__name__", Value: "b"}}, Histograms: []prompb.Histogram{h}},
	}}
	var b tsdb.Batch
	n, err := new(decoder).decodeRemoteWrite(&b, remoteWriteBody(t, &req), DefaultMaxBodyBytes)
	if err != nil || n != 3 || len(b.Series) != 0 {
		t.Fatalf("decodeRemoteWrite = %d histograms, %d series, %v; want 3, 0, nil", n, len(b.Series), err)
	}
}

// TestDecodeRemoteWriteUnknownFields checks that fields a newer sender may
// add are skipped, whatever their wire type.
func TestDecodeRemoteWriteUnknownFields(t *testing.T) {
	series := concat(
		[]byte{0x0a, 0x0f},                                                                  // labels, 15 bytes
		[]byte{0x0a, 0x08}, []byte("__name__"), []byte{0x12, 0x01, 'a'}, []byte{0x18, 0x05}, // Label field 3 varint
		[]byte{0x12, 0x0b},                                             // samples, 11 bytes
		[]byte{0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, []byte{0x10, 0x07}, // value 1, timestamp 7
		[]byte{0x4d, 1, 2, 3, 4},       // TimeSeries field 9, fixed32
		[]byte{0x53, 0x08, 0x01, 0x54}, // TimeSeries field 10, a group holding field 1 = 1
	)
	req := concat([]byte{0x0a, byte(len(series))}, series,
		[]byte{0x28, 0x96, 0x01},     // WriteRequest field 5, varint 150
		[]byte{0x12, 0x02, 'h', 'i'}, // WriteRequest field 2 (reserved), bytes
	)
	var b tsdb.Batch
	if err := DecodeRemoteWrite(&b, snappy.Encode(nil, req)); err != nil {
		t.Fatalf("DecodeRemoteWrite: %v", err)
	}
	if got, want := batchString(&b), `{__name__="a"} 7:1`+"\n"; got != want {
		t.Errorf("batch %q, want %q", got, want)
	}
	var gogo prompb.WriteRequest
	if err := gogo.Unmarshal(req); err != nil {
		t.Errorf("gogo rejects the test input: %v", err)
	}
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestDecodeRemoteWriteErrors(t *testing.T) {
	series := func(kv ...string) []byte {
		return remoteWriteBody(t, &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{ts(kv, 1, 1)}})
	}
	cases := []struct {
		name, want string
		body       []byte
	}{
		{"bad snappy", "decode snappy: s2: corrupt input", []byte("not snappy at all")},
		{"bad protobuf: truncated length", "decode remote-write protobuf: WriteRequest field 1: length runs past the end of the message",
			snappy.Encode(nil, []byte{0x0a, 0x05, 0x01})},
		{"bad protobuf: wrong wire type", "decode remote-write protobuf: WriteRequest field 1: wire type 0, want 2",
			snappy.Encode(nil, []byte{0x08, 0x01})},
		{"bad protobuf: varint overflow", "decode remote-write protobuf: WriteRequest: varint longer than 10 bytes",
			snappy.Encode(nil, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})},
		{"bad protobuf: field number 0", "decode remote-write protobuf: WriteRequest: illegal field number 0",
			snappy.Encode(nil, []byte{0x02, 0x00})},
		{"bad protobuf: truncated sample", "decode remote-write protobuf: WriteRequest field 1: TimeSeries: field 2: Sample field 1: unexpected end of message",
			snappy.Encode(nil, []byte{0x0a, 0x04, 0x12, 0x02, 0x09, 0x00})},
		{"invalid metric name", `invalid metric name "1up" in series {__name__="1up", job="a"}`, series("__name__", "1up", "job", "a")},
		{"invalid label name", `invalid label name "0x" in series cpu{"0x"="1"}`, series("__name__", "cpu", "0x", "1")},
		{"duplicate label name", `duplicate label name "a" in series x{a="1", a="2"}`, series("__name__", "x", "a", "1", "a", "2")},
		{"empty label set", `empty label set (labels with empty values count as absent) in series {a=""}`, series("a", "")},
		{"no labels at all", `empty label set (labels with empty values count as absent) in series {}`, series()},
		{"invalid UTF-8", `invalid UTF-8 in the value of label a: "\xff" in series x{a="\xff"}`, series("__name__", "x", "a", "\xff")},
		{"empty metric name", `invalid metric name "" in series {__name__="", a="1"}`, series("__name__", "", "a", "1")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b tsdb.Batch
			err := DecodeRemoteWrite(&b, tc.body)
			var invalid *InvalidError
			if !errors.As(err, &invalid) {
				t.Fatalf("DecodeRemoteWrite error %v (%T), want an *InvalidError", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n %s\nwant\n %s", err, tc.want)
			}
		})
	}
}

func TestDecodeRemoteWriteCountsProblems(t *testing.T) {
	req := prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		ts([]string{"__name__", "ok"}, 1, 1),
		ts([]string{"__name__", "1bad"}, 1, 1, 2, 2),
		ts([]string{"__name__", "ok2"}, 1, 1),
		ts([]string{"__name__", "2bad"}, 1, 1),
	}}
	var b tsdb.Batch
	err := DecodeRemoteWrite(&b, remoteWriteBody(t, &req))
	want := &InvalidError{Problems: 2, Samples: 5}
	var got *InvalidError
	if !errors.As(err, &got) || got.Problems != want.Problems || got.Samples != want.Samples {
		t.Fatalf("error %#v, want Problems 2, Samples 5", err)
	}
	if msg := `invalid metric name "1bad" in series {__name__="1bad"} (and 1 more problems)`; err.Error() != msg {
		t.Errorf("error %q, want %q", err, msg)
	}
}

func TestDecodeRemoteWriteLimit(t *testing.T) {
	body := remoteWriteBody(t, &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{ts([]string{"__name__", "a"}, 1, 1)}})
	n, _ := snappy.DecodedLen(body)
	var b tsdb.Batch
	_, err := new(decoder).decodeRemoteWrite(&b, body, int64(n-1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if _, err := new(decoder).decodeRemoteWrite(&b, body, int64(n)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
}
