package alerting

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const twoGroups = `
groups:
  - name: a
    rules:
      - alert: Down
        expr: up == 0
        for: 10s
  - name: b
    rules:
      - record: r
        expr: vector(1)
`

// firingHarness returns a harness with twoGroups loaded and Down firing
// for instance x since 10s (active since 0s).
func firingHarness(t *testing.T, opts ...func(*Options)) *harness {
	h := newHarness(t, twoGroups, opts...)
	h.q.vector(`up == 0`, sample(t, `up{instance="x"}`, 0))
	h.q.vector(`up`, sample(t, `up{instance="x"}`, 1))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="Down"}[1h]`)
	h.q.vector(`vector(1)`, sample(t, `{}`, 1))
	h.eval(0)
	h.eval(10)
	h.w.take()
	h.n.take()
	return h
}

func TestReloadKeepsStateOfUnchangedRules(t *testing.T) {
	h := firingHarness(t)
	before := h.m.current()
	h.load(t, strings.Replace(twoGroups, "      - record: r", "      - record: r2\n        expr: vector(2)\n      - record: r", 1))
	after := h.m.current()
	if after[0] != before[0] {
		t.Error("unchanged group a was replaced")
	}
	if after[1] == before[1] {
		t.Error("changed group b was kept")
	}
	alerts := h.m.Alerts()
	if len(alerts) != 1 || alerts[0].State != StateFiring || !alerts[0].FiredAt.Equal(at(10)) {
		t.Fatalf("alerts after reload %+v", alerts)
	}
	if st := h.rule(t, "r"); st.Health != "ok" || !st.LastEvaluation.Equal(at(10)) {
		t.Fatalf("carried over recording rule: %+v", st)
	}
}

func TestReloadCarriesAlertsOfEditedRule(t *testing.T) {
	h := firingHarness(t)
	h.load(t, strings.Replace(twoGroups, "up == 0", "up < 1", 1))
	alerts := h.m.Alerts()
	if len(alerts) != 1 || alerts[0].State != StateFiring || !alerts[0].FiredAt.Equal(at(10)) {
		t.Fatalf("alerts after reload %+v", alerts)
	}
	h.q.vector(`up < 1`, sample(t, `up{instance="x"}`, 0))
	h.eval(20)
	if alerts := h.m.Alerts(); len(alerts) != 1 || alerts[0].State != StateFiring || !alerts[0].FiredAt.Equal(at(10)) {
		t.Fatalf("alerts after evaluation %+v", alerts)
	}
	if got := joinLines(h.n.take()); got != `{alertname="Down", instance="x"} starts=10s value=0`+"\n" {
		t.Fatalf("notified %q", got)
	}
}

func TestReloadResolvesRemovedRulesAndGroups(t *testing.T) {
	h := firingHarness(t)
	h.clock.set(at(15))
	h.load(t, `
groups:
  - name: a
    rules:
      - alert: Other
        expr: other > 1
`)
	resolved := `{alertname="Down", instance="x"} starts=10s ends=15s value=0` + "\n"
	if got := joinLines(h.n.take()); got != resolved {
		t.Fatalf("notified:\n%s\nwant:\n%s", got, resolved)
	}
	// Group b is gone: its series are marked stale at once.
	if got, want := joinLines(h.w.take()), `15s {__name__="r"} stale`+"\n"; got != want {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, want)
	}
	// Rule Down is gone from group a: its series go stale at a's next evaluation.
	h.q.vector(`other > 1`)
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="Other"}[1h]`)
	h.eval(20)
	want := `20s {__name__="ALERTS", alertname="Down", alertstate="firing", instance="x"} stale` + "\n" +
		`20s {__name__="ALERTS_FOR_STATE", alertname="Down", instance="x"} stale` + "\n"
	if got := joinLines(h.w.take()); got != want {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, want)
	}
	if len(h.m.Alerts()) != 0 {
		t.Fatalf("alerts %+v", h.m.Alerts())
	}
}

func TestReloadBadFileKeepsRules(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	h := firingHarness(t, func(o *Options) { o.Registerer = reg })
	before := h.m.current()
	err := h.loadErr(t, strings.Replace(twoGroups, "up == 0", "up ==", 1))
	want := h.dir + `/rules.yml:6: group "a", rule 1, "Down": could not parse expression: 1:6: parse error: unexpected end of input`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	if after := h.m.current(); len(after) != 2 || after[0] != before[0] || after[1] != before[1] {
		t.Fatal("a bad file replaced the rules")
	}
	if len(h.m.Alerts()) != 1 {
		t.Fatalf("alerts %+v", h.m.Alerts())
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP vigil_rules_last_reload_successful Whether the last load of the rule files succeeded (1) or kept the previous rules (0).
# TYPE vigil_rules_last_reload_successful gauge
vigil_rules_last_reload_successful 0
`), "vigil_rules_last_reload_successful"); err != nil {
		t.Fatal(err)
	}
}
