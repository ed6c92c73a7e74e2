package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSEVAcceptance is issue 5's main acceptance path. /login drops below
// its bucket's level-2 threshold: exactly one SEV (availability, level 2,
// [/login], three roles) within two intervals plus `for`, a trigger per
// role (dedup key <id>-<role>, severity error), a webhook post and a
// postmortem draft. The drop deepens: level 1, the pages update (critical).
// /upload fails too: it joins the same SEV. Traffic recovers: mitigated,
// then resolved with a resolve per role; the timeline holds every step in
// order.
func TestSEVAcceptance(t *testing.T) {
	t.Parallel()
	s := newSEVScenario(t, map[string]int{"/login": 1000, "/upload": 1000, "/share": 1000, "/home": 100000})
	if err := s.noSEV(); err != nil {
		t.Fatal(err)
	}
	drop := s.set(map[string]float64{"/login": levelTwoDip})
	due := drop.Add(2*sevInterval + sevCriticalFor)
	sev := s.waitSEV(time.Until(due)+slack, "a SEV for /login", oneSEV(func(apiSEV) bool { return true }))[0]
	t.Logf("filed %v after the drop (impact start %v after it, detection %v): %s", sev.FiledAt.Sub(drop),
		sev.ImpactStartedAt.Sub(drop), sev.FiledAt.Sub(sev.ImpactStartedAt), sev)
	if sev.FiledAt.After(due) {
		t.Errorf("filed at %s, %v after the drop: want within two intervals plus for (%v)", sev.FiledAt.Format(time.RFC3339Nano),
			sev.FiledAt.Sub(drop), due.Sub(drop))
	}
	checkFiled(t, sev, drop, 2, []string{"/login"}, wantRoles(sev.FiledAt))
	checkImpact(t, sev, "route", "/login", 0.97, 2)
	if d := sev.FiledAt.Sub(sev.ImpactStartedAt); d < sevCriticalFor || d > 2*sevInterval+sevCriticalFor {
		t.Errorf("detection time (impact start → filed) %v: want at least for (%v), at most two intervals more", d, sevCriticalFor)
	}
	id := sev.ID
	trig := s.waitEvents(id, "trigger", 1, sevInterval+slack)
	for _, r := range sevRoles {
		s.checkTrigger(trig[r][0], id, r, "error", roleKey, "/login")
	}
	t.Logf("trigger: %s", trig["imoc"][0].Body)
	s.checkLinks(id)
	s.waitWebhook(id)

	deep := s.set(map[string]float64{"/login": levelOneDip})
	s.until(deep.Add(15*time.Second), "/login deeper, one SEV", func() error {
		all, err := s.v.api.sevs()
		if err == nil && (len(all) != 1 || all[0].State != "open") {
			err = fmt.Errorf("want one open SEV, got %v", all)
		}
		return err
	})
	up := s.set(map[string]float64{"/upload": levelTwoDip})
	due = deep.Add(2*sevInterval + sevCriticalFor)
	sev = s.waitSEV(time.Until(due)+slack, "level 1", oneSEV(func(x apiSEV) bool { return x.Level == 1 }))[0]
	t.Logf("level 1 %v after the deeper drop", time.Since(deep))
	trig = s.waitEvents(id, "trigger", 2, sevInterval+slack)
	for _, r := range sevRoles {
		s.checkTrigger(trig[r][1], id, r, "critical", roleKey, "/login")
	}
	due = up.Add(2*sevInterval + sevCriticalFor)
	sev = s.waitSEV(time.Until(due)+slack, "/upload joins", oneSEV(func(x apiSEV) bool { return slices.Contains(x.Routes, "/upload") }))[0]
	t.Logf("/upload joined %v after its drop: %s", time.Since(up), sev)
	if sev.ID != id || sev.Level != 1 || sev.State != "open" {
		t.Errorf("after /upload joined: %s; want %s, level 1, open", sev, id)
	}

	rec := s.set(map[string]float64{"/login": 0, "/upload": 0})
	due = rec.Add(sevWindow + 2*sevInterval + sevRecoveryFor)
	sev = s.waitSEV(time.Until(due)+slack, "mitigated", oneSEV(func(x apiSEV) bool { return x.State != "open" }))[0]
	t.Logf("mitigated %v after recovery", time.Since(rec))
	if sev.State != "mitigated" || sev.MitigatedAt == nil || sev.MitigatedAt.Before(rec.Truncate(time.Millisecond)) || time.Since(rec) < sevRecoveryFor {
		t.Errorf("%v after the recovery at %s: %s; want mitigated, mitigated_at after the recovery, not before recovery_for (%v)",
			time.Since(rec), rec.Format(time.RFC3339Nano), sev, sevRecoveryFor)
	}
	due = time.Now().Add(sevResolveAfter + 2*sevInterval)
	sev = s.waitSEV(time.Until(due)+slack, "resolved", oneSEV(func(x apiSEV) bool { return x.State == "resolved" }))[0]
	res := s.waitEvents(id, "resolve", 1, sevInterval+slack)
	for _, r := range sevRoles {
		if ev := res[r][0].Event; ev.RoutingKey != roleKey[r] {
			t.Errorf("%s resolve: routing_key %q, want %q", r, ev.RoutingKey, roleKey[r])
		}
	}
	s.checkResolved(id, rec)
	s.checkPDCounts(id, 2, 1)
	s.checkPostmortem(id, "/login")
	if n, lines, err := s.v.api.metricSum("vigil_sev_detection_seconds_count"); err != nil || n != 1 {
		t.Errorf("vigil_sev_detection_seconds_count = %v (%q, %v), want 1", n, lines, err)
	}
}

