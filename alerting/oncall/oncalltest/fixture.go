package oncalltest

import (
	"fmt"
	"time"
)

// Fixture returns a realistic account relative to now: 7 teams, 7
// escalation policies, 5 schedules with final entries from 7 days before
// to 22 days after now's date, and 8 users. With the default PageSize of 2,
// listing policies, teams or users takes 4 pages each.
//
// Below, D is 00:00 UTC of now's date; shifts hand over at 09:00 UTC. The
// policies, in the order served (by name):
//
//	PEPDATA "Data pipeline"    team Data (PTDATA1), num_loops 1
//	    1: 10m  schedule "Data primary" (PSCDATA): Omar Haddad and Lea Novak daily,
//	            nobody from D+2d 08:00 to D+2d 20:00 (a 12h gap)
//	    2: 10m  user Lea Novak
//	PEPTOOL "Internal tools"   team Tools (PTTOOL1), num_loops 1
//	    1: 10m  schedule "Tools rotation" (PSCTOOL): Ravi Patel and Omar Haddad weekly,
//	            overridden by Maya Chen from D+3d 12:00 to D+3d 18:00
//	    2:  5m  user Maya Chen
//	PEPLEGA "Legacy batch"     no team, num_loops 0
//	    1: 10m  user Jonas Berg (high urgency: push at 0m, phone only at 5m, no sms)
//	    2: 10m  user Omar Haddad
//	PEPPAYM "Payments"         team Payments (PTPAYM1), num_loops 0
//	    1: 30m  schedule "Payments primary" (PSCPAYM): Lea Novak and Ravi Patel, 12h shifts
//	    2: 30m  user Maya Chen
//	    3: 10m  user Omar Haddad
//	PEPSRCH "Search"           team Search (PTSRCH1), num_loops 1
//	    1: 10m  user Ana Lima (ana@example.com: e-mail only, high and low urgency)
//	    2: 10m  user Sofia Rossi (push and sms at 0m)
//	PEPSTOR "Storage critical" team Storage (PTSTOR1), num_loops 2
//	    1:  5m  schedule "Storage primary" (PSCSTOR): Maya Chen and Lea Novak daily
//	    2:  5m  user Omar Haddad
//	    3:  5m  user Ravi Patel
//	PEPWEB1 "Web frontend"     team Web (PTWEB01), num_loops 1
//	    1:  5m  schedule "Web primary" (PSCWEB1): Sofia Rossi and Ravi Patel weekly
//
// Every schedule but "Data primary" covers the whole of [now, now+336h).
// Every responder but Ana Lima and Jonas Berg has push and phone (Sofia
// Rossi: push and sms) at 0m for high urgency. Kim Weiss (PUKWEIS) is in no
// policy and on no schedule; team Mobile (PTMOBL1) owns no policy.
//
// The "critical" standard (min_layers 2, max_layer_delay 15m,
// max_chain 30m, notify urgency high require_any [phone, sms] require_all
// [push] max_start_delay 1m, schedule_coverage 100% over 336h), applied to
// every policy, checks 7 policies and finds exactly:
//
//	Data pipeline  (Data)     coverage:     "Data primary" has nobody on call from D+2d 08:00 to D+2d 20:00 UTC (12h)
//	Legacy batch   (no team)  notification: Jonas Berg (jonas.berg@example.com) has phone only after 5m (max 1m) and no sms
//	Payments       (Payments) layer_delay:  layers 1 and 2 wait 30m each (max 15m); layer 3 waits 10m
//	Payments       (Payments) chain_delay:  60m before the last layer (max 30m)
//	Search         (Search)   notification: Ana Lima (ana@example.com) has neither phone nor sms, and no push
//	Web frontend   (Web)      layers:       1 layer (min 2)
//
// "Internal tools" and "Storage critical" meet it. With the selector
// teams [Storage, Web] it checks 2 policies and finds only the "Web
// frontend" layers violation; the issue's lowercase [storage, web] selects
// them only where team names match without regard to case. No last layer
// waits more than 10m, so whether the last layer's delay counts changes
// nothing; no value sits on a limit of the standard.
func Fixture(now time.Time) *Account {
	d := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return &Account{
		Teams:     fixtureTeams(),
		Policies:  fixturePolicies(),
		Schedules: fixtureSchedules(d),
		Users:     fixtureUsers(),
	}
}

func fixtureTeams() []Team {
	return []Team{
		{"PTDATA1", "Data"}, {"PTMOBL1", "Mobile"}, {"PTPAYM1", "Payments"}, {"PTSRCH1", "Search"},
		{"PTSTOR1", "Storage"}, {"PTTOOL1", "Tools"}, {"PTWEB01", "Web"},
	}
}

// Users of the fixture.
const (
	anaLima    = "PUALIMA"
	jonasBerg  = "PUJBERG"
	kimWeiss   = "PUKWEIS"
	leaNovak   = "PULNOVA"
	mayaChen   = "PUMCHEN"
	omarHaddad = "PUOHADD"
	raviPatel  = "PURPATE"
	sofiaRossi = "PUSROSS"
)

func fixturePolicies() []Policy {
	return []Policy{
		policy("PEPDATA", "Data pipeline", "PTDATA1", 1, layer(10, sched("PSCDATA")), layer(10, user(leaNovak))),
		policy("PEPTOOL", "Internal tools", "PTTOOL1", 1, layer(10, sched("PSCTOOL")), layer(5, user(mayaChen))),
		policy("PEPLEGA", "Legacy batch", "", 0, layer(10, user(jonasBerg)), layer(10, user(omarHaddad))),
		policy("PEPPAYM", "Payments", "PTPAYM1", 0,
			layer(30, sched("PSCPAYM")), layer(30, user(mayaChen)), layer(10, user(omarHaddad))),
		policy("PEPSRCH", "Search", "PTSRCH1", 1, layer(10, user(anaLima)), layer(10, user(sofiaRossi))),
		policy("PEPSTOR", "Storage critical", "PTSTOR1", 2,
			layer(5, sched("PSCSTOR")), layer(5, user(omarHaddad)), layer(5, user(raviPatel))),
		policy("PEPWEB1", "Web frontend", "PTWEB01", 1, layer(5, sched("PSCWEB1"))),
	}
}

// policy builds a policy whose rules are numbered from its ID.
func policy(id, name, team string, loops int, rules ...Rule) Policy {
	p := Policy{ID: id, Name: name, NumLoops: loops, Rules: rules}
	if team != "" {
		p.TeamIDs = []string{team}
	}
	for i := range p.Rules {
		p.Rules[i].ID = fmt.Sprintf("PR%s%d", id[3:], i+1)
	}
	return p
}

func layer(delayMinutes int, targets ...Target) Rule {
	return Rule{DelayMinutes: delayMinutes, Targets: targets}
}

func user(id string) Target  { return Target{Type: UserReference, ID: id} }
func sched(id string) Target { return Target{Type: ScheduleReference, ID: id} }
