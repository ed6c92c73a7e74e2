package ingest

import (
	"errors"
	"testing"
	"unicode/utf8"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vigilsre/vigil/tsdb"
)

// FuzzOTLP feeds protobuf bytes to DecodeOTLP. It never panics, its errors
// are valid UTF-8, it fails exactly when proto.Unmarshal does, and when the
// input is a valid request, decoding its protojson re-encoding gives the
// same batch, the same rejections and the same error.
func FuzzOTLP(f *testing.F) {
	for _, seed := range otlpSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var b tsdb.Batch
		rej, err := DecodeOTLP(&b, p, false)
		if err != nil && !utf8.ValidString(err.Error()) {
			t.Fatalf("error %q is not valid UTF-8", err)
		}
		var req colmetricspb.ExportMetricsServiceRequest
		if uerr := proto.Unmarshal(p, &req); uerr != nil {
			var invalid *InvalidError
			if !errors.As(err, &invalid) {
				t.Fatalf("proto.Unmarshal rejects the input (%v), DecodeOTLP: %v", uerr, err)
			}
			return
		}
		js, jerr := protojson.Marshal(&req)
		if jerr != nil {
			t.Fatalf("protojson.Marshal: %v", jerr)
		}
		var jb tsdb.Batch
		jrej, err2 := DecodeOTLP(&jb, js, true)
		if errString(err) != errString(err2) || errString(rej.Err) != errString(jrej.Err) || rej.Points != jrej.Points {
			t.Fatalf("protobuf: %v, rejected %d (%v)\nJSON: %v, rejected %d (%v)", err, rej.Points, rej.Err, err2, jrej.Points, jrej.Err)
		}
		if err == nil && batchString(&b) != batchString(&jb) {
			t.Fatalf("protobuf batch:\n%s\nJSON batch:\n%s", batchString(&b), batchString(&jb))
		}
	})
}

// otlpSeeds are encodings of the requests of the unit tests.
func otlpSeeds(f *testing.F) [][]byte {
	service := []*commonpb.KeyValue{strAttr("service.name", "api"), strAttr("service.instance.id", "i"), strAttr("host", "h")}
	reqs := []*colmetricspb.ExportMetricsServiceRequest{
		otlpRequest(service, gauge("memory.usage", "By", 42, strAttr("area", "heap"))),
		otlpRequest(service, sum("http.requests", "", true, cumulative, 5, strAttr("a.b", "1"), strAttr("a_b", "2"))),
		otlpRequest(nil, histogram("http.server.duration", "s", cumulative), sum("d", "", true, delta, 1)),
		otlpRequest(nil, &metricspb.Metric{Name: "empty"}),
		{},
	}
	var seeds [][]byte
	for _, r := range reqs {
		p, err := proto.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, p)
	}
	return append(seeds, []byte{0x0a, 0x05, 0x01}, []byte("\x0a\x02\x12\x00"))
}