// checkFiled checks a SEV just filed for routes at level.
func checkFiled(t *testing.T, sev apiSEV, drop time.Time, level int, routes []string, roles map[string]string) {
	t.Helper()
	if sev.ID != "SEV-1" || sev.Type != "availability" || sev.Level != level || sev.State != "open" || !slices.Equal(sev.Routes, routes) {
		t.Errorf("filed: %s; want SEV-1, availability, level %d, open, routes %v", sev, level, routes)
	}
	for _, r := range sevRoles {
		if sev.Roles[r] != roles[r] {
			t.Errorf("roles %v, want %v", sev.Roles, roles)
			break
		}
	}
	if sev.ImpactStartedAt.Before(drop.Truncate(time.Millisecond)) || sev.DetectedAt.Before(sev.ImpactStartedAt) || sev.FiledAt.Before(sev.DetectedAt) {
		t.Errorf("times: drop %s, impact_started_at %s, detected_at %s, filed_at %s; want in that order", drop.Format(time.RFC3339Nano),
			sev.ImpactStartedAt.Format(time.RFC3339Nano), sev.DetectedAt.Format(time.RFC3339Nano), sev.FiledAt.Format(time.RFC3339Nano))
	}
	if sev.MitigatedAt != nil || sev.ResolvedAt != nil {
		t.Errorf("filed SEV already mitigated or resolved: %s", sev)
	}
	for _, r := range routes {
		if !strings.Contains(sev.Title, r) {
			t.Errorf("title %q does not name %s", sev.Title, r)
		}
	}
}

// checkImpact requires the SEV to hold the impact that filed it.
func checkImpact(t *testing.T, sev apiSEV, scope, route string, threshold float64, level int) {
	t.Helper()
	for _, im := range sev.Impact {
		if im.Scope == scope && im.Route == route && im.Threshold == threshold && im.Level == level && im.Value < threshold {
			return
		}
	}
	t.Errorf("%s impact %+v: want scope %s route %q threshold %v level %d with a value below it", sev.ID, sev.Impact, scope, route, threshold, level)
}

// checkLinks requires links.pagerduty to name each role's dedup key and a
// postmortem link.
func (s *sevScenario) checkLinks(id string) {
	s.t.Helper()
	sev, err := s.v.api.sev(id)
	if err != nil {
		s.t.Fatalf("GET /api/v1/sevs/%s: %v", id, err)
	}
	for _, r := range sevRoles {
		if sev.Links.PagerDuty[r] != id+"-"+r {
			s.t.Errorf("%s links.pagerduty %v: want %s → %s-%s", id, sev.Links.PagerDuty, r, id, r)
		}
	}
	if sev.Links.Postmortem == "" {
		s.t.Errorf("%s has no postmortem link: %+v", id, sev.Links)
	}
}

// waitWebhook waits for a webhook post naming the SEV and its type.
func (s *sevScenario) waitWebhook(id string) {
	s.t.Helper()
	s.wait(sevInterval+slack, "a webhook post for "+id, func() (bool, error) {
		return slices.ContainsFunc(s.hook.received(), func(p string) bool {
			return strings.HasPrefix(p, "POST ") && strings.Contains(p, id) && strings.Contains(p, "availability")
		}), nil
	})
}

