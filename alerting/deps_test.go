package alerting

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigilsre/vigil/depgraph"
)

// depsRules are a metadata database and three services that depend on it,
// the services' group first so that it evaluates before the database's:
// WebErrors through depends_on, APIErrors through its service (api depends
// on metadata-db in depsServices), SearchErrors through APIErrors and its
// service.
const depsRules = `
groups:
  - name: services
    rules:
      - alert: WebErrors
        expr: web_errors > 0
        for: 20s
        depends_on: [{alert: MetadataDBDown, match: [region]}]
      - alert: APIErrors
        expr: api_errors > 0
        for: 20s
        labels: {service: api}
      - alert: SearchErrors
        expr: search_errors > 0
        for: 20s
        depends_on: [{alert: APIErrors, match: [region]}]
  - name: database
    rules:
      - alert: MetadataDBDown
        expr: db_up == 0
        for: 20s
        labels: {service: metadata-db}
`

const depsServices = `
services:
  - name: api
    depends_on: [{service: metadata-db, match: [region]}]
  - name: metadata-db
`

// The alerts of depsRules, as notifications and ALERTS print them.
const (
	webAlert    = `{alertname="WebErrors", region="us-east"}`
	apiAlert    = `{alertname="APIErrors", region="us-east", service="api"}`
	searchAlert = `{alertname="SearchErrors", region="us-east"}`
	dbAlert     = `{alertname="MetadataDBDown", region="us-east", service="metadata-db"}`
	dbCause     = `MetadataDBDown{region="us-east", service="metadata-db"}`
	apiCause    = `APIErrors{region="us-east", service="api"}`
)

