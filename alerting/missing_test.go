package alerting

import (
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

func TestNewProbe(t *testing.T) {
	for _, tc := range []struct {
		expr  string
		query string // "" = no probe
		drop  string
	}{
		{`up == 0`, `up`, `alertname severity`},
		{`(rate(errors_total[5m]) > 0.5)`, `rate(errors_total[5m])`, `alertname severity`},
		{`sum by (job) (rate(e[5m])) / sum by (job) (rate(r[5m])) > 0.05`, `sum by (job) (rate(e[5m])) / sum by (job) (rate(r[5m]))`, `alertname severity`},
		{`0.5 < x`, `x`, `alertname severity`},
		{`5 < x < 10`, `x`, `alertname severity`},
		{`x > on (job) group_left (team) y`, `x`, `alertname severity team`},
		{`x > on (job) group_right (zone) y`, `y`, `alertname severity zone`},
		{`x > bool 1`, ``, ``},
		{`absent(up{job="a"})`, ``, ``},
		{`x > 1 and y`, ``, ``},
		{`(x unless y) > 1`, ``, ``},
		{`x > 1 or y > 1`, ``, ``},
		{`sum(x > 1)`, ``, ``},
	} {
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		p := newProbe(expr, labels.FromStrings("severity", "page"))
		var query, drop string
		if p != nil {
			query, drop = p.query, strings.Join(p.drop, " ")
		}
		if query != tc.query || drop != tc.drop {
			t.Errorf("%s: probe %q dropping %q, want %q dropping %q", tc.expr, query, drop, tc.query, tc.drop)
		}
	}
}

func TestProbeKeyMatchesAlertAndSeries(t *testing.T) {
	expr, _ := parser.NewParser(parser.Options{}).ParseExpr(`x > on (job) group_left (team) y`)
	p := newProbe(expr, labels.FromStrings("severity", "page"))
	alert := labels.FromStrings("alertname", "X", "job", "a", "instance", "1", "severity", "page", "team", "web")
	series := labels.FromStrings("__name__", "x", "job", "a", "instance", "1", "severity", "info")
	other := labels.FromStrings("__name__", "x", "job", "a", "instance", "2")
	ka, _ := p.key(alert, nil)
	ks, _ := p.key(series, nil)
	ko, _ := p.key(other, nil)
	if ka != ks || ka == ko {
		t.Fatalf("keys: alert %x, its series %x, other series %x", ka, ks, ko)
	}
}