// mainPath is the timeline of the acceptance path, without paged entries.
var mainPath = []string{"impact_started", "detected", "filed", "level_changed", "route_joined", "mitigated", "resolved"}

// checkResolved checks the final SEV of the acceptance path through
// GET /api/v1/sevs/<id>.
func (s *sevScenario) checkResolved(id string, rec time.Time) {
	s.t.Helper()
	sev, err := s.v.api.sev(id)
	if err != nil {
		s.t.Fatalf("GET /api/v1/sevs/%s: %v", id, err)
	}
	s.t.Logf("final: %s", sev)
	got := slices.Clone(sev.Routes)
	slices.Sort(got)
	if sev.State != "resolved" || sev.Level != 1 || !slices.Equal(got, []string{"/login", "/upload"}) || sev.MitigatedAt == nil ||
		sev.ResolvedAt == nil || sev.ResolvedAt.Before(*sev.MitigatedAt) || sev.MitigatedAt.Before(rec) {
		s.t.Errorf("final %s: want resolved, level 1, routes /login and /upload, mitigated after %s, resolved after that", sev, rec.Format(time.RFC3339Nano))
	}
	if k := kinds(sev.Timeline); !slices.Equal(k, mainPath) {
		s.t.Errorf("timeline kinds (paged left out) %q, want %q", k, mainPath)
	}
	checkTimelineOrder(s.t, sev)
	for _, e := range sev.Timeline {
		if e.Actor == "" || e.Time.IsZero() {
			s.t.Errorf("timeline entry without actor or time: %+v", e)
		}
	}
	if all, err := s.v.api.sevs(); err != nil || len(all) != 1 {
		s.t.Errorf("/api/v1/sevs: %d SEVs (%v), want 1", len(all), err)
	}
}

// checkPDCounts requires exactly triggers triggers and resolves resolves
// per role of SEV id, and no other event.
func (s *sevScenario) checkPDCounts(id string, triggers, resolves int) {
	s.t.Helper()
	trig, res := s.sevEvents(id, "trigger"), s.sevEvents(id, "resolve")
	for _, r := range sevRoles {
		if len(trig[r]) != triggers || len(res[r]) != resolves {
			s.t.Errorf("%s %s: %d triggers, %d resolves; want %d and %d", id, r, len(trig[r]), len(res[r]), triggers, resolves)
		}
	}
	if n, want := s.pd.count(), len(sevRoles)*(triggers+resolves); n != want {
		s.t.Errorf("PagerDuty received %d events, want %d", n, want)
	}
}

// checkPostmortem requires a Markdown draft for the SEV under the data
// directory with the route and empty sections to fill in.
func (s *sevScenario) checkPostmortem(id, route string) {
	s.t.Helper()
	path, content, err := findPostmortem(s.v.dataDir, id)
	if err != nil {
		s.t.Error(err)
		return
	}
	s.t.Logf("postmortem draft %s (%d bytes)", path, len(content))
	low := strings.ToLower(content)
	for _, w := range []string{route, "contributing factors", "action items", "timeline"} {
		if !strings.Contains(low, strings.ToLower(w)) {
			s.t.Errorf("postmortem draft %s does not mention %q:\n%s", path, w, content)
		}
	}
}

