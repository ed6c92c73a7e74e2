package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

func TestDecide(t *testing.T) {
	now := t0.Add(10 * time.Hour)
	fire := firing("alertname", "A")
	res := resolvedAt(fire, now)
	trig := func(ago time.Duration) delivery { return delivery{action: actionTrigger, at: now.Add(-ago)} }
	for _, tc := range []struct {
		name string
		res  bool
		last delivery
		ok   bool
		want action
	}{
		{"firing, never delivered", false, delivery{}, false, actionTrigger},
		{"firing, last resolve", false, delivery{action: actionResolve, at: now}, true, actionTrigger},
		{"firing, triggered just now", false, trig(0), true, actionNone},
		{"firing, triggered under repeat ago", false, trig(4*time.Hour - time.Nanosecond), true, actionNone},
		{"firing, triggered repeat ago", false, trig(4 * time.Hour), true, actionTrigger},
		{"resolved, triggered", true, trig(time.Minute), true, actionResolve},
		{"resolved, triggered long ago", true, trig(100 * time.Hour), true, actionResolve},
		{"resolved, never delivered", true, delivery{}, false, actionNone},
		{"resolved, last resolve", true, delivery{action: actionResolve, at: now}, true, actionNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := fire
			if tc.res {
				n = res
			}
			require.Equal(t, tc.want, decide(n, tc.last, tc.ok, now, 4*time.Hour))
		})
	}
}

func TestQueueKeepsOneJobPerKeyAndDropsOldest(t *testing.T) {
	q := newKeyQueue(2)
	a1, a2 := firing("alertname", "A"), resolvedAt(firing("alertname", "A"), t0)
	_, dropped := q.push(job{dedupKey: "a", n: a1, queuedAt: t0})
	require.False(t, dropped)
	require.True(t, q.replace("a", a2))
	require.False(t, q.replace("b", a1))
	q.push(job{dedupKey: "b", n: a1})
	old, dropped := q.push(job{dedupKey: "c", n: a1})
	require.True(t, dropped)
	require.Equal(t, job{dedupKey: "a", n: a2, queuedAt: t0}, old, "the oldest, with its newest state and first queue time")
	require.Equal(t, 2, q.len())
	for _, want := range []string{"b", "c"} {
		j, ok := q.pop()
		require.True(t, ok)
		require.Equal(t, want, j.dedupKey)
	}
	_, ok := q.pop()
	require.False(t, ok)
	require.Empty(t, q.jobs)
}

func TestDecideSuppressed(t *testing.T) {
	now := t0.Add(10 * time.Hour)
	sup := func(causes ...string) alerting.Notification { return suppressedBy(firing("alertname", "A"), causes...) }
	trig := func(ago time.Duration, causes ...string) delivery {
		return delivery{action: actionTrigger, at: now.Add(-ago), causedBy: causes}
	}
	for _, tc := range []struct {
		name string
		n    alerting.Notification
		last delivery
		ok   bool
		want action
	}{
		{"suppressed, never delivered", sup("X"), delivery{}, false, actionNone},
		{"suppressed, last resolve", sup("X"), delivery{action: actionResolve, at: now}, true, actionNone},
		{"suppressed, paged without causes", sup("X"), trig(time.Minute), true, actionUpdate},
		{"suppressed, paged with the same causes", sup("X"), trig(time.Minute, "X"), true, actionNone},
		{"suppressed, same causes, repeat long past", sup("X", "Y"), trig(100*time.Hour, "Y", "X"), true, actionNone},
		{"suppressed, paged with other causes", sup("X", "Y"), trig(time.Minute, "X"), true, actionUpdate},
		{"firing, paged while suppressed", firing("alertname", "A"), trig(time.Minute, "X"), true, actionUpdate},
		{"suppressed, resolved, paged", resolvedAt(sup("X"), now), trig(time.Minute, "X"), true, actionResolve},
		{"suppressed, resolved, never paged", resolvedAt(sup("X"), now), delivery{}, false, actionNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, decide(tc.n, tc.last, tc.ok, now, 4*time.Hour))
		})
	}
}

func TestActionNames(t *testing.T) {
	require.Equal(t, []string{"none", "trigger", "resolve", "update"},
		[]string{actionNone.String(), actionTrigger.String(), actionResolve.String(), actionUpdate.String()})
	require.Equal(t, []string{"trigger", "resolve", "trigger"},
		[]string{actionTrigger.eventAction(), actionResolve.eventAction(), actionUpdate.eventAction()})
}
