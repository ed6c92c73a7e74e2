package checkpoint

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

// staleNaN is Prometheus' stale marker.
var staleNaN = math.Float64frombits(0x7ff0000000000002)

// odd values that must survive bit for bit.
var oddValues = []float64{staleNaN, math.NaN(), math.Float64frombits(0x7ff8dead0000beef), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1.5, -3e300}

// testLabels returns realistic labels for series i: shared names and values
// plus one value unique to the series.
func testLabels(sb *labels.ScratchBuilder, i int) labels.Labels {
	sb.Reset()
	sb.Add("__name__", fmt.Sprintf("metric_%d_total", i%200))
	sb.Add("env", []string{"prod", "staging", "dev"}[i%3])
	sb.Add("instance", fmt.Sprintf("10.0.%d.%d:9100", i/256%256, i%256))
	sb.Add("job", fmt.Sprintf("job-%d", i%20))
	sb.Add("pod", fmt.Sprintf("api-7d9f8b-%06x", i))
	sb.Add("region", []string{"eu-west-1", "us-east-1", "ap-south-1", "us-west-2", "eu-central-1"}[i%5])
	return sb.Labels()
}

// genSeries returns n series from seed: most with one chunk of about 150
// bytes, some with several, some without a last sample, some with
// out-of-order samples holding odd values. Chunk bytes are views of pool.
func genSeries(seed uint64, n int) []Series {
	r := rand.New(rand.NewPCG(seed, 3))
	pool := make([]byte, 8192)
	for i := range pool {
		pool[i] = byte(r.Uint32())
	}
	sb := labels.NewScratchBuilder(8)
	out := make([]Series, n)
	for i := range out {
		s := &out[i]
		s.Ref = uint64(i)*3 + 1
		s.Labels = testLabels(&sb, i)
		s.HasLast = i%7 != 0
		if s.HasLast {
			s.LastT = 1_700_000_000_000 + int64(i)
			s.LastV = oddValues[i%len(oddValues)]
		}
		for c := range 1 + (i%10)/8 {
			size := 100 + r.IntN(100)
			if i%13 == 0 {
				size = 0
			}
			off := r.IntN(len(pool) - size)
			minT := int64(c*7_200_000 - i)
			s.Chunks = append(s.Chunks, Chunk{MinT: minT, MaxT: minT + int64(r.IntN(7_200_000)), Data: pool[off : off+size]})
		}
		if i%5 == 0 {
			for k := range 1 + i%4 {
				s.OutOfOrder = append(s.OutOfOrder, Sample{T: -5 + int64(k)*int64(i), V: oddValues[(i+k)%len(oddValues)]})
			}
		}
	}
	return out
}

// yieldAll returns a series callback for Write that yields each of ss.
func yieldAll(ss []Series) func(yield func(*Series) error) error {
	return func(yield func(*Series) error) error {
		for i := range ss {
			if err := yield(&ss[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// canonical is a Series in comparable form: values as bits, labels as text.
type canonical struct {
	Ref        uint64
	Labels     string
	LastT      int64
	LastV      uint64
	HasLast    bool
	Chunks     []Chunk
	OutOfOrder [][2]uint64
}

// canon returns s in canonical form, copying everything.
func canon(s *Series) canonical {
	c := canonical{Ref: s.Ref, Labels: s.Labels.String(), LastT: s.LastT, LastV: math.Float64bits(s.LastV), HasLast: s.HasLast}
	c.Chunks = []Chunk{}
	for _, ch := range s.Chunks {
		c.Chunks = append(c.Chunks, Chunk{MinT: ch.MinT, MaxT: ch.MaxT, Data: append([]byte{}, ch.Data...)})
	}
	c.OutOfOrder = [][2]uint64{}
	for _, o := range s.OutOfOrder {
		c.OutOfOrder = append(c.OutOfOrder, [2]uint64{uint64(o.T), math.Float64bits(o.V)})
	}
	return c
}

// canonAll returns ss in canonical form.
func canonAll(ss []Series) []canonical {
	out := []canonical{}
	for i := range ss {
		out = append(out, canon(&ss[i]))
	}
	return out
}

// readAll reads the checkpoint at path and returns its meta and series.
func readAll(t testing.TB, path string) (Meta, []canonical) {
	t.Helper()
	got := []canonical{}
	m, err := Read(path, func(s *Series) error {
		got = append(got, canon(s))
		return nil
	})
	require.NoError(t, err)
	return m, got
}

// mustWrite writes ss as a checkpoint at path.
func mustWrite(t testing.TB, path string, m Meta, ss []Series) {
	t.Helper()
	require.NoError(t, Write(path, m, yieldAll(ss)))
}

// withTrailer returns body followed by a valid trailer for count series.
func withTrailer(body []byte, count uint64) []byte {
	e := &crcWriter{w: discard{}}
	b := slices.Clone(body)
	b = appendUint64(b, count)
	_, _ = e.Write(b)
	return appendUint32(b, e.crc)
}

// discard is an io.Writer that drops everything.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func appendUint64(b []byte, v uint64) []byte {
	for i := range 8 {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func appendUint32(b []byte, v uint32) []byte {
	for i := range 4 {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}
