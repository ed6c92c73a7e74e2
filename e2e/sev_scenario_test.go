package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The SEV tests (issue 5) run the SEV bridge with a policy that has the
// issue's level tables, at a 10 s interval, over request counters pushed
// every 10 s. The SLIs take rate() over 25 s, so that a window holds the
// last two or three pushes: a change shows in the first evaluation after
// the push that carries it.
const (
	sevInterval     = 10 * time.Second
	sevWindow       = 25 * time.Second // the SLIs' rate window: a recovery shows once the bad deltas left it
	sevCriticalFor  = 30 * time.Second // `for` of the critical bucket's rows
	sevGlobalL1For  = 30 * time.Second // `for` of the global level-1 row
	sevRecoveryFor  = 10 * time.Second
	sevResolveAfter = 10 * time.Second
	sevPoll         = 250 * time.Millisecond
	sevPolicyFile   = "sev/policy.yml"
)

// The error shares of the tests. A change is pushed at once, off the
// 10 s cadence, so the first 25 s window after it can hold two older
// deltas and the new one; each share is chosen so that even that 2:1 mix
// is past its threshold, while the steady value stays inside its row:
//
//   - levelTwoDip (9.5%): steady 0.905, mixes 0.9525 and 0.968, all in
//     [0.90, 0.97): the critical bucket's level 2, not level 1.
//   - levelOneDip (25%) after levelTwoDip: steady 0.75, mix 0.853 < 0.90.
//   - globalDrop (40%) on the route carrying almost all traffic: global
//     steady 0.61 (above level 0's 0.50), 2:1 mix 0.871 < 0.90.
//
// The critical routes carry 1000 requests a push and /home 100000, so
// their failures keep the global SLI above 0.99.
const (
	levelTwoDip = 0.095
	levelOneDip = 0.25
	globalDrop  = 0.40
)

// The routing keys of the roles (32 characters, as PagerDuty's).
const (
	keyIMOC = "e2esev000000000000000000000imoc1"
	keyTLOC = "e2esev000000000000000000000tloc1"
	keyBMOC = "e2esev000000000000000000000bmoc1"
	keyDan  = "e2esev0000000000000000000000dan1" // the /login team's TLOC
)

// sevRoles are the role names in the order the tests list them.
var sevRoles = []string{"imoc", "tloc", "bmoc"}

// sevPolicy is the policy of the SEV tests: the example tables with
// a 25 s rate window, short recovery and resolution, and the webhook.
func sevPolicy(webhook string) string {
	return fmt.Sprintf(`interval: 10s
correlation_window: 15m
recovery_for: 10s
resolve_after: 10s
availability:
  global:
    sli: 'sum(rate(http_requests_total{code!~"5.."}[25s])) / sum(rate(http_requests_total[25s]))'
    levels:
      - {level: 0, below: 0.50, for: 0s}
      - {level: 1, below: 0.90, for: 30s}
      - {level: 2, below: 0.99, for: 1m}
  routes:
    sli: 'sum by (route) (rate(http_requests_total{code!~"5.."}[25s])) / sum by (route) (rate(http_requests_total[25s]))'
    buckets:
      critical:
        routes: [/login, /upload]
        levels: [{level: 1, below: 0.90, for: 30s}, {level: 2, below: 0.97, for: 30s}]
      important:
        routes: [/share]
        levels: [{level: 3, below: 0.95, for: 1m}]
roles:
  imoc: {rotation: [ana, ben], shift: 168h, routing_key: %s}
  tloc: {rotation: [eve], routing_key: %s}
  bmoc: {rotation: [cat], routing_key: %s}
  teams:
    - {match: {route: /login}, rotation: [dan], routing_key: %s}
webhooks: [%q]
`, keyIMOC, keyTLOC, keyBMOC, keyDan, webhook)
}

// apiSEV is a SEV of /api/v1/sevs.
type apiSEV struct {
	ID              string            `json:"id"`
	Type            string            `json:"type"`
	Level           int               `json:"level"`
	State           string            `json:"state"`
	Title           string            `json:"title"`
	Routes          []string          `json:"routes"`
	Impact          []apiImpact       `json:"impact"`
	Roles           map[string]string `json:"roles"`
	Links           apiSEVLinks       `json:"links"`
	ImpactStartedAt time.Time         `json:"impact_started_at"`
	DetectedAt      time.Time         `json:"detected_at"`
	FiledAt         time.Time         `json:"filed_at"`
	MitigatedAt     *time.Time        `json:"mitigated_at"`
	ResolvedAt      *time.Time        `json:"resolved_at"`
	Timeline        []apiEntry        `json:"timeline"`
}

