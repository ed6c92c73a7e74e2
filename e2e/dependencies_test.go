package e2e

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

// The dependency tests run a database alert and alerts of the services that
// depend on it (issue 4), with rules in two files (two groups, so two
// evaluation offsets, as when teams own their own rule files) and a services
// file, at the default 10 s evaluation interval, against the PagerDuty
// stand-in. Every rule has for: 20s (alertFor). Each test runs its own server
// in parallel with the alerting tests.

const dbAlert = "MetadataDBDown"

// depDBRules is the database team's rule file.
const depDBRules = `groups:
  - name: metadata-db
    rules:
      - alert: MetadataDBDown
        expr: e2e_db_up == 0
        for: 20s
        labels:
          team: dba
        annotations:
          summary: "Metadata database down in {{ $labels.region }}"
`

// depServiceRules holds the services' rules: two tied to the database by
// depends_on, SyncErrors through the services file (depServices).
const depServiceRules = `groups:
  - name: services
    rules:
      - alert: WebErrors
        expr: e2e_web_error_ratio > 0.05
        for: 20s
        labels:
          team: web
        annotations:
          summary: "Web errors in {{ $labels.region }}: {{ $value | humanizePercentage }}"
        depends_on:
          - alert: MetadataDBDown
            match: [region]
      - alert: ApiErrors
        expr: e2e_api_error_ratio > 0.05
        for: 20s
        labels:
          team: api
        annotations:
          summary: "API errors in {{ $labels.region }}: {{ $value | humanizePercentage }}"
        depends_on:
          - alert: MetadataDBDown
            match: [region]
      - alert: SyncErrors
        expr: e2e_sync_error_ratio > 0.05
        for: 20s
        labels:
          team: sync
        annotations:
          summary: "Sync errors in {{ $labels.region }}: {{ $value | humanizePercentage }}"
`

// depServices ties SyncErrors to the database through services, by rule
// names.
const depServices = `# Services of the e2e dependency tests.
service_label: service
services:
  - name: metadata-db
    alerts: [MetadataDBDown]
  - name: sync
    depends_on:
      - service: metadata-db
        match: [region]
    alerts: [SyncErrors]
`

// depLabelRules is the services' rule file of TestDepLabelMatch: ApiErrors
// depends on the database by depends_on, WebErrors through its service
// label (depLabelServices).
const depLabelRules = `groups:
  - name: services
    rules:
      - alert: ApiErrors
        expr: e2e_api_error_ratio > 0.05
        for: 20s
        labels:
          team: api
        depends_on:
          - alert: MetadataDBDown
            match: [region]
      - alert: WebErrors
        expr: e2e_web_error_ratio > 0.05
        for: 20s
        labels:
          team: web
          service: web
`

// depLabelServices: alerts with service="web" belong to web, which depends
// on metadata-db in the same region.
const depLabelServices = `service_label: service
services:
  - name: metadata-db
    alerts: [MetadataDBDown]
  - name: web
    depends_on:
      - service: metadata-db
        match: [region]
`

// depFiles are the files of a dependency test, relative to the config.
func depFiles(serviceRules, services string) map[string]string {
	return map[string]string{
		"rules/db.yml":       depDBRules,
		"rules/services.yml": serviceRules,
		"deps/services.yml":  services,
	}
}

// depMetric is the gauge each alert's rule reads.
var depMetric = map[string]string{
	dbAlert:      "e2e_db_up",
	"WebErrors":  "e2e_web_error_ratio",
	"ApiErrors":  "e2e_api_error_ratio",
	"SyncErrors": "e2e_sync_error_ratio",
}

// depRuleLabels are the own labels of the rules of depServiceRules.
func depRuleLabels() map[string]map[string]string {
	return map[string]map[string]string{
		dbAlert:      {"team": "dba"},
		"WebErrors":  {"team": "web"},
		"ApiErrors":  {"team": "api"},
		"SyncErrors": {"team": "sync"},
	}
}

