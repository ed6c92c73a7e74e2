package tsdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"
	"github.com/stretchr/testify/require"
)

// matcherTestSeries is the data set the querier tests load into both stores:
// a mix of names, label sets with and without some labels, and series whose
// samples lie in different time ranges.
func matcherTestSeries() []seriesSpec {
	var out []seriesSpec
	add := func(start int64, n int, kv ...string) {
		out = append(out, spec(labels.FromStrings(kv...), ramp(start, 15_000, n, float64(len(out)))...))
	}
	for i, job := range []string{"api", "web", "db", "API", "apiserver"} {
		for _, code := range []string{"200", "500", "503"} {
			add(0, 200, "__name__", "http_requests_total", "job", job, "code", code, "instance", fmt.Sprint(i%3))
		}
	}
	add(0, 10, "__name__", "up", "job", "api", "instance", "1")
	add(0, 10, "__name__", "up", "job", "web")
	add(0, 10, "__name__", "up", "instance", "2")
	add(0, 10, "__name__", "up")
	add(1_000_000, 50, "__name__", "late", "job", "api")
	add(0, 3, "__name__", "early", "job", "db")
	add(0, 5, "job", "nameless", "instance", "1")
	add(0, 5, "__name__", "utf8.metric", "label with space", "ü")
	return out
}

// loadBoth loads the data set into a Vigil DB and into Prometheus' own TSDB.
func loadBoth(t *testing.T) (*DB, storage.Queryable) {
	series := matcherTestSeries()
	db := openTestDB(t, Options{Shards: 4})
	appendOK(t, db, series...)
	prom := teststorage.New(t)
	app := prom.AppenderV2(context.Background())
	for _, s := range series {
		for _, smp := range s.samples {
			_, err := app.Append(0, s.lset, 0, smp.T, smp.V, nil, nil, storage.AOptions{})
			require.NoError(t, err)
		}
	}
	require.NoError(t, app.Commit())
	return db, prom
}

func m(t labels.MatchType, name, value string) *labels.Matcher {
	return labels.MustNewMatcher(t, name, value)
}

// matcherSets covers every matcher kind, matchers that match the empty
// string, regexes and their fast paths, and __name__ as a plain label.
var matcherSets = [][]*labels.Matcher{
	{m(labels.MatchEqual, "__name__", "http_requests_total")},
	{m(labels.MatchEqual, "job", "api")},
	{m(labels.MatchEqual, "job", "")},
	{m(labels.MatchEqual, "", "")},
	{m(labels.MatchNotEqual, "job", "api")},
	{m(labels.MatchNotEqual, "job", "")},
	{m(labels.MatchEqual, "__name__", "up"), m(labels.MatchNotEqual, "job", "api")},
	{m(labels.MatchEqual, "__name__", "up"), m(labels.MatchEqual, "instance", "")},
	{m(labels.MatchEqual, "__name__", "up"), m(labels.MatchEqual, "missing", "")},
	{m(labels.MatchEqual, "__name__", "up"), m(labels.MatchNotEqual, "missing", "")},
	{m(labels.MatchRegexp, "job", "api|web")},
	{m(labels.MatchRegexp, "job", "a.*")},
	{m(labels.MatchRegexp, "job", "(?i)api")},
	{m(labels.MatchRegexp, "job", "pi")},
	{m(labels.MatchRegexp, "job", ".*")},
	{m(labels.MatchRegexp, "job", ".+")},
	{m(labels.MatchRegexp, "job", "")},
	{m(labels.MatchRegexp, "job", "api|")},
	{m(labels.MatchNotRegexp, "job", ".*")},
	{m(labels.MatchNotRegexp, "job", ".+")},
	{m(labels.MatchNotRegexp, "job", "api|web")},
	{m(labels.MatchNotRegexp, "job", "api|")},
	{m(labels.MatchNotRegexp, "job", "a.*"), m(labels.MatchEqual, "__name__", "up")},
	{m(labels.MatchRegexp, "__name__", "http_.*"), m(labels.MatchNotEqual, "code", "500")},
	{m(labels.MatchRegexp, "__name__", ".+")},
	{m(labels.MatchNotEqual, "__name__", "")},
	{m(labels.MatchRegexp, "code", "5..")},
	{m(labels.MatchRegexp, "job", "api|web"), m(labels.MatchNotRegexp, "instance", "1|2")},
	{m(labels.MatchRegexp, "job", ".+"), m(labels.MatchNotEqual, "job", "api")},
	{m(labels.MatchEqual, "job", "api"), m(labels.MatchNotEqual, "job", "api")},
	{m(labels.MatchEqual, "nonexistent", "x")},
	{m(labels.MatchEqual, "label with space", "ü")},
	{m(labels.MatchEqual, "__name__", "utf8.metric")},
	{m(labels.MatchRegexp, "instance", "0|1"), m(labels.MatchRegexp, "code", "2.*|5.3"), m(labels.MatchNotEqual, "job", "web")},
}

