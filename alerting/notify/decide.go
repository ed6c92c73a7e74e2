package notify

import (
	"time"

	"github.com/vigilsre/vigil/alerting"
)

// action is what a receiver is asked to do for one alert.
type action uint8

const (
	actionNone    action = iota // nothing to send
	actionTrigger               // open (or repeat) the incident
	actionResolve               // close it
)

// String returns the PagerDuty event_action of a: "trigger" or "resolve".
func (a action) String() string {
	switch a {
	case actionTrigger:
		return "trigger"
	case actionResolve:
		return "resolve"
	}
	return "none"
}

// decide returns what to send for n given the last delivery of its alert to
// the receiver (ok is false when nothing was delivered):
//
//	firing,   never delivered or last resolve     → trigger
//	firing,   trigger delivered < repeat ago      → nothing
//	firing,   trigger delivered >= repeat ago     → trigger (repeat)
//	resolved, last delivered trigger              → resolve
//	resolved, never delivered or last resolve     → nothing
func decide(n alerting.Notification, last delivery, ok bool, now time.Time, repeat time.Duration) action {
	triggered := ok && last.action == actionTrigger
	switch {
	case n.Resolved() && triggered:
		return actionResolve
	case n.Resolved():
		return actionNone
	case triggered && now.Sub(last.at) < repeat:
		return actionNone
	}
	return actionTrigger
}
