package query

import (
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/stretchr/testify/require"
)

func TestSeries(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, tc := range []struct {
		name      string
		selectors []string
		limit     int
		want      []string
		truncated bool
	}{
		{name: "one selector", selectors: []string{`up`},
			want: []string{`{__name__="up", instance="a", job="api"}`, `{__name__="up", instance="c", job="web"}`}},
		{name: "regex", selectors: []string{`http_requests_total{code=~"5.."}`},
			want: []string{`{__name__="http_requests_total", code="500", instance="b", job="api"}`}},
		{name: "union without duplicates", selectors: []string{`up{job="web"}`, `{instance="c"}`},
			want: []string{
				`{__name__="http_requests_total", code="200", instance="c", job="web"}`,
				`{__name__="up", instance="c", job="web"}`,
			}},
		{name: "limit", selectors: []string{`http_requests_total`}, limit: 2, truncated: true,
			want: []string{
				`{__name__="http_requests_total", code="200", instance="a", job="api"}`,
				`{__name__="http_requests_total", code="200", instance="c", job="web"}`,
			}},
		{name: "limit not reached", selectors: []string{`up`}, limit: 2,
			want: []string{`{__name__="up", instance="a", job="api"}`, `{__name__="up", instance="c", job="web"}`}},
		{name: "no match", selectors: []string{`nothing`}, want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sets, err := e.ParseMatchers(tc.selectors)
			require.NoError(t, err)
			got, ws, err := e.Series(t.Context(), sets, at(0), at(10), tc.limit)
			require.NoError(t, err)
			require.Equal(t, tc.want, seriesStrings(got))
			require.Equal(t, truncation(tc.truncated), ws)
		})
	}
}

func TestSeriesOutsideRange(t *testing.T) {
	e := newTestEngine(t, Options{})
	sets, err := e.ParseMatchers([]string{`up`})
	require.NoError(t, err)
	got, _, err := e.Series(t.Context(), sets, at(20), at(30), 0)
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestLabelNames(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, tc := range []struct {
		name      string
		selectors []string
		limit     int
		want      []string
		truncated bool
	}{
		{name: "all", want: []string{"__name__", "code", "instance", "job"}},
		{name: "matched", selectors: []string{`up`}, want: []string{"__name__", "instance", "job"}},
		{name: "union", selectors: []string{`up`, `http_requests_total{job="web"}`}, want: []string{"__name__", "code", "instance", "job"}},
		{name: "limit", limit: 2, truncated: true, want: []string{"__name__", "code"}},
		{name: "no match", selectors: []string{`nothing`}, want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sets := parseMatchers(t, e, tc.selectors)
			got, ws, err := e.LabelNames(t.Context(), sets, at(0), at(10), tc.limit)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, truncation(tc.truncated), ws)
		})
	}
}

func TestLabelValues(t *testing.T) {
	e := newTestEngine(t, Options{})
	for _, tc := range []struct {
		name, label string
		selectors   []string
		limit       int
		want        []string
		truncated   bool
	}{
		{name: "all", label: "instance", want: []string{"a", "b", "c"}},
		{name: "metric names", label: "__name__", want: []string{"http_requests_total", "up"}},
		{name: "matched", label: "instance", selectors: []string{`up`}, want: []string{"a", "c"}},
		{name: "union", label: "instance", selectors: []string{`up{job="web"}`, `{code="500"}`}, want: []string{"b", "c"}},
		{name: "limit", label: "instance", limit: 1, truncated: true, want: []string{"a"}},
		{name: "unknown label", label: "zone", want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sets := parseMatchers(t, e, tc.selectors)
			got, ws, err := e.LabelValues(t.Context(), tc.label, sets, at(0), at(10), tc.limit)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, truncation(tc.truncated), ws)
		})
	}
}

func TestParseMatchers(t *testing.T) {
	e := New(failingStore{}, Options{})
	for _, tc := range []struct {
		selector, wantErr string
	}{
		{selector: `up{`, wantErr: "1:4: parse error: unexpected end of input inside braces"},
		{selector: `{job=~".*"}`, wantErr: "match[] must contain at least one non-empty matcher"},
		{selector: `{job=""}`, wantErr: "match[] must contain at least one non-empty matcher"},
		{selector: `rate(up[5m])`, wantErr: `1:5: parse error: unexpected "("`},
	} {
		t.Run(tc.selector, func(t *testing.T) {
			_, err := e.ParseMatchers([]string{`up`, tc.selector})
			require.ErrorIs(t, err, ErrBadQuery)
			require.EqualError(t, err, tc.wantErr)
		})
	}
	sets, err := e.ParseMatchers([]string{`up{job!="web"}`, `{__name__=~"http_.*"}`})
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{`job!="web"`, `__name__="up"`},
		{`__name__=~"http_.*"`},
	}, matcherStrings(sets))
}

// parseMatchers parses selectors, returning nil for none.
func parseMatchers(t *testing.T, e *Engine, selectors []string) [][]*labels.Matcher {
	t.Helper()
	if len(selectors) == 0 {
		return nil
	}
	sets, err := e.ParseMatchers(selectors)
	require.NoError(t, err)
	return sets
}

// truncation returns the warnings of a result cut (or not) by a limit.
func truncation(truncated bool) annotations.Annotations {
	if !truncated {
		return nil
	}
	return annotations.Annotations{errTruncated.Error(): errTruncated}
}

// seriesStrings renders label sets as strings.
func seriesStrings(series []labels.Labels) []string {
	out := make([]string, 0, len(series))
	for _, s := range series {
		out = append(out, s.String())
	}
	return out
}

// matcherStrings renders matcher sets as strings.
func matcherStrings(sets [][]*labels.Matcher) [][]string {
	out := make([][]string, 0, len(sets))
	for _, ms := range sets {
		var strs []string
		for _, m := range ms {
			strs = append(strs, m.String())
		}
		out = append(out, strs)
	}
	return out
}