func TestSelectMatchesPrometheus(t *testing.T) {
	db, prom := loadBoth(t)
	ranges := []struct{ mint, maxt int64 }{
		{-1 << 62, 1 << 62}, // everything
		{30_000, 100_000},   // excludes "early", cuts the others
		{1_000_000, 1_200_000},
	}
	nonEmpty := 0
	for _, ms := range matcherSets {
		for _, r := range ranges {
			name := fmt.Sprintf("%v/%d-%d", ms, r.mint, r.maxt)
			t.Run(name, func(t *testing.T) {
				want := selectAll(t, prom, r.mint, r.maxt, nil, ms...)
				got := selectAll(t, db, r.mint, r.maxt, nil, ms...)
				requireSameSamples(t, want, got)
				if len(want) > 0 {
					nonEmpty++
				}
			})
		}
	}
	// The table is not vacuous: most sets select something in some range.
	require.Equal(t, 78, nonEmpty)
}

func TestLabelNamesAndValuesMatchPrometheus(t *testing.T) {
	db, prom := loadBoth(t)
	ctx := context.Background()
	queriers := func(t *testing.T) (want, got storage.Querier) {
		w, err := prom.Querier(-1<<62, 1<<62)
		require.NoError(t, err)
		g, err := db.Querier(-1<<62, 1<<62)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = w.Close(), g.Close() })
		return w, g
	}
	sets := append([][]*labels.Matcher{nil}, matcherSets...)
	for _, ms := range sets {
		t.Run(fmt.Sprint(ms), func(t *testing.T) {
			want, got := queriers(t)
			wantNames, _, err := want.LabelNames(ctx, nil, ms...)
			require.NoError(t, err)
			gotNames, _, err := got.LabelNames(ctx, nil, ms...)
			require.NoError(t, err)
			require.Equal(t, nilIfEmpty(wantNames), nilIfEmpty(gotNames))
			for _, name := range []string{"__name__", "job", "instance", "missing"} {
				wantValues, _, err := want.LabelValues(ctx, name, nil, ms...)
				require.NoError(t, err)
				gotValues, _, err := got.LabelValues(ctx, name, nil, ms...)
				require.NoError(t, err)
				require.Equal(t, nilIfEmpty(wantValues), nilIfEmpty(gotValues), name)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestLabelNamesAndValues(t *testing.T) {
	db := openTestDB(t, Options{})
	appendOK(t, db,
		spec(labels.FromStrings("__name__", "a", "job", "x", "zone", "eu"), Sample{1, 1}),
		spec(labels.FromStrings("__name__", "b", "job", "y"), Sample{1, 1}),
		spec(labels.FromStrings("__name__", "c", "job", "z", "aa", "1"), Sample{1, 1}),
	)
	q, err := db.Querier(0, 10)
	require.NoError(t, err)
	ctx := context.Background()
	names, _, err := q.LabelNames(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"__name__", "aa", "job", "zone"}, names)
	names, _, err = q.LabelNames(ctx, &storage.LabelHints{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"__name__", "aa"}, names)
	names, _, err = q.LabelNames(ctx, nil, eq("job", "y"))
	require.NoError(t, err)
	require.Equal(t, []string{"__name__", "job"}, names)

	values, _, err := q.LabelValues(ctx, "job", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"x", "y", "z"}, values)
	values, _, err = q.LabelValues(ctx, "job", &storage.LabelHints{Limit: 1}, m(labels.MatchRegexp, "__name__", "b|c"))
	require.NoError(t, err)
	require.Equal(t, []string{"y"}, values)
	values, _, err = q.LabelValues(ctx, "zone", nil, m(labels.MatchRegexp, "__name__", "b|c"))
	require.NoError(t, err)
	require.Empty(t, values)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = q.LabelNames(cancelled, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, q.Select(cancelled, false, nil, eq("job", "x")).Err(), context.Canceled)
}