// TestDepSuppressAcceptance is issue 4's end-to-end acceptance: a database
// alert and three dependent service alerts (two by depends_on, one through
// the services file) start failing with one push. Exactly one page
// arrives, the database's, on time; the three fire suppressed, with the
// database as their cause, in /api/v1/alerts and ALERTS. Then the database
// recovers while one dependent still fails: that one pages, the other two
// resolve without ever paging, and the database's page resolves.
func TestDepSuppressAcceptance(t *testing.T) {
	t.Parallel()
	s := newDepScenario(t, depFiles(depServiceRules, depServices), depRuleLabels())
	db := depInst{dbAlert, "us-east", "db-1"}
	web := depInst{"WebErrors", "us-east", "web-1"}
	api := depInst{"ApiErrors", "us-east", "api-1"}
	sync := depInst{"SyncErrors", "us-east", "sync-1"}
	deps := []depInst{web, api, sync}
	all := []depInst{db, web, api, sync}
	s.begin(all...)

	pushed := s.pushAfterDBEvaluation(all, nil)
	act := s.waitActive(pushed, all...)
	t.Logf("activeAt after the push at %s: %v", pushed.Format(time.RFC3339Nano), act)
	watch := &watchHeld{held: map[depInst]bool{}, deps: deps, scenario: s}
	due := act[db].Add(alertFor)
	s.wait(time.Until(due)+evalInterval+slack, "the database's trigger", func() (bool, error) {
		return len(s.events("trigger", db)) > 0, watch.check()
	})
	trig := s.waitTrigger(db, act[db])
	t.Logf("database trigger: %s", trig.Body)
	s.checkHeld(watch, db, act)

	deadline := later(trig.At, latest(act, deps...).Add(alertFor)).Add(evalInterval + slack)
	s.waitSuppressed(deadline, db, map[depInst][]string{
		web:  {"WebErrors", dbAlert},
		api:  {"ApiErrors", dbAlert},
		sync: {"SyncErrors", "sync", "metadata-db", dbAlert},
	})
	s.checkSuppressedSeries(deps...)
	if v, ok, err := s.v.api.metricValue("vigil_alerts_suppressed"); err != nil || !ok || v != 3 {
		t.Errorf("vigil_alerts_suppressed = %v (found %v, %v), want 3", v, ok, err)
	}
	s.checkAcceptanceGraph()
	s.checkExplain(web, true, []string{"WebErrors", dbAlert})
	s.checkExplain(sync, true, []string{"SyncErrors", "sync", "metadata-db", dbAlert})
	s.checkExplain(db, false, nil)
	s.checkExplainBadRequests()
	s.checkRuleAlertSuppressed(sync, db, []string{"SyncErrors", "sync", "metadata-db", dbAlert})
	s.waitEvaluations("WebErrors", 1)
	s.checkEvents("while the three dependents are suppressed", map[string]int{"trigger " + db.String(): 1})

	recovered := s.push([]depInst{api}, []depInst{db, web, sync})
	s.wait(2*evalInterval+slack, "the database's resolve and ApiErrors' trigger", func() (bool, error) {
		return len(s.events("resolve", db)) > 0 && len(s.events("trigger", api)) > 0, nil
	})
	apiTrig := s.events("trigger", api)[0]
	t.Logf("after the database recovered: resolve %v, ApiErrors trigger %v after the push",
		s.events("resolve", db)[0].At.Sub(recovered), apiTrig.At.Sub(recovered))
	if a, ok, err := s.alert(api); err != nil || !ok || a.State != "firing" || a.Suppressed || a.Held {
		t.Errorf("ApiErrors after its cause resolved: %v (found %v, %v); want firing, not suppressed", a, ok, err)
	}
	s.waitEvaluated(time.Now(), dbAlert, "WebErrors")
	for _, in := range []depInst{db, web, sync} {
		if a, ok, err := s.alert(in); err != nil || ok {
			t.Errorf("%s still in /api/v1/alerts after it recovered: %v (%v)", in, a, err)
		}
	}
	s.checkEvents("after the database recovered", map[string]int{
		"trigger " + db.String(): 1, "resolve " + db.String(): 1, "trigger " + api.String(): 1})
}

// acceptanceEdges are the edges of the acceptance graph.
var acceptanceEdges = []string{
	"ApiErrors -depends_on-> MetadataDBDown match[region]",
	"MetadataDBDown -member-> metadata-db match[]",
	"SyncErrors -member-> sync match[]",
	"WebErrors -depends_on-> MetadataDBDown match[region]",
	"sync -service-> metadata-db match[region]",
}

