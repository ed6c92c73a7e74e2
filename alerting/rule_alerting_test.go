package alerting

import (
	"errors"
	"testing"
)

const nodeDownRules = `
groups:
  - name: node
    labels: {team: infra}
    rules:
      - alert: NodeDown
        expr: up == 0
        for: 20s
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.instance }} is down"
`

func TestAlertingRuleSeriesAndNotifications(t *testing.T) {
	h := newHarness(t, nodeDownRules)
	down := sample(t, `up{instance="a",job="node"}`, 0)
	h.q.set(`up == 0`, until(10, 40, down))
	h.q.vector(`up`, sample(t, `up{instance="a",job="node"}`, 1))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="NodeDown",severity="page",team="infra"}[1h]`)

	steps := []struct {
		at            int
		writes, notes string
	}{
		{at: 0},
		{at: 10, writes: "" +
			`10s {__name__="ALERTS", alertname="NodeDown", alertstate="pending", instance="a", job="node", severity="page", team="infra"} 1` + "\n" +
			`10s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} 1767323050` + "\n"},
		{at: 20, writes: "" +
			`20s {__name__="ALERTS", alertname="NodeDown", alertstate="pending", instance="a", job="node", severity="page", team="infra"} 1` + "\n" +
			`20s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} 1767323050` + "\n"},
		{at: 30, writes: "" +
			`30s {__name__="ALERTS", alertname="NodeDown", alertstate="firing", instance="a", job="node", severity="page", team="infra"} 1` + "\n" +
			`30s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} 1767323050` + "\n" +
			`30s {__name__="ALERTS", alertname="NodeDown", alertstate="pending", instance="a", job="node", severity="page", team="infra"} stale` + "\n",
			notes: `{alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} starts=30s value=0` + "\n"},
		{at: 40, writes: "" +
			`40s {__name__="ALERTS", alertname="NodeDown", alertstate="firing", instance="a", job="node", severity="page", team="infra"} 1` + "\n" +
			`40s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} 1767323050` + "\n",
			notes: `{alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} starts=30s value=0` + "\n"},
		{at: 50, writes: "" +
			`50s {__name__="ALERTS", alertname="NodeDown", alertstate="firing", instance="a", job="node", severity="page", team="infra"} stale` + "\n" +
			`50s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} stale` + "\n",
			notes: `{alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} starts=30s ends=50s value=0` + "\n"},
		{at: 60},
	}
	for _, st := range steps {
		h.eval(st.at)
		if got := joinLines(h.w.take()); got != st.writes {
			t.Fatalf("at %ds wrote:\n%s\nwant:\n%s", st.at, got, st.writes)
		}
		if got := joinLines(h.n.take()); got != st.notes {
			t.Fatalf("at %ds notified:\n%s\nwant:\n%s", st.at, got, st.notes)
		}
	}
	if got := h.rule(t, "NodeDown"); got.Health != "ok" || got.State != "inactive" || got.LastError != "" {
		t.Fatalf("rule status %+v", got)
	}
}

func TestAlertingRuleMissingDataHoldsUnknown(t *testing.T) {
	h := newHarness(t, nodeDownRules, func(o *Options) { o.MissingDataTimeout = 30e9 })
	h.q.set(`up == 0`, until(0, 30, sample(t, `up{instance="a",job="node"}`, 0)))
	h.q.vector(`up`) // the exporter is gone: no data at all
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="NodeDown",severity="page",team="infra"}[1h]`)
	for s := 0; s <= 30; s += 10 {
		h.eval(s)
	}
	h.w.take()
	h.n.take()

	h.eval(40)
	firing := `{alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} starts=20s value=0` + "\n"
	if got := joinLines(h.n.take()); got != firing {
		t.Fatalf("unknown alert notified as:\n%s\nwant:\n%s", got, firing)
	}
	wantWrites := "" +
		`30s {__name__="ALERTS", alertname="NodeDown", alertstate="unknown", instance="a", job="node", severity="page", team="infra"} 1` + "\n" +
		`30s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} 1767323040` + "\n" +
		`30s {__name__="ALERTS", alertname="NodeDown", alertstate="firing", instance="a", job="node", severity="page", team="infra"} stale` + "\n"
	if got := joinLines(h.w.take()); got != replaceSecs(wantWrites, "30s", "40s") {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, replaceSecs(wantWrites, "30s", "40s"))
	}
	alerts := h.m.Alerts()
	if len(alerts) != 1 || alerts[0].State != StateUnknown || !alerts[0].UnknownSince.Equal(at(40)) || !alerts[0].FiredAt.Equal(at(20)) {
		t.Fatalf("alerts %+v", alerts)
	}
	if st := h.rule(t, "NodeDown"); st.State != "firing" || st.Unknown != 1 {
		t.Fatalf("rule state %q with %d unknown, want firing with 1", st.State, st.Unknown)
	}

	h.eval(60)
	h.n.take()
	h.eval(70) // unknown for 30s: resolved
	resolved := `{alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} starts=20s ends=1m10s value=0` + "\n"
	if got := joinLines(h.n.take()); got != resolved {
		t.Fatalf("timeout notified:\n%s\nwant:\n%s", got, resolved)
	}
	if len(h.m.Alerts()) != 0 {
		t.Fatalf("alerts left: %+v", h.m.Alerts())
	}
}