// TestSEVNonCriticalAndGlobal: the dip that files a SEV on /login files
// nothing on /about (in no bucket), nor does a dip on /share that stays
// above its bucket's threshold, for longer than any `for`; then a drop of
// the global SLI files a SEV from the global table, with no route.
func TestSEVNonCriticalAndGlobal(t *testing.T) {
	t.Parallel()
	s := newSEVScenario(t, map[string]int{"/login": 1000, "/share": 1000, "/about": 1000, "/home": 100000})
	dip := s.set(map[string]float64{"/about": levelTwoDip, "/share": 0.04})
	seen := map[string]float64{"/about": 1, "/share": 1}
	s.until(dip.Add(2*sevInterval+sevCriticalFor+5*time.Second), "dips on /about and /share", func() error {
		if err := s.noSEV(); err != nil {
			return err
		}
		return s.minSLI(seen)
	})
	t.Logf("lowest route SLIs seen: %v", seen)
	if seen["/about"] > 0.97 || seen["/share"] > 0.97 || seen["/share"] < 0.95 {
		t.Errorf("route SLIs during the dip: %v; want /about below 0.97 and /share in [0.95, 0.97]", seen)
	}

	drop := s.set(map[string]float64{"/home": globalDrop, "/about": 0, "/share": 0})
	due := drop.Add(2*sevInterval + sevGlobalL1For)
	sev := s.waitSEV(time.Until(due)+slack, "a global SEV", oneSEV(func(apiSEV) bool { return true }))[0]
	t.Logf("global SEV filed %v after the drop: %s", sev.FiledAt.Sub(drop), sev)
	roles := wantRoles(sev.FiledAt)
	roles["tloc"] = "eve"
	checkFiled(t, sev, drop, 1, []string{}, roles)
	checkImpact(t, sev, "global", "", 0.90, 1)
	keys := map[string]string{"imoc": keyIMOC, "tloc": keyTLOC, "bmoc": keyBMOC}
	trig := s.waitEvents(sev.ID, "trigger", 1, sevInterval+slack)
	for _, r := range sevRoles {
		s.checkTrigger(trig[r][0], sev.ID, r, "critical", keys)
	}
}

// routeSLI is the policy's route SLI.
const routeSLI = `sum by (route) (rate(http_requests_total{code!~"5.."}[25s])) / sum by (route) (rate(http_requests_total[25s]))`

// minSLI queries the route SLI now and keeps the lowest value of each route
// of seen.
func (s *sevScenario) minSLI(seen map[string]float64) error {
	res, err := s.v.api.query(routeSLI, time.Now().UnixMilli())
	if err != nil {
		return err
	}
	for _, sr := range res.Series {
		r := sr.Metric["route"]
		if _, ok := seen[r]; !ok || len(sr.Points) == 0 {
			continue
		}
		if v, err := strconv.ParseFloat(sr.Points[0].V, 64); err == nil && v < seen[r] {
			seen[r] = v
		}
	}
	return nil
}

