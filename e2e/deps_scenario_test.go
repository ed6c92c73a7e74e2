package e2e

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// depInst is one alert instance of a dependency test: the alert and the
// labels of the series it reads (region and instance).
type depInst struct{ alert, region, instance string }

func (in depInst) String() string { return in.alert + "/" + in.region }

// series is the series the feeder pushes for in.
func (in depInst) series() string {
	return fmt.Sprintf(`%s{instance=%q,region=%q}`, depMetric[in.alert], in.instance, in.region)
}

// badValue is what makes in's condition true: the database down, or a 25%
// error ratio; goodValue makes it false.
func (in depInst) badValue() float64 {
	if in.alert == dbAlert {
		return 0
	}
	return badRatio
}

func (in depInst) goodValue() float64 {
	if in.alert == dbAlert {
		return 1
	}
	return goodRatio
}

// depScenario is one server with the dependency rules, a feeder for the
// series of its instances and a PagerDuty stand-in. Its methods run on the
// test goroutine.
type depScenario struct {
	t          *testing.T
	v          *vigil
	pd         *pagerDuty
	feed       *depFeeder
	ruleLabels map[string]map[string]string // each rule's own labels
	known      map[string]depInst           // the instances pushed, by dedup_key
}

// newDepScenario starts Vigil with files next to its configuration, rules
// and services named by relative globs, PagerDuty pointed at a new stand-in.
func newDepScenario(t *testing.T, files map[string]string, ruleLabels map[string]map[string]string) *depScenario {
	t.Helper()
	pd := newPagerDuty(t)
	cfg := fmt.Sprintf(`storage:
  wal_sync: always
log:
  level: info
rules:
  files: [rules/*.yml]
dependencies:
  files: [deps/*.yml]
notify:
  pagerduty:
    routing_key: %s
    events_url: %s
`, pdRoutingKey, pd.url())
	v := startVigil(t, vigilOptions{Config: cfg, Files: files})
	s := &depScenario{t: t, v: v, pd: pd, ruleLabels: ruleLabels, known: map[string]depInst{},
		feed: &depFeeder{v: v, values: map[string]float64{}}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("pagerduty stand-in received:%s", s.describeEvents())
		}
	})
	return s
}

// labels are the labels of in's alert: alertname, the series' labels and
// the rule's.
func (s *depScenario) labels(in depInst) map[string]string {
	m := map[string]string{"alertname": in.alert, "region": in.region, "instance": in.instance}
	maps.Copy(m, s.ruleLabels[in.alert])
	return m
}

// key is the PagerDuty dedup_key of in's alert.
func (s *depScenario) key(in depInst) string {
	return alerting.DedupKey(labels.FromMap(s.labels(in)))
}

// depFeeder pushes every series in one request, now and again every
// pushEvery, as a service pushing on the sampling interval would. It pushes
// only when ticked (from the polling loops), so it never races the test.
type depFeeder struct {
	v      *vigil
	values map[string]float64 // series → value
	last   time.Time
}

func (f *depFeeder) push() error {
	now := time.Now()
	var b strings.Builder
	for _, series := range slices.Sorted(maps.Keys(f.values)) {
		fmt.Fprintf(&b, "%s %s %d\n", series, strconv.FormatFloat(f.values[series], 'g', -1, 64), now.UnixMilli())
	}
	r, err := f.v.api.pushText(b.String())
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	if r.Status != http.StatusNoContent {
		return fmt.Errorf("push: got %s, want 204", r)
	}
	f.last = now
	return nil
}

func (f *depFeeder) tick() error {
	if time.Since(f.last) < pushEvery {
		return nil
	}
	return f.push()
}

// push sets the instances of bad to their bad values and those of good to
// their good values, then pushes every series at once; it returns the time
// of the push.
func (s *depScenario) push(bad, good []depInst) time.Time {
	s.t.Helper()
	for _, in := range bad {
		s.feed.values[in.series()] = in.badValue()
		s.known[s.key(in)] = in
	}
	for _, in := range good {
		s.feed.values[in.series()] = in.goodValue()
		s.known[s.key(in)] = in
	}
	if err := s.feed.push(); err != nil {
		s.t.Fatal(err)
	}
	return s.feed.last
}

// wait polls cond until it holds, feeding meanwhile; it fails the test
// after timeout.
func (s *depScenario) wait(timeout time.Duration, what string, cond func() (bool, error)) {
	s.t.Helper()
	if err := s.tryWait(timeout, what, cond); err != nil {
		s.t.Fatal(err)
	}
}

