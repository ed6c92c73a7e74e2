package tsdb

// Run side by side and compare with benchstat:
//
//	go test ./tsdb/ -run '^$' -bench 'PostingsForMatchers|FilterRefs' -count 6 | tee postings.txt
//	benchstat -col /impl postings.txt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	promtsdb "github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/index"
	"github.com/stretchr/testify/require"
)

// postingsBenchSeries is the size of the benchmark's one metric.
const postingsBenchSeries = 100_000

// postingsBenchLabels returns the i-th series of the benchmark data: one
// metric over 1,000 services of 100 series each, every service with 20 series
// of each of five codes, and a unique instance.
func postingsBenchLabels(i int) labels.Labels {
	return labels.FromStrings("__name__", "http_requests_total",
		"code", []string{"200", "201", "404", "500", "503"}[(i/1000)%5],
		"instance", fmt.Sprintf("10.%d.%d.%d:9100", i>>16, (i>>8)&255, i&255),
		"service", fmt.Sprintf("svc-%d", i%1000))
}

// BenchmarkPostingsForMatchers resolves the matchers of typical rule
// selectors over 100k series of one metric: impl=seek is postingsForMatchers,
// impl=linear the merge-walk reference it replaced (linearPostingsForMatchers
// below), impl=prometheus Prometheus' head index on the same series, its
// postings expanded into a list as ours are.
func BenchmarkPostingsForMatchers(b *testing.B) {
	ix := &postingsIndex{}
	ix.init()
	prom := openPromHead(b)
	app := prom.AppenderV2(context.Background())
	for i := range postingsBenchSeries {
		lset := postingsBenchLabels(i)
		ix.add(storage.SeriesRef(i+1), lset, strings.Clone)
		_, err := app.Append(0, lset, 0, 0, 0, nil, nil, storage.AOptions{})
		require.NoError(b, err)
	}
	require.NoError(b, app.Commit())
	promIndex, err := prom.Head().Index()
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, promIndex.Close()) })
	for _, c := range postingsBenchCases() {
		want := linearPostingsForMatchers(ix, c.ms)
		require.Len(b, want, c.want, c.name)
		require.Equal(b, want, ix.postingsForMatchers(c.ms), c.name)
		for _, impl := range []struct {
			name string
			run  func() int
		}{
			{"seek", func() int { return len(ix.postingsForMatchers(c.ms)) }},
			{"linear", func() int { return len(linearPostingsForMatchers(ix, c.ms)) }},
			{"prometheus", func() int { return expandPromPostings(b, promIndex, c.ms) }},
		} {
			b.Run("case="+c.name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if n := impl.run(); n != c.want {
						b.Fatalf("got %d series, want %d", n, c.want)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(max(c.want, 1)), "ns/series")
			})
		}
	}
}

type postingsBenchCase struct {
	name string
	ms   []*labels.Matcher
	want int // series selected
}

func postingsBenchCases() []postingsBenchCase {
	name := m(labels.MatchEqual, "__name__", "http_requests_total")
	svc := m(labels.MatchEqual, "service", "svc-17")
	return []postingsBenchCase{
		// 100k ∩ 100: the case this change is for.
		{"name_service", []*labels.Matcher{name, svc}, 100},
		// 100k ∩ 100 ∩ (20k+20k): the profiled rule selector.
		{"name_service_code_regex", []*labels.Matcher{name, svc, m(labels.MatchRegexp, "code", "5..")}, 40},
		// 100k ∩ 100 − 20k.
		{"name_service_not_code", []*labels.Matcher{name, svc, m(labels.MatchNotEqual, "code", "200")}, 80},
		// 100k ∩ 20k: lists of similar size, where seeking gains nothing.
		{"name_code", []*labels.Matcher{name, m(labels.MatchEqual, "code", "500")}, 20_000},
		// 100k − 20k: a large subtraction.
		{"name_not_code", []*labels.Matcher{name, m(labels.MatchNotEqual, "code", "200")}, 80_000},
		// 100k − 100: subtracting a small list from a large one.
		{"name_not_service", []*labels.Matcher{name, m(labels.MatchNotEqual, "service", "svc-17")}, 99_900},
	}
}

func openPromHead(b *testing.B) *promtsdb.DB {
	db, err := promtsdb.Open(b.TempDir(), nil, nil, promtsdb.DefaultOptions(), nil)
	require.NoError(b, err)
	db.DisableCompactions()
	b.Cleanup(func() { require.NoError(b, db.Close()) })
	return db
}

func expandPromPostings(b *testing.B, ir promtsdb.IndexReader, ms []*labels.Matcher) int {
	p, err := promtsdb.PostingsForMatchers(context.Background(), ir, ms...)
	if err != nil {
		b.Fatal(err)
	}
	refs, err := index.ExpandPostings(p)
	if err != nil {
		b.Fatal(err)
	}
	return len(refs)
}

// BenchmarkFilterRefs measures the ways of filtering one sorted list by
// another in place, for a short list of every ratio-th ref of a long one
// (100k refs), which is where seekRatio and moveRatio come from: intersect
// walks the short list (by merge or by seeking in the long one), subtract_long
// removes the long list from the short one, subtract_short the short list
// from the long one (by merge or by moving runs). Each op copies its input
// first, in every impl alike.
func BenchmarkFilterRefs(b *testing.B) {
	long := sparseRefs(rand.New(rand.NewPCG(1, 1)), 100_000, 2)
	buf := make([]storage.SeriesRef, len(long))
	for _, ratio := range []int{1, 4, 8, 16, 32, 128, 1000} {
		short := make([]storage.SeriesRef, 0, len(long)/ratio+1)
		for i := 0; i < len(long); i += ratio {
			short = append(short, long[i])
		}
		for _, op := range []struct {
			name, impl string
			in         []storage.SeriesRef
			filter     func(out []storage.SeriesRef) []storage.SeriesRef
		}{
			{"intersect", "merge", short, func(out []storage.SeriesRef) []storage.SeriesRef { return retainByMerge(out, long, true) }},
			{"intersect", "seek", short, func(out []storage.SeriesRef) []storage.SeriesRef {
				return retainBySeek(out, [][]storage.SeriesRef{long}, true)
			}},
			{"subtract_long", "merge", short, func(out []storage.SeriesRef) []storage.SeriesRef { return retainByMerge(out, long, false) }},
			{"subtract_long", "seek", short, func(out []storage.SeriesRef) []storage.SeriesRef {
				return retainBySeek(out, [][]storage.SeriesRef{long}, false)
			}},
			{"subtract_short", "merge", long, func(out []storage.SeriesRef) []storage.SeriesRef { return retainByMerge(out, short, false) }},
			{"subtract_short", "move", long, func(out []storage.SeriesRef) []storage.SeriesRef { return subtractByMoving(out, short) }},
		} {
			b.Run(fmt.Sprintf("op=%s/ratio=%d/impl=%s", op.name, ratio, op.impl), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					op.filter(buf[:copy(buf, op.in)])
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(short)), "ns/short_ref")
			})
		}
	}
}