// TestSEVSurvivesRestart: a graceful restart on the same data directory
// while a SEV is open and its route still fails: no second SEV, no second
// page; the timeline continues after the restart (mitigated, resolved).
func TestSEVSurvivesRestart(t *testing.T) {
	t.Parallel()
	s := newSEVScenario(t, map[string]int{"/login": 1000, "/home": 100000})
	drop := s.set(map[string]float64{"/login": levelTwoDip})
	due := drop.Add(2*sevInterval + sevCriticalFor)
	sev := s.waitSEV(time.Until(due)+slack, "a SEV for /login", oneSEV(func(apiSEV) bool { return true }))[0]
	id := sev.ID
	s.waitEvents(id, "trigger", 1, sevInterval+slack)
	before, err := s.v.api.sev(id)
	if err != nil {
		t.Fatal(err)
	}

	s.v.stop()
	restarted := time.Now()
	s.v.start()
	t.Logf("restarted in %v", time.Since(restarted).Round(time.Millisecond))
	s.until(time.Now().Add(2*sevInterval+5*time.Second), "after the restart, /login still failing", func() error {
		all, err := s.v.api.sevs()
		if err == nil && (len(all) != 1 || all[0].ID != id || all[0].State != "open" || all[0].Level != 2) {
			err = fmt.Errorf("want %s alone, open, level 2; got %v", id, all)
		}
		if n := s.pd.count(); err == nil && n != 3 {
			err = fmt.Errorf("PagerDuty received %d events, want the 3 triggers from before the restart:%s", n, s.pd.describe())
		}
		return err
	})
	rec := s.set(map[string]float64{"/login": 0})
	s.waitSEV(time.Until(rec.Add(sevWindow+3*sevInterval+sevRecoveryFor+sevResolveAfter))+slack, "resolved",
		oneSEV(func(x apiSEV) bool { return x.State == "resolved" }))
	s.waitEvents(id, "resolve", 1, sevInterval+slack)
	after, err := s.v.api.sev(id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after: %s", after)
	if len(after.Timeline) < len(before.Timeline) || !slices.Equal(after.Timeline[:len(before.Timeline)], before.Timeline) {
		t.Errorf("timeline before the restart:%s\nis not the start of the one after:%s", describeTimeline(before.Timeline), describeTimeline(after.Timeline))
	} else {
		added := after.Timeline[len(before.Timeline):]
		if k := kinds(added); !slices.Equal(k, []string{"mitigated", "resolved"}) || firstNotPaged(added).Before(restarted) {
			t.Errorf("entries added after the restart:%s\nwant mitigated and resolved, after %s", describeTimeline(added), restarted.Format(time.RFC3339Nano))
		}
	}
	checkTimelineOrder(t, after)
	s.checkPDCounts(id, 1, 1)
}

// firstNotPaged is the time of the first entry that is not "paged" (a page
// sent before a restart may be recorded just after the snapshot taken
// before it).
func firstNotPaged(tl []apiEntry) time.Time {
	for _, e := range tl {
		if e.Kind != "paged" {
			return e.Time
		}
	}
	return time.Time{}
}

// badPolicy has a PromQL error on line 4 and an unknown key on line 13.
const badPolicy = `interval: 10s
availability:
  routes:
    sli: 'sum by (route) (rate(http_requests_total[1m])) /'
    buckets:
      critical:
        routes: [/login]
        levels: [{level: 1, below: 0.90, for: 30s}]
roles:
  imoc: {rotation: [ana], routing_key: K}
  tloc: {rotation: [eve], routing_key: K}
  bmoc: {rotation: [cat], routing_key: K}
recovery_after: 2m
`

// badPolicyErrors are file:line references of badPolicy's problems and a
// word of each.
var badPolicyErrors = map[string]string{"policy.yml:4": "sli", "policy.yml:13": "recovery_after"}

// TestSEVBadPolicyAtStart: a policy with two errors stops the server at
// start, with exit code 1 and each error at its file and line.
func TestSEVBadPolicyAtStart(t *testing.T) {
	t.Parallel()
	pd := newPagerDuty(t)
	v := newVigil(t, vigilOptions{Config: sevConfig(pd), Files: map[string]string{sevPolicyFile: badPolicy}})
	err := v.tryStart()
	if err == nil {
		t.Fatal("vigil serve started with a broken policy file")
	}
	select {
	case <-v.proc.exited:
	case <-time.After(stopTimeout):
		t.Fatal("vigil serve with a broken policy: not exited")
	}
	var exit *exec.ExitError
	if !errors.As(v.proc.err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("vigil serve with a broken policy: %v, want exit status 1", v.proc.err)
	}
	out := v.logs.String()
	t.Logf("output:\n%s", out)
	checkPolicyErrors(t, out)
}

// checkPolicyErrors requires out to name each error of badPolicy at its
// line.
func checkPolicyErrors(t *testing.T, out string) {
	t.Helper()
	for ref, word := range badPolicyErrors {
		re := regexp.MustCompile(regexp.QuoteMeta(ref) + `\b[^\n]*` + regexp.QuoteMeta(word))
		if !re.MatchString(out) {
			t.Errorf("output does not give %s with %q on that line:\n%s", ref, word, out)
		}
	}
}

// TestSEVReloadKeepsPolicy: a reload with a broken policy answers 500 with
// the problem, and the policy that was running still files a SEV.
func TestSEVReloadKeepsPolicy(t *testing.T) {
	t.Parallel()
	s := newSEVScenario(t, map[string]int{"/login": 1000, "/home": 100000})
	path := filepath.Join(s.v.configDir(), sevPolicyFile)
	if err := os.WriteFile(path, []byte(badPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := s.v.api.post("/-/reload", http.Header{}, nil)
	if err != nil || r.Status != http.StatusInternalServerError {
		t.Fatalf("POST /-/reload with a broken policy: %v, %v; want 500", r, err)
	}
	t.Logf("reload: %s", r)
	checkPolicyErrors(t, r.Body)
	drop := s.set(map[string]float64{"/login": levelTwoDip})
	due := drop.Add(2*sevInterval + sevCriticalFor)
	sev := s.waitSEV(time.Until(due)+slack, "a SEV for /login under the old policy", oneSEV(func(apiSEV) bool { return true }))[0]
	checkFiled(t, sev, drop, 2, []string{"/login"}, wantRoles(sev.FiledAt))
	trig := s.waitEvents(sev.ID, "trigger", 1, sevInterval+slack)
	for _, role := range sevRoles {
		s.checkTrigger(trig[role][0], sev.ID, role, "error", roleKey, "/login")
	}
}

// TestSEVCLI drives a SEV by hand through the real CLI against the server:
// declare (a security SEV), list, show, ack, set-level, mitigate, resolve;
// each action lands in the timeline with its actor.
func TestSEVCLI(t *testing.T) {
	t.Parallel()
	pd := newPagerDuty(t)
	hook := newWebhookRecv(t)
	v := startVigil(t, vigilOptions{Config: sevConfig(pd), Files: map[string]string{sevPolicyFile: sevPolicy(hook.srv.URL)}})
	url := v.api.base
	sev := func(args ...string) string {
		t.Helper()
		out, code := runVigil(t, append(append([]string{"sev"}, args...), "--url", url)...)
		if code != 0 {
			t.Fatalf("vigil sev %s: exit %d:\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}
	const title = "Leaked API token in the public bucket"
	out := sev("declare", "--type", "security", "--level", "1", "--title", title, "--route", "/login", "--actor", "alice")
	t.Logf("vigil sev declare:\n%s", out)
	all, err := v.api.sevs()
	if err != nil || len(all) != 1 {
		t.Fatalf("after declare: /api/v1/sevs %v, %v; want one SEV", all, err)
	}
	got := all[0]
	id := got.ID
	if !strings.Contains(out, id) || got.Type != "security" || got.Level != 1 || got.State != "open" || got.Title != title ||
		!slices.Equal(got.Routes, []string{"/login"}) || got.Roles["imoc"] == "" || got.Roles["tloc"] == "" {
		t.Errorf("declared: %s (output %q); want security, level 1, open, the title, [/login], imoc and tloc, and the id in the output", got, out)
	}
	list := sev("list")
	t.Logf("vigil sev list:\n%s", list)
	for _, w := range []string{id, "security", title, "open"} {
		if !strings.Contains(list, w) {
			t.Errorf("vigil sev list does not show %q:\n%s", w, list)
		}
	}
	sev("ack", id, "--actor", "alice")
	sev("set-level", id, "0", "--actor", "alice")
	sev("mitigate", id, "--actor", "bob")
	sev("resolve", id, "--actor", "bob")
	show := sev("show", id)
	t.Logf("vigil sev show:\n%s", show)
	for _, w := range []string{id, title, "resolved"} {
		if !strings.Contains(show, w) {
			t.Errorf("vigil sev show does not show %q:\n%s", w, show)
		}
	}
	final, err := v.api.sev(id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("final: %s", final)
	if final.State != "resolved" || final.Level != 0 || final.MitigatedAt == nil || final.ResolvedAt == nil {
		t.Errorf("after the CLI actions: %s; want resolved, level 0, mitigated_at and resolved_at set", final)
	}
	checkHumanTimeline(t, final)
	checkHumanPages(t, pd, id)
}

// checkHumanPages requires the pages of the declared SEV: a trigger for
// IMOC and TLOC (no BMOC for a security SEV) when declared and again at
// the level change, all critical, then a resolve each.
func checkHumanPages(t *testing.T, pd *pagerDuty, id string) {
	t.Helper()
	want := []string{"trigger " + id + "-imoc critical", "trigger " + id + "-imoc critical", "resolve " + id + "-imoc",
		"trigger " + id + "-tloc critical", "trigger " + id + "-tloc critical", "resolve " + id + "-tloc"}
	slices.Sort(want)
	var got []string
	err := poll(10*time.Second, "the pages of "+id, func() (bool, error) {
		got = got[:0]
		for _, r := range pd.received() {
			e := r.Event.Action + " " + r.Event.DedupKey
			if r.Event.Payload != nil && r.Event.Action == "trigger" {
				e += " " + r.Event.Payload.Severity
			}
			got = append(got, e)
		}
		slices.Sort(got)
		return len(got) >= len(want), nil
	})
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("PagerDuty events (sorted) %q (%v), want %q", got, err, want)
	}
}

// checkHumanTimeline requires the hand-driven SEV's entries in order, each
// with its actor.
func checkHumanTimeline(t *testing.T, sev apiSEV) {
	t.Helper()
	want := []string{"filed/alice", "acknowledged/alice", "level_changed/alice", "mitigated/bob", "resolved/bob"}
	var got []string
	for _, e := range sev.Timeline {
		if slices.Contains([]string{"filed", "acknowledged", "level_changed", "mitigated", "resolved"}, e.Kind) {
			got = append(got, e.Kind+"/"+e.Actor)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline (kind/actor) %q, want %q:%s", got, want, describeTimeline(sev.Timeline))
	}
	checkTimelineOrder(t, sev)
}