// tryWait is wait returning the failure, for a condition the rest of the
// test does not depend on.
func (s *depScenario) tryWait(timeout time.Duration, what string, cond func() (bool, error)) error {
	return pollEvery(alertPoll, timeout, what, func() (bool, error) {
		if err := s.feed.tick(); err != nil {
			return false, err
		}
		return cond()
	})
}

// lastEvaluation is the rule's lastEvaluation in /api/v1/rules; an
// unhealthy rule is an error.
func (s *depScenario) lastEvaluation(rule string) (time.Time, error) {
	r, err := s.v.api.rule(rule)
	if err != nil {
		return time.Time{}, err
	}
	if r.Health == "err" {
		return time.Time{}, fmt.Errorf("rule %s: health %q, lastError %q", r.Name, r.Health, r.LastError)
	}
	return r.LastEvaluation, nil
}

// waitEvaluated waits until each rule has been evaluated at a time after t
// and returns the latest such time.
func (s *depScenario) waitEvaluated(t time.Time, rules ...string) time.Time {
	s.t.Helper()
	latest := t
	s.wait(evalInterval+slack, fmt.Sprintf("evaluation of %v after %s", rules, t.Format(time.RFC3339Nano)), func() (bool, error) {
		for _, r := range rules {
			last, err := s.lastEvaluation(r)
			if err != nil || !last.After(t) {
				return false, err
			}
			latest = later(latest, last)
		}
		return true, nil
	})
	return latest
}

// waitEvaluations waits for n more evaluations of rule.
func (s *depScenario) waitEvaluations(rule string, n int) {
	s.t.Helper()
	prev, err := s.lastEvaluation(rule)
	if err != nil {
		s.t.Fatal(err)
	}
	for range n {
		prev = s.waitEvaluated(prev, rule)
	}
}

// pushAfterDBEvaluation waits for the next evaluation of the database rule
// and pushes right after it, so that the database's group sees the push one
// interval later and the services' group (almost always) first: dependents
// then turn pending, and reach `for`, before their cause.
func (s *depScenario) pushAfterDBEvaluation(bad, good []depInst) time.Time {
	s.t.Helper()
	now := time.Now()
	s.waitEvaluated(now, dbAlert)
	return s.push(bad, good)
}

// begin pushes the good values of every instance, waits for an evaluation
// of every rule that saw them and requires no alert.
func (s *depScenario) begin(all ...depInst) {
	s.t.Helper()
	pushed := s.push(nil, all)
	rules := map[string]bool{}
	for _, in := range all {
		rules[in.alert] = true
	}
	s.waitEvaluated(pushed.Add(-time.Millisecond), slices.Sorted(maps.Keys(rules))...)
	if all, err := s.v.api.alerts(); err != nil || len(all) != 0 {
		s.t.Fatalf("with good data: /api/v1/alerts = %v, %v; want no alerts", all, err)
	}
}

// alert returns in's alert from /api/v1/alerts, or ok false.
func (s *depScenario) alert(in depInst) (apiAlert, bool, error) {
	all, err := s.v.api.alerts()
	if err != nil {
		return apiAlert{}, false, err
	}
	for _, a := range all {
		if a.Labels["alertname"] == in.alert && a.Labels["region"] == in.region && a.Labels["instance"] == in.instance {
			return a, true, nil
		}
	}
	return apiAlert{}, false, nil
}

// waitActive waits until every instance has an alert (pending or later)
// and returns each one's activeAt, which must follow the push.
func (s *depScenario) waitActive(pushed time.Time, ins ...depInst) map[depInst]time.Time {
	s.t.Helper()
	act := map[depInst]time.Time{}
	s.wait(evalInterval+slack, fmt.Sprintf("alerts of %v active", ins), func() (bool, error) {
		for _, in := range ins {
			if _, ok := act[in]; ok {
				continue
			}
			a, ok, err := s.alert(in)
			if err != nil {
				return false, err
			}
			if ok && a.ActiveAt != nil {
				act[in] = *a.ActiveAt
			}
		}
		return len(act) == len(ins), nil
	})
	for in, at := range act {
		if at.Before(pushed.Truncate(time.Millisecond)) || at.After(pushed.Add(evalInterval+slack)) {
			s.t.Errorf("%s activeAt %s: want the first evaluation after the push at %s", in, at.Format(time.RFC3339Nano), pushed.Format(time.RFC3339Nano))
		}
	}
	return act
}