type apiImpact struct {
	Scope     string          `json:"scope"`
	Route     string          `json:"route"`
	Value     float64         `json:"value"`
	Threshold float64         `json:"threshold"`
	For       json.RawMessage `json:"for"`
	Level     int             `json:"level"`
}

type apiSEVLinks struct {
	PagerDuty  map[string]string `json:"pagerduty"`
	Channel    string            `json:"channel"`
	Postmortem string            `json:"postmortem"`
}

type apiEntry struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Actor  string    `json:"actor"`
	Detail string    `json:"detail"`
}

func (s apiSEV) String() string {
	mit, res := "-", "-"
	if s.MitigatedAt != nil {
		mit = s.MitigatedAt.Format("15:04:05.000")
	}
	if s.ResolvedAt != nil {
		res = s.ResolvedAt.Format("15:04:05.000")
	}
	return fmt.Sprintf("%s %s L%d %s %q routes=%v roles=%v impact=%+v started=%s detected=%s filed=%s mitigated=%s resolved=%s timeline:%s",
		s.ID, s.Type, s.Level, s.State, s.Title, s.Routes, s.Roles, s.Impact, s.ImpactStartedAt.Format("15:04:05.000"),
		s.DetectedAt.Format("15:04:05.000"), s.FiledAt.Format("15:04:05.000"), mit, res, describeTimeline(s.Timeline))
}

func describeTimeline(tl []apiEntry) string {
	var b strings.Builder
	for _, e := range tl {
		fmt.Fprintf(&b, "\n    %s %-15s %-10s %s", e.Time.Format("15:04:05.000"), e.Kind, e.Actor, e.Detail)
	}
	return b.String()
}

// sevFields are the keys every SEV in JSON has (the list).
var sevFields = []string{"id", "type", "level", "state", "title", "routes", "roles", "impact_started_at",
	"detected_at", "filed_at", "mitigated_at", "resolved_at", "timeline"}

// sevs calls GET /api/v1/sevs; it also requires every SEV to have every
// field of the list, routes a list.
func (a *promAPI) sevs() ([]apiSEV, error) {
	var raw []map[string]json.RawMessage
	if err := a.getData("/api/v1/sevs", url.Values{}, &raw); err != nil {
		return nil, err
	}
	out := make([]apiSEV, len(raw))
	for i, m := range raw {
		if err := checkSEVFields(m); err != nil {
			return nil, err
		}
		b, _ := json.Marshal(m)
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, fmt.Errorf("/api/v1/sevs[%d]: %w", i, err)
		}
	}
	return out, nil
}

func checkSEVFields(m map[string]json.RawMessage) error {
	for _, k := range sevFields {
		if _, ok := m[k]; !ok {
			return fmt.Errorf("SEV %s has no %q field: %v", m["id"], k, m)
		}
	}
	if r := strings.TrimSpace(string(m["routes"])); !strings.HasPrefix(r, "[") {
		return fmt.Errorf("SEV %s: routes %s, want a list", m["id"], r)
	}
	return nil
}

// sev calls GET /api/v1/sevs/<id>.
func (a *promAPI) sev(id string) (apiSEV, error) {
	var raw map[string]json.RawMessage
	if err := a.getData("/api/v1/sevs/"+id, url.Values{}, &raw); err != nil {
		return apiSEV{}, err
	}
	if err := checkSEVFields(raw); err != nil {
		return apiSEV{}, err
	}
	var s apiSEV
	b, _ := json.Marshal(raw)
	err := json.Unmarshal(b, &s)
	return s, err
}

// webhookRecv is a Slack-compatible webhook receiver on 127.0.0.1: it
// records the body of every POST and answers 200 "ok". Safe for concurrent
// use.
type webhookRecv struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []string
}

func newWebhookRecv(t *testing.T) *webhookRecv {
	w := &webhookRecv{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.posts = append(w.posts, r.Method+" "+string(b))
		w.mu.Unlock()
		fmt.Fprint(rw, "ok")
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *webhookRecv) received() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.posts)
}

