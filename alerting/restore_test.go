package alerting

import (
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// forStateSeries is an ALERTS_FOR_STATE series whose last sample, written
// at second down, says the alert was active since second active.
func forStateSeries(t *testing.T, series string, active, down int) promql.Series {
	return promql.Series{Metric: ls(t, series), Floats: []promql.FPoint{{T: at(down).UnixMilli(), F: float64(at(active).Unix())}}}
}

func TestRestoreForState(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: g
    rules:
      - alert: Slow
        expr: x > 1
        for: 20m
      - alert: Quick
        expr: y > 1
        for: 5m
`)
	const down, now = 3000, 3700
	slow := func(inst string) string { return `ALERTS_FOR_STATE{alertname="Slow",instance="` + inst + `"}` }
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="Slow"}[1h]`,
		forStateSeries(t, slow("b"), down-300, down),  // pending 5m of 20m: keeps its 5m
		forStateSeries(t, slow("c"), down-1000, down), // 200s left: waits the 10m grace period
		forStateSeries(t, slow("d"), down-1300, down), // was firing
		forStateSeries(t, slow("e"), down-1300, down), // went stale before the restart
		forStateSeries(t, slow("f"), down-1300, down), // was firing, cleared during the outage
		forStateSeries(t, slow("g"), down-1300, down), // was firing, data gone during the outage
	)
	var live promql.Vector
	for _, inst := range []string{"b", "c", "d", "f", "g"} {
		live = append(live, sample(t, slow(inst), float64(at(down-1300).Unix())))
	}
	h.q.set(`{__name__="ALERTS_FOR_STATE",alertname="Slow"}`, func(ts time.Time) (parser.Value, error) {
		if secs(ts) != down+15 {
			t.Errorf("stale probe at %ds, want %ds", secs(ts), down+15)
		}
		return live, nil
	})
	h.q.vector(`x > 1`, sample(t, `x{instance="a"}`, 2), sample(t, `x{instance="b"}`, 2), sample(t, `x{instance="c"}`, 2),
		sample(t, `x{instance="d"}`, 2), sample(t, `x{instance="e"}`, 2))
	h.q.vector(`x`, sample(t, `x{instance="f"}`, 0)) // the probe: f is there, g is not
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="Quick"}[1h]`,
		forStateSeries(t, `ALERTS_FOR_STATE{alertname="Quick",instance="q"}`, down-60, down))
	h.q.vector(`{__name__="ALERTS_FOR_STATE",alertname="Quick"}`, sample(t, `ALERTS_FOR_STATE{alertname="Quick",instance="q"}`, 0))
	h.q.vector(`y > 1`, sample(t, `y{instance="q"}`, 2))

	h.eval(now)
	var got []string
	for _, a := range h.m.Alerts() {
		got = append(got, renderAlert(&a))
	}
	want := "" +
		"a pending active=3700 value=2\n" + // new
		"b pending active=3400 value=2\n" + // 3000-300 + (3700-3000)
		"c pending active=3100 value=2\n" + // 3700 + 10m - 20m
		"d firing active=1700 fired=2900 value=2\n" +
		"e pending active=3700 value=2\n" +
		"g unknown active=1700 fired=2900 unknown=3700 value=0\n" +
		"q pending active=3700 value=2" // for < grace period: starts afresh
	if joined := joinAlertLines(got); joined != want {
		t.Fatalf("alerts:\n%s\nwant:\n%s", joined, want)
	}
	notes := `{alertname="Slow", instance="d"} starts=48m20s value=2` + "\n" +
		`{alertname="Slow", instance="g"} starts=48m20s value=0` + "\n" +
		`{alertname="Slow", instance="f"} starts=48m20s ends=1h1m40s value=0` + "\n"
	if got := joinLines(h.n.take()); got != notes {
		t.Fatalf("notified:\n%s\nwant:\n%s", got, notes)
	}
	// Restore happens once.
	h.q.takeCalls()
	h.eval(now + 10)
	for _, c := range h.q.takeCalls() {
		if c[0] == '{' {
			t.Fatalf("restore queried again: %s", c)
		}
	}
}

func TestRestoreQueryErrorStartsAfresh(t *testing.T) {
	h := newHarness(t, nodeDownRules)
	h.q.vector(`up == 0`, sample(t, `up{instance="a"}`, 0))
	h.eval(0) // the ALERTS_FOR_STATE query fails: logged, not retried
	h.eval(10)
	if alerts := h.m.Alerts(); len(alerts) != 1 || alerts[0].State != StatePending || !alerts[0].ActiveAt.Equal(at(0)) {
		t.Fatalf("alerts %+v", alerts)
	}
	if st := h.rule(t, "NodeDown"); st.Health != "ok" {
		t.Fatalf("health %q: %s", st.Health, st.LastError)
	}
}
