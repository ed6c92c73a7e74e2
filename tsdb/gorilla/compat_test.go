package gorilla

import (
	"bytes"
	"testing"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// The package writes Prometheus' XOR chunk layout bit for bit. Prometheus is
// used here, in tests only, as an independent oracle for that claim.

// encodePrometheus encodes samples with Prometheus' XOR chunk.
func encodePrometheus(t testing.TB, samples []sample) []byte {
	c := chunkenc.NewXORChunk()
	app, err := c.Appender()
	if err != nil {
		t.Fatalf("prometheus appender: %v", err)
	}
	for _, s := range samples {
		app.Append(0, s.t, s.v)
	}
	return c.Bytes()
}

// decodePrometheus decodes b with Prometheus' XOR iterator.
func decodePrometheus(b []byte) ([]sample, error) {
	c, err := chunkenc.FromData(chunkenc.EncXOR, b)
	if err != nil {
		return nil, err
	}
	it := c.Iterator(nil)
	var got []sample
	for it.Next() != chunkenc.ValNone {
		t, v := it.At()
		got = append(got, sample{t: t, v: v})
	}
	return got, it.Err()
}

func TestPrometheusCompat(t *testing.T) {
	for _, tc := range roundTripCases() {
		t.Run(tc.name, func(t *testing.T) {
			ours, theirs := encode(tc.samples), encodePrometheus(t, tc.samples)
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("encoding differs from Prometheus' XOR chunk:\nours   %x\ntheirs %x", ours, theirs)
			}
			got, err := decodePrometheus(ours)
			if err != nil {
				t.Fatalf("Prometheus decode: %v", err)
			}
			requireSamples(t, tc.samples, got)
		})
	}
}
