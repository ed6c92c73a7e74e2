package alerting

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// stepCase is one evaluation of a state machine sequence: at second `at`
// the expression returns the alerts of `found` (instance names); of the
// alerts that disappeared, those in `missing` lost their data. want is the
// set after the step, resolved what resolved in it.
type stepCase struct {
	at       int
	found    string // space-separated instances
	missing  string // space-separated instances
	want     string // one alert per line, see renderAlert
	resolved string
}

// runSteps plays a sequence against a fresh set, checking every step.
func runSteps(t *testing.T, tr transitions, steps []stepCase) {
	t.Helper()
	s := alertSet{}
	for _, st := range steps {
		found := alertSet{}
		for _, inst := range strings.Fields(st.found) {
			a := &Alert{Labels: labels.FromStrings("alertname", "A", "instance", inst), State: StatePending, ActiveAt: at(st.at), Value: float64(st.at)}
			found[a.Labels.Hash()] = a
		}
		missing := func(a *Alert) bool { return slices.Contains(strings.Fields(st.missing), a.Labels.Get("instance")) }
		resolved := s.step(tr, at(st.at), found, missing)
		sortAlerts(resolved)
		if got := renderAlerts(s.sortedForTest()); got != st.want {
			t.Fatalf("at %ds: alerts:\n%s\nwant:\n%s", st.at, got, st.want)
		}
		if got := renderAlerts(resolved); got != st.resolved {
			t.Fatalf("at %ds: resolved:\n%s\nwant:\n%s", st.at, got, st.resolved)
		}
	}
}

// sortedForTest returns the set's alerts in label order.
func (s alertSet) sortedForTest() []*Alert {
	r := alertingRule{active: s}
	return r.sorted()
}

// renderAlerts renders alerts one per line: instance, state and the times
// that are set, in seconds since t0.
func renderAlerts(as []*Alert) string {
	var lines []string
	for _, a := range as {
		lines = append(lines, renderAlert(a))
	}
	return strings.Join(lines, "\n")
}

func renderAlert(a *Alert) string {
	s := fmt.Sprintf("%s %s active=%d", a.Labels.Get("instance"), a.State, secs(a.ActiveAt))
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"fired", a.FiredAt}, {"kept", a.KeepFiringSince}, {"unknown", a.UnknownSince}, {"resolved", a.ResolvedAt}} {
		if !f.t.IsZero() {
			s += fmt.Sprintf(" %s=%d", f.name, secs(f.t))
		}
	}
	return s + fmt.Sprintf(" value=%v", a.Value)
}

func secs(t time.Time) int { return int(t.Sub(t0) / time.Second) }

func TestStepPendingFiringResolved(t *testing.T) {
	runSteps(t, transitions{hold: 20 * time.Second, missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, want: ""},
		{at: 10, found: "a", want: "a pending active=10 value=10"},
		{at: 20, found: "a", want: "a pending active=10 value=20"},
		{at: 30, found: "a", want: "a firing active=10 fired=30 value=30"},
		{at: 40, found: "a", want: "a firing active=10 fired=30 value=40"},
		{at: 50, want: "", resolved: "a inactive active=10 fired=30 resolved=50 value=40"},
		{at: 60, want: ""},
	})
}

func TestStepForZeroFiresAtOnce(t *testing.T) {
	runSteps(t, transitions{missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a", want: "a firing active=0 fired=0 value=0"},
		{at: 10, want: "", resolved: "a inactive active=0 fired=0 resolved=10 value=0"},
	})
}

func TestStepPendingThatClearsIsForgotten(t *testing.T) {
	// A pending alert that disappears goes without a resolve, data missing
	// or not; when it comes back it starts pending again.
	runSteps(t, transitions{hold: 20 * time.Second, missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a b", want: "a pending active=0 value=0\nb pending active=0 value=0"},
		{at: 10, found: "", missing: "b", want: ""},
		{at: 20, found: "a", want: "a pending active=20 value=20"},
	})
}

func TestStepKeepFiringFor(t *testing.T) {
	runSteps(t, transitions{keepFiringFor: 30 * time.Second, missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a", want: "a firing active=0 fired=0 value=0"},
		{at: 10, want: "a firing active=0 fired=0 kept=10 value=0"},
		{at: 20, found: "a", want: "a firing active=0 fired=0 value=20"}, // back: keep-firing resets
		{at: 30, want: "a firing active=0 fired=0 kept=30 value=20"},
		{at: 50, want: "a firing active=0 fired=0 kept=30 value=20"},
		{at: 60, want: "", resolved: "a inactive active=0 fired=0 kept=30 resolved=60 value=20"},
	})
}

