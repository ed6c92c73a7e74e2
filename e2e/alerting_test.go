package e2e

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// The alerting tests run Vigil with its default evaluation interval (the
// 10 s sampling interval): every timing they assert is the one a user gets.
// Each test runs its own server and PagerDuty stand-in in parallel with the
// others, so the package takes about as long as the slowest of them.
const (
	evalInterval = 10 * time.Second // rules.evaluation_interval default
	pushEvery    = 10 * time.Second // how often the feeder re-sends its sample
	alertFor     = 20 * time.Second // the `for` of every test rule
	// slack absorbs a loaded machine (two shared cores) on top of every
	// deadline derived from the intervals above.
	slack         = 3 * time.Second
	alertPoll     = 100 * time.Millisecond
	pdRoutingKey  = "e2e00000000000000000000000route" // 32 characters, as PagerDuty's
	alertInstance = "web-1"
	badRatio      = 0.25 // above the rule's 0.05 threshold; "25%" humanized
	goodRatio     = 0.01
	runbookURL    = "https://runbooks.example.com/checkout-errors"
)

// e2eRule is the one alerting rule of a test: `<metric> > 0.05` for 20s over
// the gauge <metric>{service="checkout",instance="web-1"}.
type e2eRule struct {
	alert    string // alertname
	metric   string // the gauge the feeder pushes
	severity string // the severity label; "" for none
}

func (r e2eRule) file() string {
	sev := ""
	if r.severity != "" {
		sev = "\n          severity: " + r.severity
	}
	return fmt.Sprintf(`groups:
  - name: e2e-checkout
    labels:
      team: payments
    rules:
      - alert: %s
        expr: %s > 0.05
        for: 20s
        labels:
          component: frontend%s
        annotations:
          summary: "Checkout errors on {{ $labels.instance }}: {{ $value | humanizePercentage }}"
          description: "{{ $labels.service }} answers {{ $value | humanizePercentage }} of its requests with 5xx."
          runbook_url: %s
`, r.alert, r.metric, sev, runbookURL)
}

func (r e2eRule) series() string {
	return fmt.Sprintf(`%s{service="checkout",instance=%q}`, r.metric, alertInstance)
}

// labels are the labels of the rule's one alert.
func (r e2eRule) labels() map[string]string {
	m := map[string]string{"alertname": r.alert, "service": "checkout", "instance": alertInstance,
		"team": "payments", "component": "frontend"}
	if r.severity != "" {
		m["severity"] = r.severity
	}
	return m
}

// wantSeverity is the PagerDuty severity the rule's severity label maps to.
func (r e2eRule) wantSeverity() string {
	switch r.severity {
	case "critical", "error", "warning", "info":
		return r.severity
	}
	return "critical"
}

// alertScenario is one server with one rule, a feeder for the rule's gauge
// and a PagerDuty stand-in. Its methods run on the test goroutine.
type alertScenario struct {
	t    *testing.T
	rule e2eRule
	v    *vigil
	pd   *pagerDuty
	feed *feeder
}

// newAlertScenario writes the rule file and starts Vigil with PagerDuty
// pointed at pd. extra is appended to the configuration.
func newAlertScenario(t *testing.T, rule e2eRule, pd *pagerDuty, extra string) *alertScenario {
	t.Helper()
	rules := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(rules, []byte(rule.file()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`storage:
  wal_sync: always
log:
  level: info
rules:
  files: [%q]
notify:
  pagerduty:
    routing_key: %s
    events_url: %s
%s`, rules, pdRoutingKey, pd.url(), extra)
	v := startVigil(t, vigilOptions{Config: cfg})
	s := &alertScenario{t: t, rule: rule, v: v, pd: pd, feed: &feeder{v: v, series: rule.series()}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pagerduty stand-in received:%s", pd.describe())
		}
	})
	return s
}

// feeder pushes one gauge sample now and then again every pushEvery, as a
// service pushing its metrics on the sampling interval would. It pushes only
// when ticked (from the polling loops), so it never races the test.
type feeder struct {
	v      *vigil
	series string
	value  float64
	last   time.Time // when the last sample was pushed (its timestamp)
	off    bool
}

// set changes the value and pushes it at once.
func (f *feeder) set(value float64) error {
	f.value, f.off = value, false
	return f.push()
}

