package alerting

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRecordingRuleOutputAndStaleMarkers(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: rec
    labels: {source: rules}
    rules:
      - record: job:requests:sum
        expr: sum by (job) (requests)
        labels: {tier: "1"}
`)
	h.q.vector(`sum by (job) (requests)`, sample(t, `{job="api"}`, 5), sample(t, `{job="web"}`, 7))
	h.eval(0)
	h.q.vector(`sum by (job) (requests)`, sample(t, `{job="web"}`, 8))
	h.eval(10)
	want := `0s {__name__="job:requests:sum", job="api", source="rules", tier="1"} 5` + "\n" +
		`0s {__name__="job:requests:sum", job="web", source="rules", tier="1"} 7` + "\n" +
		"--\n" +
		`10s {__name__="job:requests:sum", job="web", source="rules", tier="1"} 8` + "\n" +
		`10s {__name__="job:requests:sum", job="api", source="rules", tier="1"} stale` + "\n"
	if got := joinLines(h.w.take()); got != want {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, want)
	}
	st := h.rule(t, "job:requests:sum")
	if st.Type != "recording" || st.Health != "ok" || st.Query != "sum by (job) (requests)" || st.Labels.String() != `{source="rules", tier="1"}` {
		t.Fatalf("status %+v", st)
	}
}

func TestRecordingRuleErrors(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: rec
    limit: 1
    rules:
      - record: dup
        expr: up
      - record: many
        expr: x
      - record: matrix
        expr: x[5m]
`)
	h.q.vector(`up`, sample(t, `up{a="1"}`, 1), sample(t, `other{a="1"}`, 1))
	h.q.vector(`x`, sample(t, `x{a="1"}`, 1), sample(t, `x{a="2"}`, 1))
	h.q.matrix(`x[5m]`)
	h.eval(0)
	for name, want := range map[string]string{
		"dup":    "vector contains metrics with the same labelset after applying rule labels",
		"many":   "exceeded limit of 1 with 2 series",
		"matrix": "rule result is not a vector or scalar: matrix",
	} {
		if st := h.rule(t, name); st.Health != "err" || st.LastError != want {
			t.Errorf("%s: health %q, error %q, want err %q", name, st.Health, st.LastError, want)
		}
	}
	if got := h.w.take(); len(got) != 0 {
		t.Fatalf("failed rules wrote %q", got)
	}
}

func TestGroupContinuesPastFailingRule(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	h := newHarness(t, `
groups:
  - name: mixed
    rules:
      - record: broken
        expr: slow_metric
      - alert: Second
        expr: up == 0
      - record: third
        expr: vector(1)
`, func(o *Options) { o.Registerer = reg })
	h.q.fail(`slow_metric`, errors.New("query timed out"))
	h.q.vector(`up == 0`, sample(t, `up{instance="a"}`, 0))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="Second"}[1h]`)
	h.q.vector(`vector(1)`, sample(t, `{}`, 1))
	h.clock.set(at(0))
	h.eval(0)
	for name, health := range map[string]string{"broken": "err", "Second": "ok", "third": "ok"} {
		if st := h.rule(t, name); st.Health != health {
			t.Errorf("%s: health %q (%s), want %q", name, st.Health, st.LastError, health)
		}
	}
	if got := h.rule(t, "broken").LastError; got != "query timed out" {
		t.Errorf("last error %q", got)
	}
	if got := len(h.w.take()); got != 2 {
		t.Errorf("%d writes, want 2 (Second, third)", got)
	}
	key := h.m.current()[0].key()
	want := `
# HELP vigil_rule_evaluation_failures_total Rule evaluations that failed (query, limit or write errors), by rule group.
# TYPE vigil_rule_evaluation_failures_total counter
vigil_rule_evaluation_failures_total{group="` + key + `"} 1
# HELP vigil_rule_evaluations_total Rule evaluations, by rule group.
# TYPE vigil_rule_evaluations_total counter
vigil_rule_evaluations_total{group="` + key + `"} 3
# HELP vigil_alerts Alerts by state: pending, firing, and unknown (was firing, input data missing).
# TYPE vigil_alerts gauge
vigil_alerts{state="firing"} 1
vigil_alerts{state="pending"} 0
vigil_alerts{state="unknown"} 0
# HELP vigil_rules_last_reload_successful Whether the last load of the rule files succeeded (1) or kept the previous rules (0).
# TYPE vigil_rules_last_reload_successful gauge
vigil_rules_last_reload_successful 1
# HELP vigil_rules_last_reload_success_timestamp_seconds When the rule files were last loaded successfully.
# TYPE vigil_rules_last_reload_success_timestamp_seconds gauge
vigil_rules_last_reload_success_timestamp_seconds 1.76732304e+09
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vigil_rule_evaluation_failures_total", "vigil_rule_evaluations_total",
		"vigil_alerts", "vigil_rules_last_reload_successful", "vigil_rules_last_reload_success_timestamp_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestGroupNotifiesOncePerEvaluation(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: g
    rules:
      - alert: A
        expr: a > 1
      - alert: B
        expr: b > 1