func TestStepFlapping(t *testing.T) {
	runSteps(t, transitions{hold: 10 * time.Second, missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a", want: "a pending active=0 value=0"},
		{at: 10, found: "a", want: "a firing active=0 fired=10 value=10"},
		{at: 20, want: "", resolved: "a inactive active=0 fired=10 resolved=20 value=10"},
		{at: 30, found: "a", want: "a pending active=30 value=30"},
		{at: 40, want: ""},
		{at: 50, found: "a", want: "a pending active=50 value=50"},
		{at: 60, found: "a", want: "a firing active=50 fired=60 value=60"},
	})
}

func TestStepConditionClearedVersusDataMissing(t *testing.T) {
	runSteps(t, transitions{missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a b", want: "a firing active=0 fired=0 value=0\nb firing active=0 fired=0 value=0"},
		{at: 10, found: "", missing: "b",
			want:     "b unknown active=0 fired=0 unknown=10 value=0",
			resolved: "a inactive active=0 fired=0 resolved=10 value=0"},
	})
}

func TestStepUnknownThenRecovers(t *testing.T) {
	runSteps(t, transitions{hold: 10 * time.Second, missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a", want: "a pending active=0 value=0"},
		{at: 10, found: "a", want: "a firing active=0 fired=10 value=10"},
		{at: 20, missing: "a", want: "a unknown active=0 fired=10 unknown=20 value=10"},
		{at: 30, missing: "a", want: "a unknown active=0 fired=10 unknown=20 value=10"},
		{at: 40, found: "a", want: "a firing active=0 fired=10 value=40"}, // same incident: FiredAt kept
	})
}

func TestStepUnknownTimesOut(t *testing.T) {
	runSteps(t, transitions{missingDataTimeout: 30 * time.Second}, []stepCase{
		{at: 0, found: "a", want: "a firing active=0 fired=0 value=0"},
		{at: 10, missing: "a", want: "a unknown active=0 fired=0 unknown=10 value=0"},
		{at: 30, missing: "a", want: "a unknown active=0 fired=0 unknown=10 value=0"},
		{at: 40, missing: "a", want: "", resolved: "a inactive active=0 fired=0 unknown=10 resolved=40 value=0"},
	})
}

func TestStepUnknownThenConditionCleared(t *testing.T) {
	// The data comes back but the condition no longer holds: resolved at
	// once, or kept firing for keep_firing_for.
	runSteps(t, transitions{missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a", want: "a firing active=0 fired=0 value=0"},
		{at: 10, missing: "a", want: "a unknown active=0 fired=0 unknown=10 value=0"},
		{at: 20, want: "", resolved: "a inactive active=0 fired=0 unknown=10 resolved=20 value=0"},
	})
	runSteps(t, transitions{keepFiringFor: 20 * time.Second, missingDataTimeout: time.Minute}, []stepCase{
		{at: 0, found: "a", want: "a firing active=0 fired=0 value=0"},
		{at: 10, missing: "a", want: "a unknown active=0 fired=0 unknown=10 value=0"},
		{at: 20, want: "a firing active=0 fired=0 kept=20 value=0"},
		{at: 30, missing: "a", want: "a firing active=0 fired=0 kept=20 value=0"}, // kept firing: missing data does not matter
		{at: 40, want: "", resolved: "a inactive active=0 fired=0 kept=20 resolved=40 value=0"},
	})
}

func TestStepLongerForSendsFiringBackToPending(t *testing.T) {
	s := alertSet{}
	a := &Alert{Labels: labels.FromStrings("alertname", "A"), State: StateFiring, ActiveAt: at(0), FiredAt: at(0), LastSentAt: at(0)}
	s[a.Labels.Hash()] = a
	found := alertSet{a.Labels.Hash(): &Alert{Labels: a.Labels, State: StatePending, ActiveAt: at(10), Value: 1}}
	s.step(transitions{hold: time.Minute}, at(10), found, func(*Alert) bool { return false })
	if got, want := renderAlert(a)+fmt.Sprint(a.LastSentAt.IsZero()), " pending active=0 value=1true"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateInactive: "inactive", StatePending: "pending", StateFiring: "firing", StateUnknown: "unknown", State(9): "invalid"} {
		if got := s.String(); got != want {
			t.Errorf("State(%d) = %q, want %q", s, got, want)
		}
	}
}