func TestAlertingRuleQueryErrorKeepsState(t *testing.T) {
	h := newHarness(t, nodeDownRules)
	h.q.vector(`up == 0`, sample(t, `up{instance="a",job="node"}`, 0))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="NodeDown",severity="page",team="infra"}[1h]`)
	h.eval(0)
	h.eval(20)
	h.q.fail(`up == 0`, errors.New("storage is down"))
	h.w.take()
	h.n.take()
	h.eval(30)
	if got := h.w.take(); len(got) != 0 {
		t.Fatalf("a failed evaluation wrote %q", got)
	}
	firing := `{alertname="NodeDown", instance="a", job="node", severity="page", team="infra"} starts=20s value=0` + "\n"
	if got := joinLines(h.n.take()); got != firing {
		t.Fatalf("notified:\n%s\nwant (still firing):\n%s", got, firing)
	}
	st := h.rule(t, "NodeDown")
	if st.Health != "err" || st.LastError != "storage is down" || st.State != "firing" || !st.LastEvaluation.Equal(at(30)) {
		t.Fatalf("rule status: health %q, error %q, state %q, last evaluation %s", st.Health, st.LastError, st.State, st.LastEvaluation)
	}
}

func TestAlertingRuleDuplicateLabelSets(t *testing.T) {
	h := newHarness(t, nodeDownRules)
	h.q.vector(`up == 0`, sample(t, `up{instance="a"}`, 0), sample(t, `other{instance="a"}`, 0))
	h.eval(0)
	if st := h.rule(t, "NodeDown"); st.Health != "err" || st.LastError != ErrDuplicateAlertLabelSet.Error() {
		t.Fatalf("health %q, error %q", st.Health, st.LastError)
	}
}

func TestAlertingRuleLimit(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: node
    limit: 1
    rules:
      - alert: NodeDown
        expr: up == 0
`)
	a, b := sample(t, `up{instance="a"}`, 0), sample(t, `up{instance="b"}`, 0)
	h.q.vector(`up == 0`, a)
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="NodeDown"}[1h]`)
	h.eval(0)
	h.n.take()
	h.q.vector(`up == 0`, a, b)
	h.eval(10)
	st := h.rule(t, "NodeDown")
	if st.Health != "err" || st.LastError != "exceeded limit of 1 with 2 alerts" || len(st.Alerts) != 0 {
		t.Fatalf("health %q, error %q, alerts %d", st.Health, st.LastError, len(st.Alerts))
	}
	resolved := `{alertname="NodeDown", instance="a"} starts=0s ends=10s value=0` + "\n"
	if got := joinLines(h.n.take()); got != resolved {
		t.Fatalf("notified:\n%s\nwant:\n%s", got, resolved)
	}
}

func TestAlertingRuleQueryOffset(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: node
    query_offset: 5s
    rules:
      - alert: NodeDown
        expr: up == 0
`)
	h.q.vector(`up == 0`, sample(t, `up{instance="a"}`, 0))
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="NodeDown"}[1h]`)
	h.eval(10)
	calls := h.q.takeCalls()
	if calls[0] != "up == 0 @ 5s" {
		t.Fatalf("queries %q", calls)
	}
	want := `5s {__name__="ALERTS", alertname="NodeDown", alertstate="firing", instance="a"} 1` + "\n" +
		`5s {__name__="ALERTS_FOR_STATE", alertname="NodeDown", instance="a"} 1767323050` + "\n"
	if got := joinLines(h.w.take()); got != want {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, want)
	}
}
