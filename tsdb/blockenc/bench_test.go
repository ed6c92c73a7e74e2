package blockenc

import (
	"fmt"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// Run:
//
//	go test -run '^$' -bench . -benchtime 20x ./tsdb/blockenc
//
// and compare runs with benchstat. Size metrics are per sample:
// B/sample is Encode's output, zstd-B/sample the same bytes in 64 KiB pages
// compressed with zstd EncodeAll (default level, with entropy coding of
// all-literal blocks, which the default level otherwise skips), and xor-B/sample,
// xor-zstd-B/sample the same for Prometheus' XOR chunks of 120 samples
// (chunk bytes only: no chunk headers, CRCs or index entries).

const (
	pageSize     = 64 << 10
	xorChunkSize = 120
	benchSamples = 500_000 // per sub-benchmark, at least
	benchSeries  = 120     // per sub-benchmark, at least
)

var benchKinds = []string{"mix", "counter", "gauge", "const", "histogram", "float"}

// benchSet returns at least benchSamples samples and benchSeries series of
// kind, in series of n samples.
func benchSet(kind string, n int) []series {
	count := max(benchSamples/n, benchSeries)
	if kind == "mix" {
		return genMix(42, count, n)
	}
	return genKind(kind, 42, count, n)
}

func BenchmarkSize(b *testing.B) {
	for _, kind := range benchKinds {
		for _, n := range []int{720, 17280} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) { benchSize(b, benchSet(kind, n)) })
		}
	}
}

// benchSize times Encode over set and reports both encodings' sizes.
func benchSize(b *testing.B, set []series) {
	samples := 0
	for _, s := range set {
		samples += len(s.ts)
	}
	raw, packed := pagedSize(b, set, encodeSeries)
	xorRaw, xorPacked := pagedSize(b, set, encodeXOR)
	b.ReportAllocs()
	var dst []byte
	for b.Loop() {
		for _, s := range set {
			dst = Encode(dst[:0], s.ts, s.vs)
		}
	}
	per := func(x int) float64 { return float64(x) / float64(samples) }
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(samples), "ns/sample")
	b.ReportMetric(per(raw), "B/sample")
	b.ReportMetric(per(packed), "zstd-B/sample")
	b.ReportMetric(per(xorRaw), "xor-B/sample")
	b.ReportMetric(per(xorPacked), "xor-zstd-B/sample")
	b.ReportMetric(0, "ns/op")
}

// pagedSize appends every series' encoding to 64 KiB pages and returns the
// total bytes before and after zstd.
func pagedSize(b *testing.B, set []series, enc func([]byte, series) []byte) (raw, packed int) {
	z, err := zstd.NewWriter(nil, zstd.WithAllLitEntropyCompression(true))
	if err != nil {
		b.Fatal(err)
	}
	defer z.Close()
	var page, out []byte
	flush := func() {
		raw += len(page)
		out = z.EncodeAll(page, out[:0])
		packed += len(out)
		page = page[:0]
	}
	for _, s := range set {
		if page = enc(page, s); len(page) >= pageSize {
			flush()
		}
	}
	flush()
	return raw, packed
}

// encodeSeries appends Encode's bytes.
func encodeSeries(dst []byte, s series) []byte {
	return Encode(dst, s.ts, s.vs)
}

// encodeXOR appends the bytes of Prometheus XOR chunks of the series.
func encodeXOR(dst []byte, s series) []byte {
	for lo := 0; lo < len(s.ts); lo += xorChunkSize {
		c := chunkenc.NewXORChunk()
		app, err := c.Appender()
		if err != nil {
			panic(err)
		}
		for i := lo; i < min(lo+xorChunkSize, len(s.ts)); i++ {
			app.Append(0, s.ts[i], s.vs[i])
		}
		dst = append(dst, c.Bytes()...)
	}
	return dst
}

func BenchmarkDecode(b *testing.B) {
	for _, kind := range benchKinds {
		for _, n := range []int{720, 17280} {
			set := benchSet(kind, n)
			b.Run(fmt.Sprintf("%s/%d/blockenc", kind, n), func(b *testing.B) { benchDecode(b, set) })
			b.Run(fmt.Sprintf("%s/%d/xor", kind, n), func(b *testing.B) { benchDecodeXOR(b, set) })
		}
	}
}

// benchDecode times Decode of every series of set into reused slices.
func benchDecode(b *testing.B, set []series) {
	encs, samples := make([][]byte, len(set)), 0
	for i, s := range set {
		encs[i], samples = Encode(nil, s.ts, s.vs), samples+len(s.ts)
	}
	var ts []int64
	var vs []float64
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range encs {
			var err error
			if ts, vs, err = Decode(e, ts[:0], vs[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(samples), "ns/sample")
	b.ReportMetric(0, "ns/op")
}

// benchDecodeXOR times iterating Prometheus XOR chunks of the same samples.
func benchDecodeXOR(b *testing.B, set []series) {
	var chunks []chunkenc.Chunk
	samples := 0
	for _, s := range set {
		samples += len(s.ts)
		for lo := 0; lo < len(s.ts); lo += xorChunkSize {
			c, err := chunkenc.FromData(chunkenc.EncXOR, encodeXOR(nil, series{s.ts[lo:min(lo+xorChunkSize, len(s.ts))], s.vs[lo:]}))
			if err != nil {
				b.Fatal(err)
			}
			chunks = append(chunks, c)
		}
	}
	var it chunkenc.Iterator
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range chunks {
			it = c.Iterator(it)
			for it.Next() == chunkenc.ValFloat {
				_, _ = it.At()
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(samples), "ns/sample")
	b.ReportMetric(0, "ns/op")
}