// newDepsHarness returns a harness over rules and the services file
// services ("" for none), evaluated through Manager.Eval, with no alert
// state to restore.
func newDepsHarness(t *testing.T, rules, services string, opts ...func(*Options)) *harness {
	t.Helper()
	h := &harness{q: newFakeQuerier(), w: &fakeWriter{}, n: &fakeNotifier{}, clock: &fixedClock{t: t0}, dir: t.TempDir()}
	o := Options{Query: h.q, Writer: h.w, Notifier: h.n, Now: h.clock.now, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	for _, f := range opts {
		f(&o)
	}
	var err error
	if h.m, err = NewManager(o); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Load(h.spec(t, rules, services)); err != nil {
		t.Fatal(err)
	}
	for _, name := range ruleAlertNames(h.m) {
		h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="` + name + `"}[1h]`)
	}
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="MetadataDBDown",service="metadata-db"}[1h]`)
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="APIErrors",service="api"}[1h]`)
	return h
}

// spec writes rules and services ("": none) to the harness directory.
func (h *harness) spec(t *testing.T, rules, services string) LoadSpec {
	t.Helper()
	spec := LoadSpec{RuleFiles: []string{filepath.Join(h.dir, "rules.yml")}}
	if err := os.WriteFile(spec.RuleFiles[0], []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	if services != "" {
		spec.ServiceFiles = []string{filepath.Join(h.dir, "services.yml")}
		if err := os.WriteFile(spec.ServiceFiles[0], []byte(services), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return spec
}

// ruleAlertNames lists the alert names of m's rules.
func ruleAlertNames(m *Manager) []string {
	var out []string
	for _, g := range m.Groups() {
		for _, r := range g.Rules {
			if r.Type == "alerting" {
				out = append(out, r.Name)
			}
		}
	}
	return out
}

// evalAt evaluates every group with Manager.Eval at second s.
func (h *harness) evalAt(s int) {
	h.clock.set(at(s))
	h.m.Eval(context.Background(), at(s))
}

// notes renders what was notified since the last call, one Notify call
// per block, one notification per line: labels, state, and the causes of
// a suppressed one.
func (h *harness) notes() string {
	h.n.mu.Lock()
	defer h.n.mu.Unlock()
	var blocks []string
	for _, c := range h.n.calls {
		var b strings.Builder
		for _, x := range c {
			fmt.Fprintf(&b, "%s %s", x.Labels, x.State)
			if x.Suppressed {
				fmt.Fprintf(&b, " suppressed by %s", strings.Join(x.CausedBy, " "))
			}
			b.WriteByte('\n')
		}
		blocks = append(blocks, b.String())
	}
	h.n.calls = nil
	return strings.Join(blocks, "--\n")
}

// alertsWritten returns the ALERTS samples written since the last call,
// one per line, without ALERTS_FOR_STATE.
func (h *harness) alertsWritten() string {
	var out []string
	for _, call := range h.w.take() {
		for _, line := range strings.Split(strings.TrimSpace(call), "\n") {
			if strings.Contains(line, `{__name__="ALERTS",`) {
				out = append(out, line)
			}
		}
	}
	return strings.Join(out, "\n")
}

// failing makes the depsRules expressions return an alert each for region
// us-east, and their probes find the series.
func failing(t *testing.T, h *harness) {
	h.q.vector(`web_errors > 0`, sample(t, `web_errors{region="us-east"}`, 5))
	h.q.vector(`api_errors > 0`, sample(t, `api_errors{region="us-east",service="api"}`, 3))
	h.q.vector(`search_errors > 0`, sample(t, `search_errors{region="us-east"}`, 2))
	h.q.vector(`db_up == 0`, sample(t, `db_up{region="us-east"}`, 0))
	h.q.vector(`web_errors`, sample(t, `web_errors{region="us-east"}`, 0))
	h.q.vector(`api_errors`, sample(t, `api_errors{region="us-east",service="api"}`, 0))
	h.q.vector(`search_errors`, sample(t, `search_errors{region="us-east"}`, 0))
	h.q.vector(`db_up`, sample(t, `db_up{region="us-east"}`, 1))
}

// suppressedHarness plays depsRules until every dependent is suppressed
// (second 30), checking each step on the way: the database alert and
// its three dependents start failing together, the dependents' group
// evaluates first, and only the database is handed over unsuppressed.
func suppressedHarness(t *testing.T, opts ...func(*Options)) *harness {
	h := newDepsHarness(t, depsRules, depsServices, opts...)
	failing(t, h)
	steps := []struct {
		at            int
		notes, alerts string
	}{
		{at: 0, alerts: "" +
			`0s {__name__="ALERTS", alertname="WebErrors", alertstate="pending", region="us-east"} 1` + "\n" +
			`0s {__name__="ALERTS", alertname="APIErrors", alertstate="pending", region="us-east", service="api"} 1` + "\n" +
			`0s {__name__="ALERTS", alertname="SearchErrors", alertstate="pending", region="us-east"} 1` + "\n" +
			`0s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="pending", region="us-east", service="metadata-db"} 1`},
		{at: 10, alerts: "" +
			`10s {__name__="ALERTS", alertname="WebErrors", alertstate="pending", region="us-east"} 1` + "\n" +
			`10s {__name__="ALERTS", alertname="APIErrors", alertstate="pending", region="us-east", service="api"} 1` + "\n" +
			`10s {__name__="ALERTS", alertname="SearchErrors", alertstate="pending", region="us-east"} 1` + "\n" +
			`10s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="pending", region="us-east", service="metadata-db"} 1`},
		// The services fire while the database is pending: Web and API
		// are held; Search is explained by API, which fires. Then the
		// database fires and pages.
		{at: 20,
			notes: searchAlert + " firing suppressed by " + apiCause + "\n" +
				"--\n" +
				dbAlert + " firing\n",
			alerts: "" +
				`20s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east"} 1` + "\n" +
				`20s {__name__="ALERTS", alertname="WebErrors", alertstate="pending", region="us-east"} stale` + "\n" +
				`20s {__name__="ALERTS", alertname="APIErrors", alertstate="firing", region="us-east", service="api"} 1` + "\n" +
				`20s {__name__="ALERTS", alertname="APIErrors", alertstate="pending", region="us-east", service="api"} stale` + "\n" +
				`20s {__name__="ALERTS", alertname="SearchErrors", alertstate="firing", region="us-east", suppressed="true"} 1` + "\n" +
				`20s {__name__="ALERTS", alertname="SearchErrors", alertstate="pending", region="us-east"} stale` + "\n" +
				`20s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="firing", region="us-east", service="metadata-db"} 1` + "\n" +
				`20s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="pending", region="us-east", service="metadata-db"} stale`},
		// The database fires: every dependent is suppressed, the root
		// cause first.
		{at: 30,
			notes: webAlert + " firing suppressed by " + dbCause + "\n" +
				apiAlert + " firing suppressed by " + dbCause + "\n" +
				searchAlert + " firing suppressed by " + dbCause + " " + apiCause + "\n" +
				"--\n" +
				dbAlert + " firing\n",
			alerts: "" +
				`30s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east", suppressed="true"} 1` + "\n" +
				`30s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east"} stale` + "\n" +
				`30s {__name__="ALERTS", alertname="APIErrors", alertstate="firing", region="us-east", service="api", suppressed="true"} 1` + "\n" +
				`30s {__name__="ALERTS", alertname="APIErrors", alertstate="firing", region="us-east", service="api"} stale` + "\n" +
				`30s {__name__="ALERTS", alertname="SearchErrors", alertstate="firing", region="us-east", suppressed="true"} 1` + "\n" +
				`30s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="firing", region="us-east", service="metadata-db"} 1`},
	}
	for _, st := range steps {
		h.evalAt(st.at)
		if got := h.notes(); got != st.notes {
			t.Fatalf("at %ds notified:\n%s\nwant:\n%s", st.at, got, st.notes)
		}
		if got := h.alertsWritten(); got != st.alerts {
			t.Fatalf("at %ds wrote:\n%s\nwant:\n%s", st.at, got, st.alerts)
		}
	}
	return h
}