// events returns the requests for in's alert with the given event_action.
func (s *depScenario) events(action string, in depInst) []pdRequest {
	var out []pdRequest
	key := s.key(in)
	for _, r := range s.pd.received() {
		if r.Event.Action == action && r.Event.DedupKey == key {
			out = append(out, r)
		}
	}
	return out
}

// describeEvents lists what the stand-in received, naming dedup keys.
func (s *depScenario) describeEvents() string {
	var b strings.Builder
	for i, r := range s.pd.received() {
		fmt.Fprintf(&b, "\n  %d. %s %s %s → %d: %s", i+1, r.At.Format("15:04:05.000"), r.Event.Action, s.keyName(r.Event.DedupKey), r.Status, r.Body)
	}
	if b.Len() == 0 {
		return " (none)"
	}
	return b.String()
}

// keyName names the instance whose dedup_key is key, among the instances
// pushed; an unknown key is itself.
func (s *depScenario) keyName(key string) string {
	if in, ok := s.known[key]; ok {
		return in.String()
	}
	return key
}

// eventCounts counts the requests by "action alert/region".
func (s *depScenario) eventCounts() map[string]int {
	counts := map[string]int{}
	for _, r := range s.pd.received() {
		counts[r.Event.Action+" "+s.keyName(r.Event.DedupKey)]++
	}
	return counts
}

// checkEvents requires the stand-in to have received exactly want, counted
// by "action alert/region", and nothing else.
func (s *depScenario) checkEvents(why string, want map[string]int) {
	s.t.Helper()
	if got := s.eventCounts(); !maps.Equal(got, want) {
		s.t.Errorf("%s: PagerDuty received %v, want exactly %v:%s", why, got, want, s.describeEvents())
	}
}

// waitTrigger waits for in's trigger and requires it within one evaluation
// interval after activeAt + for.
func (s *depScenario) waitTrigger(in depInst, activeAt time.Time) pdRequest {
	s.t.Helper()
	due := activeAt.Add(alertFor)
	s.wait(time.Until(due)+evalInterval+slack, in.String()+" trigger", func() (bool, error) {
		return len(s.events("trigger", in)) > 0, nil
	})
	trig := s.events("trigger", in)[0]
	late := trig.At.Sub(due)
	s.t.Logf("%s: trigger %v after `for` elapsed (activeAt %s)", in, late, activeAt.Format(time.RFC3339Nano))
	if late < 0 || late > evalInterval {
		s.t.Errorf("%s trigger at %s: want within one evaluation interval after activeAt+for = %s (got %v)",
			in, trig.At.Format(time.RFC3339Nano), due.Format(time.RFC3339Nano), late)
	}
	if trig.Status != http.StatusAccepted || trig.Event.RoutingKey != pdRoutingKey || trig.Event.Payload == nil {
		s.t.Errorf("%s trigger: status %d, body %s", in, trig.Status, trig.Body)
	}
	return trig
}

// watchHeld records, while polled, the dependents seen held and any seen in
// the one state that would page them: firing, neither held nor suppressed.
type watchHeld struct {
	held     map[depInst]bool
	unruled  []string
	deps     []depInst
	scenario *depScenario
}

func (w *watchHeld) check() error {
	for _, in := range w.deps {
		a, ok, err := w.scenario.alert(in)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if a.Held {
			w.held[in] = true
		}
		if a.State == "firing" && !a.Held && !a.Suppressed && len(w.unruled) < 5 {
			w.unruled = append(w.unruled, time.Now().Format("15:04:05.000")+" "+a.String())
		}
	}
	return nil
}

// waitSuppressed waits until each dependent fires suppressed and checks
// that its only explanation is cause, by the given path, as a root. A
// failure is reported and the test goes on, to show what PagerDuty gets.
func (s *depScenario) waitSuppressed(deadline time.Time, cause depInst, paths map[depInst][]string) {
	s.t.Helper()
	got := map[depInst]apiAlert{}
	err := s.tryWait(time.Until(deadline), fmt.Sprintf("%d dependents firing and suppressed", len(paths)), func() (bool, error) {
		for in := range paths {
			a, ok, err := s.alert(in)
			if err != nil {
				return false, err
			}
			if ok && a.State == "firing" && a.Suppressed {
				got[in] = a
			}
		}
		return len(got) == len(paths), nil
	})
	if err != nil {
		for in := range paths {
			a, _, _ := s.alert(in)
			s.t.Errorf("%v; %s: %v", err, in, a)
		}
		return
	}
	for in, path := range paths {
		s.checkSuppressedBy(in, got[in], cause, path)
	}
}

