package alerting

import (
	"time"
)

// alertSet is the state of one alerting rule: its pending, firing and
// unknown alerts, keyed by the hash of their labels.
type alertSet map[uint64]*Alert

// transitions are the durations the state machine runs on.
type transitions struct {
	hold               time.Duration // the rule's `for`
	keepFiringFor      time.Duration // the rule's `keep_firing_for`
	missingDataTimeout time.Duration // how long an alert stays unknown
}

// step advances the set to evaluation time ts. found holds the alerts the
// expression returned at ts (new alerts: pending, ActiveAt ts). missing
// tells, for a firing or unknown alert that found lacks, whether its input
// data is missing (true) or the condition cleared (false). step returns the
// alerts that resolved at ts (state inactive, ResolvedAt ts), which leave
// the set. It reads no clock and starts nothing: the whole state machine.
func (s alertSet) step(tr transitions, ts time.Time, found alertSet, missing func(*Alert) bool) []*Alert {
	for h, a := range found {
		s.update(h, a)
	}
	var resolved []*Alert
	for h, a := range s {
		if _, ok := found[h]; ok {
			a.promote(tr.hold, ts)
			continue
		}
		if !a.drop(tr, ts, missing) {
			continue
		}
		delete(s, h)
		if a.State == StateInactive {
			resolved = append(resolved, a)
		}
	}
	return resolved
}

// update records that the expression returned alert a (key h): a known
// alert takes its value and annotations and, if its data had gone missing,
// is firing again; an unknown one starts pending.
func (s alertSet) update(h uint64, a *Alert) {
	old, ok := s[h]
	if !ok {
		s[h] = a
		return
	}
	old.Value, old.Annotations = a.Value, a.Annotations
	old.KeepFiringSince = time.Time{}
	if old.State == StateUnknown {
		old.State, old.UnknownSince = StateFiring, time.Time{}
	}
}

// promote moves an alert the expression returned between pending and
// firing: pending fires once it has been active for hold; firing goes back
// to pending if hold grew past its active time (a reloaded rule).
func (a *Alert) promote(hold time.Duration, ts time.Time) {
	switch active := ts.Sub(a.ActiveAt); {
	case a.State == StatePending && active >= hold:
		a.State, a.FiredAt = StateFiring, ts
	case a.State == StateFiring && active < hold:
		a.State, a.FiredAt, a.LastSentAt = StatePending, time.Time{}, time.Time{}
	}
}

// drop handles an alert the expression no longer returns, and reports
// whether it leaves the set (pending alerts just go; firing and unknown
// ones resolve, state inactive). A firing alert whose data is missing turns
// unknown and stays so for missingDataTimeout; one whose condition cleared
// keeps firing for keepFiringFor.
func (a *Alert) drop(tr transitions, ts time.Time, missing func(*Alert) bool) bool {
	switch {
	case a.State == StatePending:
		return true
	case a.KeepFiringSince.IsZero() && missing(a):
		return a.hold(tr.missingDataTimeout, ts)
	default:
		return a.keepFiring(tr.keepFiringFor, ts)
	}
}

// hold keeps an alert whose data is missing in the unknown state, and
// resolves it (reporting true) once it has been unknown for timeout.
func (a *Alert) hold(timeout time.Duration, ts time.Time) bool {
	if a.State != StateUnknown {
		a.State, a.UnknownSince = StateUnknown, ts
	}
	if ts.Sub(a.UnknownSince) < timeout {
		return false
	}
	a.resolve(ts)
	return true
}

// keepFiring keeps an alert whose condition cleared firing until
// keepFiringFor has passed since it cleared, then resolves it (reporting
// true). An unknown alert whose data came back without the condition is
// firing again while it is kept.
func (a *Alert) keepFiring(keepFiringFor time.Duration, ts time.Time) bool {
	if keepFiringFor > 0 {
		if a.KeepFiringSince.IsZero() {
			a.KeepFiringSince = ts
		}
		if ts.Sub(a.KeepFiringSince) < keepFiringFor {
			a.State, a.UnknownSince = StateFiring, time.Time{}
			return false
		}
	}
	a.resolve(ts)
	return true
}

// resolve ends the alert at ts.
func (a *Alert) resolve(ts time.Time) {
	a.State, a.ResolvedAt = StateInactive, ts
}