// sevScenario is one server with the SEV policy, a PagerDuty stand-in, a
// webhook receiver and the traffic feeder. Its methods run on the test
// goroutine.
type sevScenario struct {
	t    *testing.T
	v    *vigil
	pd   *pagerDuty
	hook *webhookRecv
	feed *traffic
}

// sevConfig is the configuration of the SEV tests: PagerDuty (for alerts
// and SEVs) at the stand-in, the policy next to the configuration.
func sevConfig(pd *pagerDuty) string {
	return fmt.Sprintf(`storage:
  wal_sync: always
log:
  level: info
notify:
  pagerduty:
    routing_key: %s
    events_url: %s
sev:
  policy_file: %s
`, pdRoutingKey, pd.url(), sevPolicyFile)
}

// newSEVScenario starts Vigil with the SEV policy and traffic for routes
// (route → requests per push), none of it failing yet; the first push is
// made.
func newSEVScenario(t *testing.T, perPush map[string]int) *sevScenario {
	t.Helper()
	pd := newPagerDuty(t)
	hook := newWebhookRecv(t)
	v := startVigil(t, vigilOptions{Config: sevConfig(pd), Files: map[string]string{sevPolicyFile: sevPolicy(hook.srv.URL)}})
	s := &sevScenario{t: t, v: v, pd: pd, hook: hook, feed: newTraffic(v, perPush)}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pagerduty stand-in received:%s", pd.describe())
			t.Logf("webhook received %d posts: %q", len(hook.received()), hook.received())
			if all, err := v.api.sevs(); err == nil {
				for _, x := range all {
					t.Logf("SEV: %s", x)
				}
			}
		}
	})
	if err := s.feed.push(); err != nil {
		t.Fatal(err)
	}
	return s
}

// set changes error shares and pushes; it returns the push time.
func (s *sevScenario) set(shares map[string]float64) time.Time {
	s.t.Helper()
	at, err := s.feed.set(shares)
	if err != nil {
		s.t.Fatal(err)
	}
	return at
}

// tryWait polls cond until it holds, feeding traffic meanwhile.
func (s *sevScenario) tryWait(timeout time.Duration, what string, cond func() (bool, error)) error {
	return pollEvery(sevPoll, timeout, what, func() (bool, error) {
		if err := s.feed.tick(); err != nil {
			return false, err
		}
		return cond()
	})
}

// wait is tryWait failing the test.
func (s *sevScenario) wait(timeout time.Duration, what string, cond func() (bool, error)) {
	s.t.Helper()
	if err := s.tryWait(timeout, what, cond); err != nil {
		s.t.Fatal(err)
	}
}

