package blockenc

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzRoundTrip reads its input two ways: as arbitrary encoded bytes, which
// Decode must reject or accept without panicking (and re-encode to the same
// samples when it accepts), and as samples (16 bytes each: timestamp, value
// bits), which must round-trip bit for bit.
func FuzzRoundTrip(f *testing.F) {
	for _, kind := range []string{"counter", "gauge", "const", "histogram", "float"} {
		s := genKind(kind, 9, 1, 40)[0]
		f.Add(Encode(nil, s.ts, s.vs))
		f.Add(samplesBytes(s.ts, s.vs))
	}
	f.Add(Encode(nil, grid(9), values(9, 1, math.NaN(), staleNaN, math.Inf(-1))))
	f.Add(Encode(nil, grid(20), append(values(19, 0.25), staleNaN)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if ts, vs, err := Decode(data, nil, nil); err == nil {
			roundTrip(t, ts, vs)
		}
		ts, vs := bytesSamples(data)
		roundTrip(t, ts, vs)
	})
}

// samplesBytes lays samples out as bytesSamples reads them.
func samplesBytes(ts []int64, vs []float64) []byte {
	var b []byte
	prev := uint64(0)
	for i := range ts {
		b = binary.LittleEndian.AppendUint64(b, uint64(ts[i]))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(vs[i])^prev)
		prev = math.Float64bits(vs[i])
	}
	return b
}

// bytesSamples reads 16-byte samples; the value bits are XORed with the
// previous value's so that runs of equal and nearby values are reachable.
func bytesSamples(b []byte) ([]int64, []float64) {
	var ts []int64
	var vs []float64
	prev := uint64(0)
	for ; len(b) >= 16; b = b[16:] {
		ts = append(ts, int64(binary.LittleEndian.Uint64(b)))
		prev ^= binary.LittleEndian.Uint64(b[8:])
		vs = append(vs, math.Float64frombits(prev))
	}
	return ts, vs
}
