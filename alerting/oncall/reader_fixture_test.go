package oncall

import "time"

// fxSnapshot is what a Read of oncalltest.Fixture(fxNow) over 336h
// fxAt fxNow returns, written out from the fixture's doc comment.
func fxSnapshot() *Snapshot {
	taken := time.Date(2026, 11, 25, 10, 30, 15, 0, time.UTC)
	until := taken.Add(336 * time.Hour)
	return &Snapshot{
		Taken:     taken,
		Policies:  fxPolicies(),
		Schedules: fxSchedules(taken, until),
		Users:     fxUsers(),
	}
}

var (
	fxAna   = Ref{ID: "PUALIMA", Name: "Ana Lima"}
	fxJonas = Ref{ID: "PUJBERG", Name: "Jonas Berg"}
	fxLea   = Ref{ID: "PULNOVA", Name: "Lea Novak"}
	fxMaya  = Ref{ID: "PUMCHEN", Name: "Maya Chen"}
	fxOmar  = Ref{ID: "PUOHADD", Name: "Omar Haddad"}
	fxRavi  = Ref{ID: "PURPATE", Name: "Ravi Patel"}
	fxSofia = Ref{ID: "PUSROSS", Name: "Sofia Rossi"}
)

func fxPolicies() []Policy {
	u := func(r Ref) Target { return Target{Type: TargetUser, Ref: r} }
	s := func(id, name string) Target { return Target{Type: TargetSchedule, Ref: Ref{ID: id, Name: name}} }
	rule := func(min int, t Target) Rule {
		return Rule{Delay: time.Duration(min) * time.Minute, Targets: []Target{t}}
	}
	team := func(id, name string) []Ref { return []Ref{{ID: id, Name: name}} }
	return []Policy{
		{ID: "PEPDATA", Name: "Data pipeline", Teams: team("PTDATA1", "Data"), NumLoops: 1,
			Rules: []Rule{rule(10, s("PSCDATA", "Data primary")), rule(10, u(fxLea))}},
		{ID: "PEPTOOL", Name: "Internal tools", Teams: team("PTTOOL1", "Tools"), NumLoops: 1,
			Rules: []Rule{rule(10, s("PSCTOOL", "Tools rotation")), rule(5, u(fxMaya))}},
		{ID: "PEPLEGA", Name: "Legacy batch",
			Rules: []Rule{rule(10, u(fxJonas)), rule(10, u(fxOmar))}},
		{ID: "PEPPAYM", Name: "Payments", Teams: team("PTPAYM1", "Payments"),
			Rules: []Rule{rule(30, s("PSCPAYM", "Payments primary")), rule(30, u(fxMaya)), rule(10, u(fxOmar))}},
		{ID: "PEPSRCH", Name: "Search", Teams: team("PTSRCH1", "Search"), NumLoops: 1,
			Rules: []Rule{rule(10, u(fxAna)), rule(10, u(fxSofia))}},
		{ID: "PEPSTOR", Name: "Storage critical", Teams: team("PTSTOR1", "Storage"), NumLoops: 2,
			Rules: []Rule{rule(5, s("PSCSTOR", "Storage primary")), rule(5, u(fxOmar)), rule(5, u(fxRavi))}},
		{ID: "PEPWEB1", Name: "Web frontend", Teams: team("PTWEB01", "Web"), NumLoops: 1,
			Rules: []Rule{rule(5, s("PSCWEB1", "Web primary"))}},
	}
}

// fxAt is a time on the fixture's days: 2026-11-<day> hh:mm UTC, or
// 2026-12-<day-30> for days past November.
func fxAt(day, hh, mm int) time.Time {
	return time.Date(2026, 11, day, hh, mm, 0, 0, time.UTC)
}