`)
	h.q.vector(`a > 1`, sample(t, `a{i="1"}`, 2))
	h.q.vector(`b > 1`, sample(t, `b{i="2"}`, 3))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="A"}[1h]`)
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="B"}[1h]`)
	h.eval(0)
	h.n.mu.Lock()
	calls := h.n.calls
	h.n.mu.Unlock()
	if len(calls) != 1 || len(calls[0]) != 2 {
		t.Fatalf("notify calls %+v", calls)
	}
	n := calls[0][0]
	if n.GeneratorURL != "http://vigil.example:9096/api/v1/query?query=a+%3E+1" || n.Labels.String() != `{alertname="A", i="1"}` || n.Value != 2 || !n.StartsAt.Equal(t0) || n.Resolved() {
		t.Fatalf("notification %+v", n)
	}
}

func TestGroupStatus(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: g
    interval: 30s
    limit: 5
    query_offset: 1m
    rules:
      - alert: A
        expr: a > 1
        for: 2m
        keep_firing_for: 5m
        labels: {severity: page}
        annotations: {summary: "a is {{ $value }}"}
`)
	h.q.vector(`a > 1`, sample(t, `a{i="1"}`, 2))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="A",severity="page"}[1h]`)
	h.eval(60)
	gs := h.m.Groups()
	if len(gs) != 1 {
		t.Fatalf("groups %+v", gs)
	}
	g := gs[0]
	if g.Name != "g" || g.File != h.dir+"/rules.yml" || g.Interval != 30*time.Second || g.Limit != 5 || g.QueryOffset != time.Minute || !g.LastEvaluation.Equal(at(60)) {
		t.Fatalf("group %+v", g)
	}
	r := g.Rules[0]
	if r.Type != "alerting" || r.Name != "A" || r.Query != "a > 1" || r.Duration != 2*time.Minute || r.KeepFiringFor != 5*time.Minute ||
		r.Labels.String() != `{severity="page"}` || r.Annotations.String() != `{summary="a is {{ $value }}"}` ||
		r.State != "pending" || r.Health != "ok" || len(r.Alerts) != 1 || r.Alerts[0].Annotations.String() != `{summary="a is 2"}` {
		t.Fatalf("rule %+v", r)
	}
}

func TestGroupSlots(t *testing.T) {
	g := &group{name: "g", file: "f.yml", interval: 10 * time.Second}
	off := g.offset()
	if off < 0 || off >= 10*time.Second {
		t.Fatalf("offset %s", off)
	}
	for _, tc := range []struct{ now, want time.Time }{
		{t0.Add(off), t0.Add(off)},
		{t0.Add(off + 9*time.Second), t0.Add(off)},
		{t0.Add(off + 10*time.Second), t0.Add(off + 10*time.Second)},
		{t0.Add(off - time.Nanosecond), t0.Add(off - 10*time.Second)},
	} {
		if got := g.slot(tc.now); !got.Equal(tc.want) {
			t.Errorf("slot(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
	other := &group{name: "h", file: "f.yml", interval: 10 * time.Second}
	if other.offset() == off {
		t.Errorf("groups g and h share offset %s", off)
	}
}

func TestGroupWriteErrorIsTheRulesError(t *testing.T) {
	h := newHarness(t, nodeDownRules, func(o *Options) { o.Notifier = nil })
	h.q.vector(`up == 0`, sample(t, `up{instance="a"}`, 0))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="NodeDown",severity="page",team="infra"}[1h]`)
	h.w.err = errors.New("disk full")
	h.eval(0)
	if st := h.rule(t, "NodeDown"); st.Health != "err" || st.LastError != "write rule results: disk full" || len(st.Alerts) != 1 {
		t.Fatalf("status: health %q, error %q, %d alerts", st.Health, st.LastError, len(st.Alerts))
	}
	// The series were not written: the next evaluation writes them again
	// and has nothing to mark stale.
	h.w.err = nil
	h.eval(10)
	want := `10s {__name__="ALERTS", alertname="NodeDown", alertstate="pending", instance="a", severity="page", team="infra"} 1` + "\n" +
		`10s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", severity="page", team="infra"} 1767323040` + "\n"
	if got := joinLines(h.w.take()); got != want {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, want)
	}
}