func TestDependentsOfCauseFailingTogetherAreSuppressed(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	h := suppressedHarness(t, func(o *Options) { o.Registerer = reg })
	want := map[string]string{
		"WebErrors":    `suppressed by MetadataDBDown{region="us-east", service="metadata-db"} via [WebErrors MetadataDBDown] root`,
		"APIErrors":    `suppressed by MetadataDBDown{region="us-east", service="metadata-db"} via [APIErrors api metadata-db MetadataDBDown] root`,
		"SearchErrors": `suppressed by MetadataDBDown{region="us-east", service="metadata-db"} via [SearchErrors APIErrors api metadata-db MetadataDBDown] root; APIErrors{region="us-east", service="api"} via [SearchErrors APIErrors]`,
	}
	for _, a := range h.m.Alerts() {
		name := a.Labels.Get("alertname")
		if got := renderDecision(a.Suppressed, a.SuppressedBy); name != "MetadataDBDown" && got != want[name] || a.Held {
			t.Errorf("%s: %s held=%v, want %s", name, got, a.Held, want[name])
		}
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP vigil_alerts_suppressed Firing and unknown alerts that a firing cause explains: shown, not paged.
# TYPE vigil_alerts_suppressed gauge
vigil_alerts_suppressed 3
`), "vigil_alerts_suppressed"); err != nil {
		t.Fatal(err)
	}
}

func TestCauseResolvesWhileDependentFires(t *testing.T) {
	h := suppressedHarness(t)
	h.q.vector(`db_up == 0`)
	h.q.vector(`api_errors > 0`)
	h.q.vector(`search_errors > 0`)
	// The services evaluate first: the database still fired at their last
	// look. Then it resolves.
	h.evalAt(40)
	want := webAlert + " firing suppressed by " + dbCause + "\n" +
		apiAlert + " resolved suppressed by " + dbCause + "\n" +
		searchAlert + " resolved suppressed by " + dbCause + " " + apiCause + "\n" +
		"--\n" +
		dbAlert + " resolved\n"
	if got := h.notes(); got != want {
		t.Fatalf("at 40s notified:\n%s\nwant:\n%s", got, want)
	}
	wantAlerts := `40s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east", suppressed="true"} 1` + "\n" +
		`40s {__name__="ALERTS", alertname="APIErrors", alertstate="firing", region="us-east", service="api", suppressed="true"} stale` + "\n" +
		`40s {__name__="ALERTS", alertname="SearchErrors", alertstate="firing", region="us-east", suppressed="true"} stale` + "\n" +
		`40s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="firing", region="us-east", service="metadata-db"} stale`
	if got := h.alertsWritten(); got != wantAlerts {
		t.Fatalf("at 40s wrote:\n%s\nwant:\n%s", got, wantAlerts)
	}
	// WebErrors still fires, and nothing explains it any more: it pages.
	h.evalAt(50)
	if got, want := h.notes(), webAlert+" firing\n"; got != want {
		t.Fatalf("at 50s notified:\n%s\nwant:\n%s", got, want)
	}
	if got, want := h.alertsWritten(), `50s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east"} 1`+"\n"+
		`50s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east", suppressed="true"} stale`; got != want {
		t.Fatalf("at 50s wrote:\n%s\nwant:\n%s", got, want)
	}
}

func TestCauseFiresAfterDependentPaged(t *testing.T) {
	h := newDepsHarness(t, strings.Replace(depsRules, "for: 20s\n        depends_on: [{alert: MetadataDBDown", "depends_on: [{alert: MetadataDBDown", 1), depsServices)
	failing(t, h)
	h.q.vector(`db_up == 0`)
	h.q.vector(`api_errors > 0`)
	h.q.vector(`search_errors > 0`)
	h.evalAt(0) // WebErrors, for: 0, fires and pages
	if got, want := h.notes(), webAlert+" firing\n"; got != want {
		t.Fatalf("at 0s notified:\n%s\nwant:\n%s", got, want)
	}
	h.q.vector(`db_up == 0`, sample(t, `db_up{region="us-east"}`, 0))
	// The database is pending: WebErrors paged already, it is not held.
	for _, s := range []int{10, 20} {
		h.evalAt(s)
		if got, want := h.notes(), webAlert+" firing\n"; got != want {
			t.Fatalf("at %ds notified:\n%s\nwant:\n%s", s, got, want)
		}
	}
	h.evalAt(30) // the database fires
	if got, want := h.notes(), webAlert+" firing\n--\n"+dbAlert+" firing\n"; got != want {
		t.Fatalf("at 30s notified:\n%s\nwant:\n%s", got, want)
	}
	h.evalAt(40) // WebErrors is handed over suppressed: delivery links the cause to its page
	if got, want := h.notes(), webAlert+" firing suppressed by "+dbCause+"\n--\n"+dbAlert+" firing\n"; got != want {
		t.Fatalf("at 40s notified:\n%s\nwant:\n%s", got, want)
	}
}

func TestDependentOfOtherRegionPages(t *testing.T) {
	h := newDepsHarness(t, depsRules, depsServices)
	failing(t, h)
	h.q.vector(`web_errors > 0`, sample(t, `web_errors{region="us-west"}`, 5))
	h.q.vector(`api_errors > 0`)
	h.q.vector(`search_errors > 0`)
	for s := 0; s <= 30; s += 10 {
		h.evalAt(s)
	}
	want := `{alertname="WebErrors", region="us-west"} firing` + "\n--\n" + dbAlert + " firing\n"
	if got := h.notes(); !strings.HasSuffix(got, want) || strings.Contains(got, "suppressed") {
		t.Fatalf("notified:\n%s\nwant last:\n%s", got, want)
	}
	d := h.m.Explain("WebErrors", ls(t, `{region="us-west"}`))
	if d.Suppressed {
		t.Fatalf("Explain(us-west) = %+v", d)
	}
	d = h.m.Explain("WebErrors", ls(t, `{region="us-east"}`))
	if got := renderDecision(d.Suppressed, d.By); got != `suppressed by MetadataDBDown{region="us-east", service="metadata-db"} via [WebErrors MetadataDBDown] root` {
		t.Fatalf("Explain(us-east) = %s", got)
	}
}

func TestOrderOfRulesInGroupDoesNotMatter(t *testing.T) {
	h := newDepsHarness(t, `
groups:
  - name: g
    rules:
      - alert: WebErrors
        expr: web_errors > 0
        depends_on: [MetadataDBDown]
      - alert: MetadataDBDown
        expr: db_up == 0
`, "")
	h.q.vector(`web_errors > 0`, sample(t, `web_errors{region="us-east"}`, 5))
	h.q.vector(`db_up == 0`, sample(t, `db_up{region="us-east"}`, 0))
	h.evalAt(0)
	want := webAlert + ` firing suppressed by MetadataDBDown{region="us-east"}` + "\n" +
		`{alertname="MetadataDBDown", region="us-east"} firing` + "\n"
	if got := h.notes(); got != want {
		t.Fatalf("notified:\n%s\nwant:\n%s", got, want)
	}
	wantAlerts := `0s {__name__="ALERTS", alertname="WebErrors", alertstate="firing", region="us-east", suppressed="true"} 1` + "\n" +
		`0s {__name__="ALERTS", alertname="MetadataDBDown", alertstate="firing", region="us-east"} 1`
	if got := h.alertsWritten(); got != wantAlerts {
		t.Fatalf("wrote:\n%s\nwant:\n%s", got, wantAlerts)
	}
}

// TestCauseWithoutForInLaterGroup pins the documented limit of holding: a
// cause with for: 0 is never pending, so a dependent whose group
// evaluates first pages, and is suppressed at its next evaluation.
func TestCauseWithoutForInLaterGroup(t *testing.T) {
	h := newDepsHarness(t, strings.ReplaceAll(depsRules, "for: 20s", "for: 0s"), depsServices)
	failing(t, h)
	h.q.vector(`api_errors > 0`)
	h.q.vector(`search_errors > 0`)
	h.evalAt(0)
	if got, want := h.notes(), webAlert+" firing\n--\n"+dbAlert+" firing\n"; got != want {
		t.Fatalf("at 0s notified:\n%s\nwant:\n%s", got, want)
	}
	h.evalAt(10)
	if got, want := h.notes(), webAlert+" firing suppressed by "+dbCause+"\n--\n"+dbAlert+" firing\n"; got != want {
		t.Fatalf("at 10s notified:\n%s\nwant:\n%s", got, want)
	}
}

func TestHeldDependentPagesWhenPendingCauseClears(t *testing.T) {
	h := newDepsHarness(t, depsRules, depsServices)
	failing(t, h)
	h.q.vector(`api_errors > 0`)
	h.q.vector(`search_errors > 0`)
	h.q.set(`db_up == 0`, until(0, 10, sample(t, `db_up{region="us-east"}`, 0)))
	for s := 0; s <= 20; s += 10 {
		h.evalAt(s)
	}
	if got := h.notes(); got != "" {
		t.Fatalf("notified while the cause was pending:\n%s", got)
	}
	if a := h.m.Alerts(); len(a) != 1 || !a[0].Held || a[0].Suppressed || a[0].State != StateFiring {
		t.Fatalf("alerts %+v", a)
	}
	h.evalAt(30)
	if got, want := h.notes(), webAlert+" firing\n"; got != want {
		t.Fatalf("at 30s notified:\n%s\nwant:\n%s", got, want)
	}
}

// TestHoldIsBounded: causes that keep turning pending (each gone before
// its for: 30s) hold a dependent at most for + interval (40s) after it was
// first held, then it pages.
func TestHoldIsBounded(t *testing.T) {
	h := newDepsHarness(t, strings.NewReplacer("for: 20s\n        depends_on: [{alert: MetadataDBDown", "for: 10s\n        depends_on: [{alert: MetadataDBDown",
		"for: 20s\n        labels: {service: metadata-db}", "for: 30s\n        labels: {service: metadata-db}").Replace(depsRules), depsServices)
	failing(t, h)
	h.q.vector(`api_errors > 0`)
	h.q.vector(`search_errors > 0`)
	h.q.set(`db_up == 0`, func(ts time.Time) (parser.Value, error) {
		s := secs(ts)
		var v promql.Vector
		for i := 0; i < 5; i++ { // instance i is down from 20*i to 20*i+20
			if s >= 20*i && s <= 20*i+20 {
				v = append(v, sample(t, fmt.Sprintf(`db_up{region="us-east",i="%d"}`, i), 0))
			}
		}
		return v, nil
	})
	var paged []int
	for s := 0; s <= 80; s += 10 {
		h.evalAt(s)
		if strings.Contains(h.notes(), webAlert+" firing\n") {
			paged = append(paged, s)
		}
	}
	if !slices.Equal(paged, []int{50, 60, 70, 80}) {
		t.Fatalf("WebErrors handed over at %v, want from 50s on (held from 10s)", paged)
	}
}

// renderDecision prints a decision: the causes, their paths, roots.
func renderDecision(suppressed bool, by []depgraph.Explanation) string {
	if !suppressed {
		return "not suppressed"
	}
	var parts []string
	for _, e := range by {
		p := fmt.Sprintf("%s via %v", e.Cause, e.Path)
		if e.Root {
			p += " root"
		}
		parts = append(parts, p)
	}
	return "suppressed by " + strings.Join(parts, "; ")
}