// checkAcceptanceGraph requires /api/v1/deps to show every node where it is
// declared, with its state (a service counts the alerts that belong to it),
// and every edge.
func (s *depScenario) checkAcceptanceGraph() {
	s.t.Helper()
	var g apiDeps
	if err := s.v.api.getData("/api/v1/deps", url.Values{}, &g); err != nil {
		s.t.Errorf("/api/v1/deps: %v", err)
		return
	}
	if got := edgeStrings(g.Edges); !slices.Equal(got, acceptanceEdges) {
		s.t.Errorf("/api/v1/deps edges:\n got %q\nwant %q", got, acceptanceEdges)
	}
	dir := s.v.configDir()
	rules, svcFile := dir+"/rules/services.yml", dir+"/deps/services.yml"
	want := map[string]apiDepNode{
		dbAlert:       {Kind: "alert", File: dir + "/rules/db.yml", Line: lineOf(depDBRules, "- alert: "+dbAlert), Firing: 1},
		"WebErrors":   {Kind: "alert", File: rules, Line: lineOf(depServiceRules, "- alert: WebErrors"), Firing: 1, Suppressed: 1},
		"ApiErrors":   {Kind: "alert", File: rules, Line: lineOf(depServiceRules, "- alert: ApiErrors"), Firing: 1, Suppressed: 1},
		"SyncErrors":  {Kind: "alert", File: rules, Line: lineOf(depServiceRules, "- alert: SyncErrors"), Firing: 1, Suppressed: 1},
		"metadata-db": {Kind: "service", File: svcFile, Line: lineOf(depServices, "- name: metadata-db"), Firing: 1},
		"sync":        {Kind: "service", File: svcFile, Line: lineOf(depServices, "- name: sync"), Firing: 1, Suppressed: 1},
	}
	if len(g.Nodes) != len(want) {
		s.t.Errorf("/api/v1/deps has %d nodes, want %d: %+v", len(g.Nodes), len(want), g.Nodes)
	}
	for _, n := range g.Nodes {
		w, ok := want[n.Name]
		got := n
		got.Name, got.Weight, got.CriticalPath = "", nil, nil
		if !ok || got != w {
			s.t.Errorf("/api/v1/deps node %s: %+v, want %+v", n.Name, got, w)
		}
	}
}

// TestDepLabelMatch: the database fails in us-east only; ApiErrors
// (depends_on, match region) and WebErrors (service label, its service
// depending on the database's with match region) fail in both regions.
// The us-west ones page, the us-east ones are suppressed; the database's
// page is the only other one.
func TestDepLabelMatch(t *testing.T) {
	t.Parallel()
	ruleLabels := depRuleLabels()
	ruleLabels["WebErrors"] = map[string]string{"team": "web", "service": "web"}
	s := newDepScenario(t, depFiles(depLabelRules, depLabelServices), ruleLabels)
	dbEast, dbWest := depInst{dbAlert, "us-east", "db-1"}, depInst{dbAlert, "us-west", "db-2"}
	apiEast, apiWest := depInst{"ApiErrors", "us-east", "api-1"}, depInst{"ApiErrors", "us-west", "api-2"}
	webEast, webWest := depInst{"WebErrors", "us-east", "web-1"}, depInst{"WebErrors", "us-west", "web-2"}
	s.begin(dbEast, dbWest, apiEast, apiWest, webEast, webWest)

	bad := []depInst{dbEast, apiEast, apiWest, webEast, webWest}
	pushed := s.pushAfterDBEvaluation(bad, nil)
	act := s.waitActive(pushed, bad...)
	for _, in := range []depInst{apiWest, webWest, dbEast} {
		s.waitTrigger(in, act[in])
	}
	deadline := latest(act, bad...).Add(alertFor + evalInterval + slack)
	s.waitSuppressed(deadline, dbEast, map[depInst][]string{
		apiEast: {"ApiErrors", dbAlert},
		webEast: {"WebErrors", "web", "metadata-db", dbAlert},
	})
	for _, in := range []depInst{apiWest, webWest} {
		if a, ok, err := s.alert(in); err != nil || !ok || a.State != "firing" || a.Suppressed || a.Held {
			t.Errorf("%s: %v (found %v, %v); want firing, not suppressed (its region's database is up)", in, a, ok, err)
		}
	}
	s.checkSuppressedSeries(apiEast, webEast)
	s.checkExplain(apiWest, false, nil, dbAlert, "region")
	s.checkExplain(webWest, false, nil, dbAlert, "region")
	s.waitEvaluations("ApiErrors", 1)
	s.checkEvents("one region's database down", map[string]int{
		"trigger " + dbEast.String(): 1, "trigger " + apiWest.String(): 1, "trigger " + webWest.String(): 1})
}

