package block

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"
)

// matcherSeries has labels present, absent and empty-valued in many
// combinations.
func matcherSeries() []*testSeries {
	var series []*testSeries
	for i := range 300 {
		b := labels.NewScratchBuilder(4)
		b.Add("__name__", []string{"up", "http_requests", "cpu"}[i%3])
		if i%4 != 0 {
			b.Add("job", []string{"api", "db", "web", "apiserver", ""}[i%5])
		}
		if i%7 < 3 {
			b.Add("env", []string{"prod", "dev", "staging"}[i%7])
		}
		b.Add("i", strconv.Itoa(i))
		b.Sort()
		series = append(series, regular(b.Labels(), int64(i), 1000, 3, func(k int) float64 { return float64(k + i) }))
	}
	sortSeries(series)
	return series
}

func bruteForce(series []*testSeries, ms []*labels.Matcher) []*testSeries {
	var out []*testSeries
	for _, s := range series {
		ok := true
		for _, m := range ms {
			ok = ok && m.Matches(s.lset.Get(m.Name))
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

var matcherCases = [][]*labels.Matcher{
	{},
	{labels.MustNewMatcher(labels.MatchEqual, "__name__", "up")},
	{labels.MustNewMatcher(labels.MatchEqual, "__name__", "nope")},
	{labels.MustNewMatcher(labels.MatchEqual, "job", "")},
	{labels.MustNewMatcher(labels.MatchNotEqual, "job", "")},
	{labels.MustNewMatcher(labels.MatchNotEqual, "job", "api")},
	{labels.MustNewMatcher(labels.MatchEqual, "absent", "")},
	{labels.MustNewMatcher(labels.MatchNotEqual, "absent", "")},
	{labels.MustNewMatcher(labels.MatchNotEqual, "absent", "x")},
	{labels.MustNewMatcher(labels.MatchRegexp, "job", "api.*")},
	{labels.MustNewMatcher(labels.MatchRegexp, "job", "api|db")},
	{labels.MustNewMatcher(labels.MatchRegexp, "job", ".*")},
	{labels.MustNewMatcher(labels.MatchRegexp, "job", ".+")},
	{labels.MustNewMatcher(labels.MatchRegexp, "job", "|db")},
	{labels.MustNewMatcher(labels.MatchNotRegexp, "job", "api|db")},
	{labels.MustNewMatcher(labels.MatchNotRegexp, "job", "")},
	{labels.MustNewMatcher(labels.MatchNotRegexp, "job", ".*")},
	{labels.MustNewMatcher(labels.MatchNotRegexp, "env", "p.*")},
	{labels.MustNewMatcher(labels.MatchRegexp, "absent", ".*")},
	{labels.MustNewMatcher(labels.MatchRegexp, "absent", ".+")},
	{labels.MustNewMatcher(labels.MatchEqual, "__name__", "up"), labels.MustNewMatcher(labels.MatchEqual, "env", "")},
	{labels.MustNewMatcher(labels.MatchEqual, "__name__", "cpu"), labels.MustNewMatcher(labels.MatchNotEqual, "job", "web"),
		labels.MustNewMatcher(labels.MatchRegexp, "env", "prod|dev")},
	{labels.MustNewMatcher(labels.MatchRegexp, "i", "1.*"), labels.MustNewMatcher(labels.MatchNotRegexp, "job", "a.*"),
		labels.MustNewMatcher(labels.MatchNotEqual, "env", "staging")},
	{labels.MustNewMatcher(labels.MatchNotEqual, "env", "prod"), labels.MustNewMatcher(labels.MatchNotRegexp, "job", "db|")},
}

func TestMatchers(t *testing.T) {
	series := matcherSeries()
	b, _ := writeOpen(t, series, WriteOptions{})
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	defer q.Close()
	for _, ms := range matcherCases {
		want := bruteForce(series, ms)
		requireSameSeries(t, want, readAll(t, q, nil, ms...))
	}
}

func TestLabelNamesAndValues(t *testing.T) {
	series := matcherSeries()
	b, _ := writeOpen(t, series, WriteOptions{})
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	defer q.Close()
	ctx := t.Context()

	names, _, err := q.LabelNames(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"__name__", "env", "i", "job"}, names)
	values, _, err := q.LabelValues(ctx, "job", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"api", "apiserver", "db", "web"}, values) // "" is no value
	values, _, err = q.LabelValues(ctx, "absent", nil)
	require.NoError(t, err)
	require.Empty(t, values)
	values, _, err = q.LabelValues(ctx, "job", &storage.LabelHints{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"api", "apiserver"}, values)

	for _, ms := range matcherCases[1:] {
		matching := bruteForce(series, ms)
		wantNames, wantValues := map[string]bool{}, map[string]bool{}
		for _, s := range matching {
			s.lset.Range(func(l labels.Label) {
				if l.Value != "" {
					wantNames[l.Name] = true
				}
			})
			if v := s.lset.Get("env"); v != "" {
				wantValues[v] = true
			}
		}
		names, _, err := q.LabelNames(ctx, nil, ms...)
		require.NoError(t, err)
		require.Equal(t, sortedSet(wantNames), names, "%v", ms)
		values, _, err := q.LabelValues(ctx, "env", nil, ms...)
		require.NoError(t, err)
		require.Equal(t, sortedSet(wantValues), values, "%v", ms)
	}
}

func sortedSet(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestShardHints(t *testing.T) {
	series := matcherSeries()
	b, _ := writeOpen(t, series, WriteOptions{})
	q, err := b.Querier(math.MinInt64, math.MaxInt64)
	require.NoError(t, err)
	defer q.Close()
	var all []*testSeries
	for shard := range uint64(3) {
		got := readAll(t, q, &storage.SelectHints{ShardCount: 3, ShardIndex: shard})
		for _, s := range got {
			require.Equal(t, shard, labels.StableHash(s.lset)%3)
		}
		all = append(all, got...)
	}
	sortSeries(all)
	requireSameSeries(t, series, all)
}
