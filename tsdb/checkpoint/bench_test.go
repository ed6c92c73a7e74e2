package checkpoint

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

var long = flag.Bool("long", false, "also benchmark 1M series (a ~250 MB file)")

// benchSizes returns the series counts to benchmark.
func benchSizes() []int {
	if *long {
		return []int{100_000, 1_000_000}
	}
	return []int{100_000}
}

// streamSeries yields n generated series one at a time, like the head does:
// one Series reused, labels built on the fly, chunk bytes from a pool.
func streamSeries(n int) func(yield func(*Series) error) error {
	return func(yield func(*Series) error) error {
		proto := genSeries(9, 1000)
		sb := labels.NewScratchBuilder(8)
		var s Series
		for i := range n {
			s = proto[i%len(proto)]
			s.Ref = uint64(i)
			s.Labels = testLabels(&sb, i)
			if err := yield(&s); err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkRead measures loading a checkpoint as a restart does: read the
// file, verify it, decode every series and build its labels.
//
//	go test -run XXX -bench Read -benchtime 5x ./tsdb/checkpoint/ [-long]
func BenchmarkRead(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("series=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), Name(1))
			if err := Write(path, Meta{Segment: 1}, streamSeries(n)); err != nil {
				b.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := Read(path, func(*Series) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/series")
			b.ReportMetric(float64(fi.Size())/float64(n), "bytes/series")
		})
	}
}

// BenchmarkWrite measures writing a checkpoint, fsync included, with the
// symbol table and without it (every string inline).
//
//	go test -run XXX -bench Write -benchtime 5x ./tsdb/checkpoint/
func BenchmarkWrite(b *testing.B) {
	for _, n := range benchSizes() {
		for _, tc := range []struct {
			name string
			opts writeOptions
		}{{"symbols", writeOptions{maxSymbols: defaultMaxSymbols}}, {"inline", writeOptions{}}} {
			b.Run(fmt.Sprintf("series=%d/%s", n, tc.name), func(b *testing.B) {
				path := filepath.Join(b.TempDir(), Name(1))
				b.ReportAllocs()
				for b.Loop() {
					if err := write(path, Meta{Segment: 1}, streamSeries(n), tc.opts); err != nil {
						b.Fatal(err)
					}
				}
				fi, err := os.Stat(path)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/series")
				b.ReportMetric(float64(fi.Size())/float64(n), "bytes/series")
			})
		}
	}
}