// until feeds traffic until t, checking cond (which must hold) all along.
func (s *sevScenario) until(t time.Time, what string, check func() error) {
	s.t.Helper()
	err := s.tryWait(time.Until(t)+time.Second, what, func() (bool, error) {
		if err := check(); err != nil {
			return false, err
		}
		return !time.Now().Before(t), nil
	})
	if err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// waitSEV waits until the SEV list satisfies cond and returns the list.
func (s *sevScenario) waitSEV(timeout time.Duration, what string, cond func([]apiSEV) (bool, error)) []apiSEV {
	s.t.Helper()
	var last []apiSEV
	s.wait(timeout, what, func() (bool, error) {
		all, err := s.v.api.sevs()
		if err != nil {
			return false, err
		}
		last = all
		return cond(all)
	})
	return last
}

// oneSEV is a condition: exactly one SEV, and it satisfies cond; two SEVs
// fail at once.
func oneSEV(cond func(apiSEV) bool) func([]apiSEV) (bool, error) {
	return func(all []apiSEV) (bool, error) {
		switch len(all) {
		case 0:
			return false, nil
		case 1:
			return cond(all[0]), nil
		}
		return false, fmt.Errorf("%d SEVs, want one: %v", len(all), all)
	}
}

// noSEV is a check: no SEV at all.
func (s *sevScenario) noSEV() error {
	all, err := s.v.api.sevs()
	if err == nil && len(all) > 0 {
		err = fmt.Errorf("%d SEVs filed, want none: %v", len(all), all)
	}
	return err
}

// sevEvents returns the PagerDuty events of SEV id with action, by role.
func (s *sevScenario) sevEvents(id, action string) map[string][]pdRequest {
	out := map[string][]pdRequest{}
	for _, r := range s.pd.received() {
		role, ok := strings.CutPrefix(r.Event.DedupKey, id+"-")
		if ok && r.Event.Action == action {
			out[role] = append(out[role], r)
		}
	}
	return out
}

// waitEvents waits until every role has n events of action for SEV id.
func (s *sevScenario) waitEvents(id, action string, n int, timeout time.Duration) map[string][]pdRequest {
	s.t.Helper()
	var ev map[string][]pdRequest
	s.wait(timeout, fmt.Sprintf("%d %s events per role for %s", n, action, id), func() (bool, error) {
		ev = s.sevEvents(id, action)
		for _, r := range sevRoles {
			if len(ev[r]) < n {
				return false, nil
			}
		}
		return true, nil
	})
	return ev
}

// roleKey is the routing key each role of a /login SEV pages.
var roleKey = map[string]string{"imoc": keyIMOC, "tloc": keyDan, "bmoc": keyBMOC}

// checkTrigger checks a trigger event of SEV id for role.
func (s *sevScenario) checkTrigger(r pdRequest, id, role, severity string, keys map[string]string, words ...string) {
	s.t.Helper()
	ev := r.Event
	if r.DecodeErr != nil || r.Path != "/v2/enqueue" || ev.Payload == nil {
		s.t.Errorf("%s %s trigger: %s %s, decode %v: %s", id, role, r.Method, r.Path, r.DecodeErr, r.Body)
		return
	}
	if ev.Action != "trigger" || ev.DedupKey != id+"-"+role || ev.RoutingKey != keys[role] || ev.Payload.Severity != severity {
		s.t.Errorf("%s %s trigger: action %q dedup_key %q routing_key %q severity %q; want trigger, %s-%s, %s, %s",
			id, role, ev.Action, ev.DedupKey, ev.RoutingKey, ev.Payload.Severity, id, role, keys[role], severity)
	}
	for _, w := range words {
		if !strings.Contains(ev.Payload.Summary, w) {
			s.t.Errorf("%s %s trigger summary %q does not mention %q", id, role, ev.Payload.Summary, w)
		}
	}
	if !s.linksTo(ev, id) {
		s.t.Errorf("%s %s trigger: no link to the SEV (client_url %q, links %+v)", id, role, ev.ClientURL, ev.Links)
	}
}

// linksTo reports whether an event links to the SEV: a link or client_url
// naming it.
func (s *sevScenario) linksTo(ev pdEvent, id string) bool {
	if strings.Contains(ev.ClientURL, id) {
		return true
	}
	return slices.ContainsFunc(ev.Links, func(l pdLink) bool { return strings.Contains(l.Href, id) })
}

// kinds lists the kinds of a timeline, without the paged entries.
func kinds(tl []apiEntry) []string {
	var out []string
	for _, e := range tl {
		if e.Kind != "paged" {
			out = append(out, e.Kind)
		}
	}
	return out
}

// checkTimelineOrder requires entry times never to go back.
func checkTimelineOrder(t *testing.T, s apiSEV) {
	t.Helper()
	for i := 1; i < len(s.Timeline); i++ {
		if s.Timeline[i].Time.Before(s.Timeline[i-1].Time) {
			t.Errorf("%s timeline goes back in time at entry %d:%s", s.ID, i, describeTimeline(s.Timeline))
			return
		}
	}
}

// wantRoles are the roles of a /login SEV filed at t: the IMOC of the
// weekly rotation [ana ben] (epoch Unix 0), dan from the /login team, cat.
func wantRoles(t time.Time) map[string]string {
	imoc := []string{"ana", "ben"}[(t.Unix()/int64(168*3600))%2]
	return map[string]string{"imoc": imoc, "tloc": "dan", "bmoc": "cat"}
}

// findPostmortem returns the path and content of the postmortem draft of
// SEV id under dir: a Markdown file whose name or content names it.
func findPostmortem(dir, id string) (string, string, error) {
	var path, content string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || path != "" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(filepath.Base(p), id) || strings.Contains(string(b), id+" ") || strings.Contains(string(b), id+"\n") {
			path, content = p, string(b)
		}
		return nil
	})
	if err == nil && path == "" {
		err = fmt.Errorf("no postmortem draft for %s (*.md) under %s", id, dir)
	}
	return path, content, err
}