// TestDepSuppressedSurvivesRestart: the database and a dependent fire, the
// dependent suppressed; Vigil restarts gracefully on the same data
// directory right after the database's group evaluated, so the dependent's
// group (almost always) evaluates first after the start. The dependent must
// not page, nor the database page again.
func TestDepSuppressedSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := newDepScenario(t, depFiles(depServiceRules, depServices), depRuleLabels())
	db := depInst{dbAlert, "us-east", "db-1"}
	web := depInst{"WebErrors", "us-east", "web-1"}
	s.begin(db, web)
	pushed := s.pushAfterDBEvaluation([]depInst{db, web}, nil)
	act := s.waitActive(pushed, db, web)
	s.waitTrigger(db, act[db])
	deadline := later(time.Now(), act[web].Add(alertFor)).Add(evalInterval + slack)
	s.waitSuppressed(deadline, db, map[depInst][]string{web: {"WebErrors", dbAlert}})

	s.waitEvaluated(time.Now(), dbAlert)
	s.v.stop()
	restarted := time.Now()
	s.v.start()
	t.Logf("restarted in %v", time.Since(restarted).Round(time.Millisecond))
	first := map[string]time.Time{}
	for _, rule := range []string{dbAlert, "WebErrors"} {
		s.waitEvaluated(restarted, rule)
		first[rule], _ = s.lastEvaluation(rule)
	}
	t.Logf("first evaluations after the restart: %v", first)
	for _, in := range []depInst{db, web} {
		a, ok, err := s.alert(in)
		if err != nil || !ok || a.State != "firing" || a.ActiveAt == nil || a.ActiveAt.Sub(act[in]).Abs() > time.Second {
			t.Errorf("%s after the restart: %v (found %v, %v); want firing since %s", in, a, ok, err, act[in].Format(time.RFC3339Nano))
		}
		if in == web && (!a.Suppressed || a.Held) {
			t.Errorf("%s after the restart: %v; want suppressed", in, a)
		} else if in == web {
			s.checkSuppressedBy(web, a, db, []string{"WebErrors", dbAlert})
		}
	}
	s.waitEvaluations("WebErrors", 3)
	s.checkEvents("three evaluations after the restart", map[string]int{"trigger " + db.String(): 1})
}

// TestDepCauseAfterDependentPaged: a dependent pages on its own; then its
// cause fires. The dependent's page is not withdrawn (no resolve), but it
// gets one trigger update with custom_details.caused_by naming the cause,
// and shows as suppressed.
func TestDepCauseAfterDependentPaged(t *testing.T) {
	t.Parallel()
	s := newDepScenario(t, depFiles(depServiceRules, depServices), depRuleLabels())
	db := depInst{dbAlert, "us-east", "db-1"}
	web := depInst{"WebErrors", "us-east", "web-1"}
	s.begin(db, web)
	pushed := s.push([]depInst{web}, nil)
	act := s.waitActive(pushed, web)
	s.waitTrigger(web, act[web])

	pushed = s.push([]depInst{web, db}, nil)
	act[db] = s.waitActive(pushed, db)[db]
	dbTrig := s.waitTrigger(db, act[db])
	s.wait(time.Until(dbTrig.At)+2*evalInterval+slack, "WebErrors' trigger update", func() (bool, error) {
		return len(s.events("trigger", web)) > 1, nil
	})
	update := s.events("trigger", web)[1]
	t.Logf("update %v after the cause's trigger: %s", update.At.Sub(dbTrig.At), update.Body)
	s.checkCausedBy(update, db)
	if a, ok, err := s.alert(web); err != nil || !ok || a.State != "firing" || !a.Suppressed {
		t.Errorf("WebErrors after its cause fired: %v (found %v, %v); want firing, suppressed", a, ok, err)
	} else {
		s.checkSuppressedBy(web, a, db, []string{"WebErrors", dbAlert})
	}
	s.waitEvaluations("WebErrors", 2)
	s.checkEvents("a page not withdrawn, updated once", map[string]int{
		"trigger " + web.String(): 2, "trigger " + db.String(): 1})
}