func (f *feeder) push() error {
	now := time.Now()
	body := fmt.Sprintf("%s %s %d\n", f.series, strconv.FormatFloat(f.value, 'g', -1, 64), now.UnixMilli())
	r, err := f.v.api.pushText(body)
	if err != nil {
		return fmt.Errorf("push %s: %w", f.series, err)
	}
	if r.Status != http.StatusNoContent {
		return fmt.Errorf("push %s: got %s, want 204", f.series, r)
	}
	f.last = now
	return nil
}

// tick pushes the current value again if pushEvery has passed.
func (f *feeder) tick() error {
	if f.off || time.Since(f.last) < pushEvery {
		return nil
	}
	return f.push()
}

// stop makes the series stop arriving.
func (f *feeder) stop() { f.off = true }

// set pushes value and returns the time of the push.
func (s *alertScenario) set(value float64) time.Time {
	s.t.Helper()
	if err := s.feed.set(value); err != nil {
		s.t.Fatal(err)
	}
	return s.feed.last
}

// wait polls cond until it holds, feeding the series meanwhile; it fails
// the test after timeout.
func (s *alertScenario) wait(timeout time.Duration, what string, cond func() (bool, error)) {
	s.t.Helper()
	err := pollEvery(alertPoll, timeout, what, func() (bool, error) {
		if err := s.feed.tick(); err != nil {
			return false, err
		}
		return cond()
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// lastEvaluation is the rule's lastEvaluation from /api/v1/rules (zero
// before its first evaluation). It fails the test if the rule is unhealthy.
func (s *alertScenario) lastEvaluation() (time.Time, error) {
	r, err := s.v.api.rule(s.rule.alert)
	if err != nil {
		return time.Time{}, err
	}
	if r.Health == "err" {
		return time.Time{}, fmt.Errorf("rule %s: health %q, lastError %q", r.Name, r.Health, r.LastError)
	}
	return r.LastEvaluation, nil
}

// waitEvaluations waits until the rule has been evaluated n more times
// (n distinct lastEvaluation values after the current one).
func (s *alertScenario) waitEvaluations(n int) []time.Time {
	s.t.Helper()
	prev, err := s.lastEvaluation()
	if err != nil {
		s.t.Fatal(err)
	}
	var seen []time.Time
	s.wait(time.Duration(n)*evalInterval+slack, fmt.Sprintf("%d evaluations of %s after %s", n, s.rule.alert, prev.Format(time.RFC3339Nano)),
		func() (bool, error) {
			last, err := s.lastEvaluation()
			if err == nil && last.After(prev) {
				seen = append(seen, last)
				prev = last
			}
			return len(seen) >= n, err
		})
	return seen
}

// healthy pushes a good value and waits for an evaluation that saw it:
// the rule is healthy and has no alert.
func (s *alertScenario) healthy() {
	s.t.Helper()
	pushed := s.set(goodRatio)
	s.wait(2*evalInterval+slack, "an evaluation after the first push", func() (bool, error) {
		last, err := s.lastEvaluation()
		return !last.Before(pushed), err
	})
	if all, err := s.v.api.alerts(); err != nil || len(all) != 0 {
		s.t.Fatalf("with good data: /api/v1/alerts = %v, %v; want no alerts", all, err)
	}
}

// goBad pushes a bad value and waits for the alert to turn pending; it
// returns its activeAt, which must be the first evaluation after the push.
func (s *alertScenario) goBad() time.Time {
	s.t.Helper()
	pushed := s.set(badRatio)
	var al apiAlert
	s.wait(evalInterval+slack, s.rule.alert+" pending", func() (bool, error) {
		a, ok, err := s.v.api.alert(s.rule.alert)
		al = a
		return ok, err
	})
	if al.State != "pending" || al.ActiveAt == nil {
		s.t.Fatalf("first alert after the bad push: %v, want pending with activeAt", al)
	}
	activeAt := *al.ActiveAt
	if activeAt.Before(pushed.Truncate(time.Millisecond)) || activeAt.After(pushed.Add(evalInterval+slack)) {
		s.t.Errorf("activeAt %s: want the first evaluation after the bad push at %s", activeAt.Format(time.RFC3339Nano), pushed.Format(time.RFC3339Nano))
	}
	s.checkAlert(al, "pending")
	return activeAt
}

// checkAlert compares an alert of the API with the rule's.
func (s *alertScenario) checkAlert(al apiAlert, state string) {
	s.t.Helper()
	if al.State != state {
		s.t.Errorf("alert state %q, want %q (%v)", al.State, state, al)
	}
	if got, want := metricString(al.Labels), metricString(s.rule.labels()); got != want {
		s.t.Errorf("alert labels %s, want %s", got, want)
	}
	if got, want := al.Annotations["summary"], "Checkout errors on web-1: 25%"; got != want {
		s.t.Errorf("alert summary %q, want %q", got, want)
	}
	if v, err := strconv.ParseFloat(al.Value, 64); err != nil || v != badRatio {
		s.t.Errorf("alert value %q, want %v", al.Value, badRatio)
	}
}

// requests returns the requests with the given event_action so far.
func (s *alertScenario) requests(action string) []pdRequest {
	var out []pdRequest
	for _, r := range s.pd.received() {
		if r.Event.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// waitRequests waits until the stand-in has received n requests in all.
func (s *alertScenario) waitRequests(n int, timeout time.Duration, what string) []pdRequest {
	s.t.Helper()
	s.wait(timeout, fmt.Sprintf("%s (%d PagerDuty requests)", what, n), func() (bool, error) {
		return s.pd.count() >= n, nil
	})
	return s.pd.received()
}

// fire runs a scenario up to its first trigger: healthy data, bad data, the
// alert pending and then firing after `for`; the trigger must arrive within
// one evaluation interval after `for` elapsed. It returns activeAt and the
// trigger.
func (s *alertScenario) fire() (time.Time, pdRequest) {
	s.t.Helper()
	s.healthy()
	activeAt := s.goBad()
	due := activeAt.Add(alertFor)
	reqs := s.waitRequests(1, time.Until(due)+evalInterval+slack, s.rule.alert+" trigger")
	trig := reqs[0]
	late := trig.At.Sub(due)
	s.t.Logf("%s: trigger %v after `for` elapsed (activeAt %s)", s.rule.alert, late, activeAt.Format(time.RFC3339Nano))
	if late < 0 || late > evalInterval {
		s.t.Errorf("trigger at %s: want within one evaluation interval after activeAt+for = %s (got %v)",
			trig.At.Format(time.RFC3339Nano), due.Format(time.RFC3339Nano), late)
	}
	s.checkTrigger(trig, activeAt)
	return activeAt, trig
}

// firing requires /api/v1/alerts to show the alert firing since activeAt.
func (s *alertScenario) firing(activeAt time.Time) apiAlert {
	s.t.Helper()
	al, ok, err := s.v.api.alert(s.rule.alert)
	if err != nil || !ok {
		s.t.Fatalf("/api/v1/alerts: %s missing (%v)", s.rule.alert, err)
	}
	s.checkAlert(al, "firing")
	if al.ActiveAt == nil || al.ActiveAt.Sub(activeAt).Abs() > time.Second {
		s.t.Errorf("firing alert activeAt %v, want %s", al.ActiveAt, activeAt.Format(time.RFC3339Nano))
	}
	return al
}

// checkTrigger checks every field of a trigger event.
func (s *alertScenario) checkTrigger(r pdRequest, activeAt time.Time) {
	s.t.Helper()
	ev := r.Event
	if r.DecodeErr != nil || r.Method != http.MethodPost || r.Path != "/v2/enqueue" || !strings.HasPrefix(r.ContentType, "application/json") {
		s.t.Fatalf("trigger request: %s %s (%s), decode: %v", r.Method, r.Path, r.ContentType, r.DecodeErr)
	}
	s.checkEnvelope(ev, "trigger")
	p := ev.Payload
	if p == nil {
		s.t.Fatalf("trigger without payload: %s", r.Body)
	}
	want := map[string]string{"summary": "Checkout errors on web-1: 25%", "source": alertInstance, "severity": s.rule.wantSeverity()}
	got := map[string]string{"summary": p.Summary, "source": p.Source, "severity": p.Severity}
	for k := range want {
		if got[k] != want[k] {
			s.t.Errorf("trigger payload.%s = %q, want %q", k, got[k], want[k])
		}
	}
	ts, err := time.Parse(time.RFC3339Nano, p.Timestamp)
	if err != nil || ts.Before(activeAt.Add(-time.Millisecond)) || ts.After(r.At.Add(time.Second)) {
		s.t.Errorf("trigger payload.timestamp %q (%v): want a time between activeAt %s and receipt %s",
			p.Timestamp, err, activeAt.Format(time.RFC3339Nano), r.At.Format(time.RFC3339Nano))
	}
	s.checkDetails(p.Details)
	s.checkLinks(ev.Links)
}

// checkEnvelope checks the fields every event has.
func (s *alertScenario) checkEnvelope(ev pdEvent, action string) {
	s.t.Helper()
	if ev.Action != action || ev.RoutingKey != pdRoutingKey {
		s.t.Errorf("event_action %q routing_key %q, want %q and %q", ev.Action, ev.RoutingKey, action, pdRoutingKey)
	}
	want := alerting.DedupKey(labels.FromMap(s.rule.labels()))
	if ev.DedupKey != want || !regexp.MustCompile(`^vigil-[0-9a-f]{16}$`).MatchString(ev.DedupKey) {
		s.t.Errorf("dedup_key %q, want %q (vigil- and 16 hex digits of the alert's labels)", ev.DedupKey, want)
	}
}

// checkDetails requires custom_details to hold every label, every annotation
// and the value, at the top level or one level down (e.g. under "labels").
func (s *alertScenario) checkDetails(d map[string]any) {
	s.t.Helper()
	want := s.rule.labels()
	want["summary"] = "Checkout errors on web-1: 25%"
	want["description"] = "checkout answers 25% of its requests with 5xx."
	want["runbook_url"] = runbookURL
	for k, v := range want {
		if !detailHas(d, k, func(x any) bool { return x == v }) {
			s.t.Errorf("custom_details has no %s=%q: %v", k, v, d)
		}
	}
	isValue := func(x any) bool {
		switch x := x.(type) {
		case float64:
			return x == badRatio
		case string:
			f, err := strconv.ParseFloat(x, 64)
			return err == nil && f == badRatio
		}
		return false
	}
	if !detailHas(d, "value", isValue) {
		s.t.Errorf("custom_details has no value %v: %v", badRatio, d)
	}
}

func detailHas(d map[string]any, key string, match func(any) bool) bool {
	if x, ok := d[key]; ok && match(x) {
		return true
	}
	for _, x := range d {
		if m, ok := x.(map[string]any); ok {
			if y, ok := m[key]; ok && match(y) {
				return true
			}
		}
	}
	return false
}

// checkLinks requires a link to the runbook and one back to this Vigil.
func (s *alertScenario) checkLinks(links []pdLink) {
	s.t.Helper()
	var runbook, back bool
	for _, l := range links {
		runbook = runbook || l.Href == runbookURL
		back = back || strings.HasPrefix(l.Href, s.v.api.base+"/")
	}
	if !runbook || !back {
		s.t.Errorf("links %+v: want the runbook %s and a link under %s", links, runbookURL, s.v.api.base)
	}
}

// quiet waits for n more evaluations and requires the stand-in to have
// received exactly want requests by then.
func (s *alertScenario) quiet(n, want int, why string) {
	s.t.Helper()
	s.waitEvaluations(n)
	if got := s.pd.count(); got != want {
		s.t.Errorf("%s: after %d more evaluations PagerDuty received %d requests, want %d:%s", why, n, got, want, s.pd.describe())
	}
}

// TestAlertTriggerAndResolve is the acceptance test: a rule with for: 20s,
// metrics pushed every 10 s; exactly one trigger within one evaluation
// interval after `for` elapsed, with every field PagerDuty needs; exactly
// one resolve with the same dedup_key once the condition clears.
func TestAlertTriggerAndResolve(t *testing.T) {
	t.Parallel()
	rule := e2eRule{alert: "CheckoutErrorRatioHigh", metric: "e2e_checkout_error_ratio", severity: "warning"}
	pd := newPagerDuty(t)
	s := newAlertScenario(t, rule, pd, "")
	activeAt, trig := s.fire()
	t.Logf("trigger body: %s", trig.Body)
	s.firing(activeAt)
	checkAlertSeries(t, s.v.api, rule.alert, activeAt)
	if r, err := s.v.api.rule(rule.alert); err != nil || r.State != "firing" || r.Health != "ok" || r.Query != rule.metric+" > 0.05" || r.Duration != 20 {
		t.Errorf("/api/v1/rules %s: %+v, %v; want firing, ok, its query, duration 20", rule.alert, r, err)
	}

	cleared := s.set(goodRatio)
	reqs := s.waitRequests(2, evalInterval+slack, "resolve")
	res := reqs[1]
	t.Logf("resolve body: %s", res.Body)
	s.checkEnvelope(res.Event, "resolve")
	if res.Event.DedupKey != trig.Event.DedupKey {
		t.Errorf("resolve dedup_key %q != trigger's %q", res.Event.DedupKey, trig.Event.DedupKey)
	}
	t.Logf("resolve %v after the condition cleared", res.At.Sub(cleared))
	if d := res.At.Sub(cleared); d > evalInterval+slack {
		t.Errorf("resolve %v after the good push: want within one evaluation interval", d)
	}
	if al, ok, err := s.v.api.alert(rule.alert); err != nil || ok {
		t.Errorf("after resolve /api/v1/alerts still has %v (%v)", al, err)
	}
	s.quiet(1, 2, "after the resolve")
	if n := len(s.requests("trigger")); n != 1 {
		t.Errorf("%d triggers, want exactly 1", n)
	}
}

// checkAlertSeries requires the ALERTS and ALERTS_FOR_STATE series of a
// firing alert: 1 with alertstate="firing", and activeAt in seconds.
func checkAlertSeries(t *testing.T, api *promAPI, alertname string, activeAt time.Time) {
	t.Helper()
	now := time.Now().UnixMilli()
	res, err := api.query(fmt.Sprintf(`ALERTS{alertname=%q}`, alertname), now)
	if err != nil || len(res.Series) != 1 || res.Series[0].Metric["alertstate"] != "firing" || res.Series[0].Points[0].V != "1" {
		t.Errorf("ALERTS{alertname=%q}: %v, %v; want one series, alertstate firing, value 1", alertname, res, err)
	}
	res, err = api.query(fmt.Sprintf(`ALERTS_FOR_STATE{alertname=%q}`, alertname), now)
	if err != nil || len(res.Series) != 1 {
		t.Fatalf("ALERTS_FOR_STATE{alertname=%q}: %v, %v; want one series", alertname, res, err)
	}
	v, err := strconv.ParseFloat(res.Series[0].Points[0].V, 64)
	if want := float64(activeAt.UnixMilli()) / 1000; err != nil || math.Abs(v-want) > 1 {
		t.Errorf("ALERTS_FOR_STATE = %s, want activeAt %v", res.Series[0].Points[0].V, want)
	}
}

// TestAlertPagerDutyRetry: the stand-in answers 500 and then 202; the
// trigger is delivered once, after a retry, and not sent again.
func TestAlertPagerDutyRetry(t *testing.T) {
	t.Parallel()
	rule := e2eRule{alert: "CheckoutErrorRatioRetry", metric: "e2e_retry_error_ratio", severity: "critical"}
	pd := newPagerDuty(t, http.StatusInternalServerError)
	s := newAlertScenario(t, rule, pd, "")
	activeAt, first := s.fire()
	if first.Status != http.StatusInternalServerError {
		t.Fatalf("first request answered %d, want the scripted 500", first.Status)
	}
	reqs := s.waitRequests(2, 30*time.Second, "the retry after 500")
	retry := reqs[1]
	t.Logf("retry %v after the 500", retry.At.Sub(first.At))
	if retry.Status != http.StatusAccepted || string(retry.Body) != string(first.Body) {
		t.Errorf("retry answered %d with body\n%s\nwant 202 and the first body\n%s", retry.Status, retry.Body, first.Body)
	}
	s.checkTrigger(retry, activeAt)
	s.quiet(2, 2, "after a delivered trigger")
	s.firing(activeAt)
}

// TestAlertPagerDutyBadRequest: the stand-in answers 400; Vigil logs it and
// does not retry.
func TestAlertPagerDutyBadRequest(t *testing.T) {
	t.Parallel()
	rule := e2eRule{alert: "CheckoutErrorRatioRejected", metric: "e2e_rejected_error_ratio", severity: "info"}
	pd := newPagerDuty(t, http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest)
	s := newAlertScenario(t, rule, pd, "")
	activeAt, first := s.fire()
	if first.Status != http.StatusBadRequest {
		t.Fatalf("first request answered %d, want the scripted 400", first.Status)
	}
	s.quiet(2, 1, "a 400 is not retried")
	s.firing(activeAt)
	failed, lines, err := s.v.api.metricSum("vigil_notifications_failed_total")
	logged := strings.Contains(s.v.logs.String(), "400")
	t.Logf("vigil_notifications_failed_total: %q (%v); log mentions 400: %v", lines, err, logged)
	if failed < 1 || !logged {
		t.Errorf("a 400 from PagerDuty must show in /metrics (vigil_notifications_failed_total = %v) and in the log (mentions 400: %v)", failed, logged)
	}
}

// TestAlertPagerDutyDown: PagerDuty is unreachable while the alert starts
// firing; evaluation goes on, and the trigger is delivered once it is back.
func TestAlertPagerDutyDown(t *testing.T) {
	t.Parallel()
	rule := e2eRule{alert: "CheckoutErrorRatioUnreachable", metric: "e2e_down_error_ratio"}
	pd := newPagerDutyDown(t)
	s := newAlertScenario(t, rule, pd, "")
	s.healthy()
	activeAt := s.goBad()
	s.wait(alertFor+evalInterval+slack, rule.alert+" firing", func() (bool, error) {
		al, _, err := s.v.api.alert(rule.alert)
		return al.State == "firing", err
	})
	evals := s.waitEvaluations(2)
	t.Logf("evaluations while PagerDuty is down: %v", evals)
	s.firing(activeAt)
	// The failed attempts show in the log at once; vigil_notifications_failed_total
	// counts only notifications given up on (after notify.give_up_after).
	if !strings.Contains(s.v.logs.String(), "connection refused") {
		t.Errorf("PagerDuty down for %v: the log does not show the refused connections", 2*evalInterval)
	}
	_, lines, _ := s.v.api.metricSum("vigil_notifications_failed_total")
	t.Logf("while down: %q", lines)

	pd.start()
	back := time.Now()
	reqs := s.waitRequests(1, 70*time.Second, "delivery once PagerDuty is back")
	t.Logf("delivered %v after PagerDuty came back", reqs[0].At.Sub(back))
	s.checkTrigger(reqs[0], activeAt)
	s.quiet(1, 1, "after the delivery")
}

// TestAlertSurvivesRestart: an alert firing before a graceful restart on the
// same data directory is firing again right after it, with its old
// activeAt, and PagerDuty gets no second trigger.
func TestAlertSurvivesRestart(t *testing.T) {
	t.Parallel()
	rule := e2eRule{alert: "CheckoutErrorRatioRestart", metric: "e2e_restart_error_ratio", severity: "error"}
	pd := newPagerDuty(t)
	s := newAlertScenario(t, rule, pd, "")
	activeAt, _ := s.fire()
	s.firing(activeAt)

	s.v.stop()
	restarted := time.Now()
	s.v.start()
	s.wait(evalInterval+slack, "the first evaluation after the restart", func() (bool, error) {
		last, err := s.lastEvaluation()
		return last.After(restarted), err
	})
	al := s.firing(activeAt)
	t.Logf("after the restart: %v", al)
	checkAlertSeries(t, s.v.api, rule.alert, activeAt)
	s.quiet(2, 1, "after the restart")
}

// TestAlertMissingData: the alert's series stops arriving while it fires.
// The alert turns unknown (API and vigil_alerts), and no resolve is sent.
// The lookback delta is 30 s instead of 5 m so that "stops arriving" shows
// in half a minute; evaluation keeps its default interval.
func TestAlertMissingData(t *testing.T) {
	t.Parallel()
	rule := e2eRule{alert: "CheckoutErrorRatioNoData", metric: "e2e_nodata_error_ratio", severity: "warning"}
	const lookback = 30 * time.Second
	pd := newPagerDuty(t)
	s := newAlertScenario(t, rule, pd, "query:\n  lookback_delta: 30s\n")
	activeAt, _ := s.fire()
	s.feed.stop()
	last := s.feed.last
	var al apiAlert
	s.wait(time.Until(last.Add(lookback))+evalInterval+slack, rule.alert+" unknown", func() (bool, error) {
		a, ok, err := s.v.api.alert(rule.alert)
		al = a
		if err == nil && !ok {
			err = fmt.Errorf("the alert is gone from /api/v1/alerts (resolved?)")
		}
		return a.State == "unknown", err
	})
	t.Logf("unknown: %v (last sample %s)", al, last.Format(time.RFC3339Nano))
	if al.UnknownSince == nil || al.UnknownSince.Before(last.Add(lookback)) {
		t.Errorf("unknownSince %v: want set, not before the data went missing at %s", al.UnknownSince, last.Add(lookback).Format(time.RFC3339Nano))
	}
	if al.ActiveAt == nil || !al.ActiveAt.Equal(activeAt) {
		t.Errorf("unknown alert activeAt %v, want %s", al.ActiveAt, activeAt)
	}
	if v, ok, err := s.v.api.metricValue(`vigil_alerts{state="unknown"}`); err != nil || !ok || v != 1 {
		t.Errorf(`vigil_alerts{state="unknown"} = %v (found %v, %v), want 1`, v, ok, err)
	}
	s.quiet(2, 1, "missing data is not recovery: no resolve")
	if a, _, err := s.v.api.alert(rule.alert); err != nil || a.State != "unknown" {
		t.Errorf("two evaluations later: %v (%v), want still unknown", a, err)
	}
}
