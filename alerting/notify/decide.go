package notify

import (
	"slices"
	"time"

	"github.com/vigilsre/vigil/alerting"
)

// action is what a receiver is asked to do for one alert.
type action uint8

const (
	actionNone    action = iota // nothing to send
	actionTrigger               // open (or repeat) the incident
	actionResolve               // close it
	actionUpdate                // a trigger to an open incident: its causes changed
)

// String names a for logs, metrics and the notification log: "trigger",
// "resolve" or "update".
func (a action) String() string {
	switch a {
	case actionTrigger:
		return "trigger"
	case actionResolve:
		return "resolve"
	case actionUpdate:
		return "update"
	}
	return "none"
}

// eventAction is the PagerDuty event_action of a: an update is a trigger
// with the incident's dedup key.
func (a action) eventAction() string {
	if a == actionUpdate {
		return actionTrigger.String()
	}
	return a.String()
}

// decide returns what to send for n given the last delivery of its alert to
// the receiver (ok is false when nothing was delivered):
//
//	resolved,   last delivered trigger                 → resolve
//	resolved,   never delivered or last resolve        → nothing
//	suppressed, never delivered or last resolve        → nothing (never pages)
//	firing,     never delivered or last resolve        → trigger
//	firing,     trigger delivered with other causes    → update
//	suppressed, trigger delivered with the same causes → nothing (no repeats)
//	firing,     trigger delivered < repeat ago         → nothing
//	firing,     trigger delivered >= repeat ago        → trigger (repeat)
//
// The causes of a notification are its CausedBy when it is suppressed, none
// otherwise; so a paged alert whose cause fires later gets one update per
// change of its cause list, and one more when it no longer has a cause.
func decide(n alerting.Notification, last delivery, ok bool, now time.Time, repeat time.Duration) action {
	triggered := ok && last.action == actionTrigger
	switch {
	case n.Resolved() && triggered:
		return actionResolve
	case n.Resolved(), n.Suppressed && !triggered:
		return actionNone
	case !triggered:
		return actionTrigger
	case !sameCauses(causes(n), last.causedBy):
		return actionUpdate
	case n.Suppressed, now.Sub(last.at) < repeat:
		return actionNone
	}
	return actionTrigger
}

// causes returns the causes that explain n: CausedBy when n is suppressed,
// else none.
func causes(n alerting.Notification) []string {
	if !n.Suppressed {
		return nil
	}
	return n.CausedBy
}

// sameCauses reports whether a and b hold the same causes, in any order.
func sameCauses(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.Equal(a, b) {
		return true
	}
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