func fxSchedules(taken, until time.Time) map[string]Schedule {
	return map[string]Schedule{
		"PSCDATA": {Ref: Ref{ID: "PSCDATA", Name: "Data primary"}, Until: until, Entries: []Shift{
			{taken, fxAt(26, 9, 0), fxLea},
			{fxAt(26, 9, 0), fxAt(27, 8, 0), fxOmar}, // the 12h gap: 27th 08:00 to 20:00
			{fxAt(27, 20, 0), fxAt(28, 9, 0), fxLea},
			{fxAt(28, 9, 0), fxAt(29, 9, 0), fxOmar},
			{fxAt(29, 9, 0), fxAt(30, 9, 0), fxLea},
			{fxAt(30, 9, 0), fxAt(31, 9, 0), fxOmar},
			{fxAt(31, 9, 0), fxAt(32, 9, 0), fxLea},
			{fxAt(32, 9, 0), fxAt(33, 9, 0), fxOmar},
			{fxAt(33, 9, 0), fxAt(34, 9, 0), fxLea},
			{fxAt(34, 9, 0), fxAt(35, 9, 0), fxOmar},
			{fxAt(35, 9, 0), fxAt(36, 9, 0), fxLea},
			{fxAt(36, 9, 0), fxAt(37, 9, 0), fxOmar},
			{fxAt(37, 9, 0), fxAt(38, 9, 0), fxLea},
			{fxAt(38, 9, 0), fxAt(39, 9, 0), fxOmar},
			{fxAt(39, 9, 0), until, fxLea},
		}},
		"PSCTOOL": {Ref: Ref{ID: "PSCTOOL", Name: "Tools rotation"}, Until: until, Entries: []Shift{
			{taken, fxAt(28, 12, 0), fxOmar},
			{fxAt(28, 12, 0), fxAt(28, 18, 0), fxMaya}, // the override
			{fxAt(28, 18, 0), fxAt(32, 9, 0), fxOmar},
			{fxAt(32, 9, 0), fxAt(39, 9, 0), fxRavi},
			{fxAt(39, 9, 0), until, fxOmar},
		}},
		"PSCPAYM": {Ref: Ref{ID: "PSCPAYM", Name: "Payments primary"}, Until: until,
			Entries: fxTurns(taken, until, fxAt(25, 9, 0), 12*time.Hour, fxLea, fxRavi)},
		"PSCSTOR": {Ref: Ref{ID: "PSCSTOR", Name: "Storage primary"}, Until: until,
			Entries: fxTurns(taken, until, fxAt(25, 9, 0), 24*time.Hour, fxLea, fxMaya)},
		"PSCWEB1": {Ref: Ref{ID: "PSCWEB1", Name: "Web primary"}, Until: until, Entries: []Shift{
			{taken, fxAt(32, 9, 0), fxRavi},
			{fxAt(32, 9, 0), fxAt(39, 9, 0), fxSofia},
			{fxAt(39, 9, 0), until, fxRavi},
		}},
	}
}

// fxTurns are the shifts of a rotation among users handing over every turn
// from first (users[0] on call from first), clipped to [taken, until).
func fxTurns(taken, until, first time.Time, turn time.Duration, users ...Ref) []Shift {
	var out []Shift
	for i, t := 0, first; t.Before(until); i, t = i+1, t.Add(turn) {
		start, end := t, t.Add(turn)
		if start.Before(taken) {
			start = taken
		}
		if end.After(until) {
			end = until
		}
		out = append(out, Shift{Start: start, End: end, User: users[i%len(users)]})
	}
	return out
}

func fxUsers() map[string]User {
	rule := func(urgency string, min int, contact string) NotificationRule {
		return NotificationRule{Urgency: urgency, StartDelay: time.Duration(min) * time.Minute, Contact: contact}
	}
	return map[string]User{
		fxAna.ID: {Ref: fxAna, Email: "ana@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactEmail), rule("low", 0, ContactEmail)}},
		fxJonas.ID: {Ref: fxJonas, Email: "jonas.berg@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactPush), rule("high", 5, ContactPhone), rule("low", 0, ContactEmail)}},
		fxLea.ID: {Ref: fxLea, Email: "lea.novak@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactPush), rule("high", 0, ContactPhone), rule("low", 0, ContactPush)}},
		fxMaya.ID: {Ref: fxMaya, Email: "maya.chen@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactPush), rule("high", 0, ContactPhone), rule("high", 2, ContactSMS),
			rule("low", 0, ContactEmail)}},
		fxOmar.ID: {Ref: fxOmar, Email: "omar.haddad@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactPush), rule("high", 0, ContactPhone), rule("low", 0, ContactEmail)}},
		fxRavi.ID: {Ref: fxRavi, Email: "ravi.patel@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactPush), rule("high", 0, ContactPhone), rule("high", 5, ContactEmail),
			rule("low", 0, ContactEmail)}},
		fxSofia.ID: {Ref: fxSofia, Email: "sofia.rossi@example.com", Rules: []NotificationRule{
			rule("high", 0, ContactPush), rule("high", 0, ContactSMS), rule("low", 0, ContactPush)}},
	}
}