// checkSuppressedBy requires a's suppressedBy to be exactly cause, by path,
// as a root.
func (s *depScenario) checkSuppressedBy(in depInst, a apiAlert, cause depInst, path []string) {
	s.t.Helper()
	want := s.labels(cause)
	if len(a.SuppressedBy) != 1 {
		s.t.Errorf("%s suppressedBy %+v: want exactly one explanation, %s", in, a.SuppressedBy, cause)
		return
	}
	by := a.SuppressedBy[0]
	gotLabels := maps.Clone(by.Labels)
	gotLabels["alertname"] = by.Alertname // the labels may leave alertname to its own field
	if by.Alertname != cause.alert || !maps.Equal(gotLabels, want) || !slices.Equal(by.Path, path) || !by.Root {
		s.t.Errorf("%s suppressedBy %+v:\nwant alertname %s, labels %v, path %v, root true", in, by, cause.alert, want, path)
	}
}

// checkSuppressedSeries requires ALERTS{suppressed="true"} to hold exactly
// the alerts of deps, firing.
func (s *depScenario) checkSuppressedSeries(deps ...depInst) {
	s.t.Helper()
	res, err := s.v.api.query(`ALERTS{suppressed="true"}`, time.Now().UnixMilli())
	if err != nil {
		s.t.Fatalf(`ALERTS{suppressed="true"}: %v`, err)
	}
	var got, want []string
	for _, r := range res.Series {
		got = append(got, metricString(r.Metric)+" "+r.Points[0].V)
	}
	for _, in := range deps {
		m := s.labels(in)
		m["__name__"], m["alertstate"], m["suppressed"] = "ALERTS", "firing", "true"
		want = append(want, metricString(m)+" 1")
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		s.t.Errorf("ALERTS{suppressed=\"true\"}:\n got %q\nwant %q", got, want)
	}
}

// latest is the latest time of act among ins.
func latest(act map[depInst]time.Time, ins ...depInst) time.Time {
	var t time.Time
	for _, in := range ins {
		t = later(t, act[in])
	}
	return t
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// checkHeld reports what the watch saw before the cause fired: dependents
// that reached `for` while the database was still pending must have been
// held, and no dependent may have been firing unheld and unsuppressed.
func (s *depScenario) checkHeld(w *watchHeld, cause depInst, act map[depInst]time.Time) {
	s.t.Helper()
	for _, in := range w.deps {
		lead := act[cause].Sub(act[in])
		s.t.Logf("%s: pending %v before the database; seen held: %v", in, lead.Round(time.Millisecond), w.held[in])
		if lead > 2*time.Second && !w.held[in] {
			s.t.Errorf("%s reached `for` %v before its cause did but was never seen held", in, lead.Round(time.Millisecond))
		}
	}
	if len(w.unruled) > 0 {
		s.t.Errorf("dependents seen firing, neither held nor suppressed (they would page): %q", w.unruled)
	}
}

// checkCausedBy requires a trigger update's custom_details.caused_by to
// list exactly the cause, as AlertName{label="value",...}.
func (s *depScenario) checkCausedBy(r pdRequest, cause depInst) {
	s.t.Helper()
	var details map[string]any
	if r.Event.Payload != nil {
		details = r.Event.Payload.Details
	}
	list, _ := details["caused_by"].([]any)
	want := labels.FromMap(s.labels(cause))
	if len(list) != 1 {
		s.t.Errorf("custom_details.caused_by = %v, want one cause %s", details["caused_by"], want)
		return
	}
	got, _ := list[0].(string)
	name, rest, _ := strings.Cut(got, "{")
	gotLabels := parseLabelPairs("{" + rest)
	if gotLabels == nil {
		s.t.Errorf("custom_details.caused_by[0] = %q: want AlertName{label=\"value\",...}", got)
		return
	}
	gotLabels["alertname"] = name
	if !maps.Equal(gotLabels, s.labels(cause)) || name != cause.alert {
		s.t.Errorf("custom_details.caused_by[0] = %q, want %s", got, want)
	}
}

// parseLabelPairs parses {a="b", c="d"} (spaces optional); nil if malformed.
func parseLabelPairs(s string) map[string]string {
	s, open := strings.CutPrefix(strings.TrimSpace(s), "{")
	s, closed := strings.CutSuffix(s, "}")
	if !open || !closed {
		return nil
	}
	m := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; {
		name, rest, found := strings.Cut(s, "=")
		if !found {
			return nil
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil
		}
		m[strings.TrimSpace(name)], _ = strconv.Unquote(q)
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest[len(q):]), ","))
	}
	return m
}
