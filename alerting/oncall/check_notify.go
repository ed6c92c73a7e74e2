package oncall

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// notification checks that every responder the policy reaches has the
// notification rules the standard's Notify requires: one violation per
// responder, listing every contact type missing or starting too late.
func (c *checker) notification() {
	n := c.s.Notify
	if n == nil {
		return
	}
	users, unread := c.responders()
	for _, ref := range unread {
		c.add(CheckNotification, "Schedule %s could not be read, so the responders on it could not be checked",
			c.scheduleLabel(ref))
	}
	for _, ref := range users {
		u, ok := c.snap.Users[ref.ID]
		if !ok {
			c.add(CheckNotification, "%s: no notification rules could be read", refLabel(ref))
			continue
		}
		missing, late := notifyGaps(&u, n)
		if len(missing) > 0 || len(late) > 0 {
			c.add(CheckNotification, "%s", notifyDetail(userLabel(&u), n, missing, late))
		}
	}
}

// responders returns every user the policy reaches — targeted directly or
// on call in one of its schedules at any time of the snapshot — each once,
// in order of first appearance, and the schedules missing from the
// snapshot.
func (c *checker) responders() (users, unread []Ref) {
	seen := make(map[string]bool)
	add := func(r Ref) {
		if r.ID != "" && !seen[r.ID] {
			seen[r.ID] = true
			users = append(users, r)
		}
	}
	for _, t := range c.targets() {
		if t.Type == TargetUser {
			add(t.Ref)
			continue
		}
		s, ok := c.snap.Schedules[t.ID]
		if !ok {
			unread = append(unread, t.Ref)
			continue
		}
		for _, e := range s.Entries {
			add(e.User)
		}
	}
	return users, unread
}

// targets returns the policy's user and schedule targets in rule order,
// each once.
func (c *checker) targets() []Target {
	var ts []Target
	for _, r := range c.p.Rules {
		for _, t := range r.Targets {
			known := t.Type == TargetUser || t.Type == TargetSchedule
			if known && !slices.ContainsFunc(ts, t.same) {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// same reports whether t and o target the same user or schedule.
func (t Target) same(o Target) bool {
	return t.Type == o.Type && t.ID == o.ID
}

// reach returns the earliest StartDelay of u's rules for urgency by
// contact type t; ok is false when u has none.
func reach(u *User, urgency, t string) (earliest time.Duration, ok bool) {
	for _, r := range u.Rules {
		if r.Urgency == urgency && r.Contact == t && (!ok || r.StartDelay < earliest) {
			earliest, ok = r.StartDelay, true
		}
	}
	return earliest, ok
}

// notifyGaps lists how u misses n: missing holds the required contact
// types u has no rule for ("push"; "phone or sms" for require_any), late
// the ones that start after n.MaxStartDelay ("sms starts after 5m"). An
// unmet require_any is late when u has any of its types, all too late:
// starting one of them sooner is the fix.
func notifyGaps(u *User, n *NotifyStandard) (missing, late []string) {
	g := contactGaps{u: u, n: n, urgency: n.urgency()}
	for _, t := range n.RequireAll {
		if !g.met(t) {
			g.note(t)
		}
	}
	if len(n.RequireAny) == 0 || slices.ContainsFunc(n.RequireAny, g.met) {
		return g.missing, g.late
	}
	if slices.ContainsFunc(n.RequireAny, g.has) {
		for _, t := range n.RequireAny {
			if g.has(t) {
				g.note(t)
			}
		}
	} else {
		g.missing = appendOnce(g.missing, strings.Join(n.RequireAny, " or "))
	}
	return g.missing, g.late
}

// contactGaps collects what one user misses of a NotifyStandard.
type contactGaps struct {
	u             *User
	n             *NotifyStandard
	urgency       string
	missing, late []string
}

// met reports whether u is reached by t in time.
func (g *contactGaps) met(t string) bool {
	d, ok := reach(g.u, g.urgency, t)
	return ok && (g.n.MaxStartDelay <= 0 || d <= g.n.MaxStartDelay)
}

// has reports whether u has a rule for t, in time or not.
func (g *contactGaps) has(t string) bool {
	_, ok := reach(g.u, g.urgency, t)
	return ok
}

// note records an unmet contact type t as missing or late.
func (g *contactGaps) note(t string) {
	d, ok := reach(g.u, g.urgency, t)
	if !ok {
		g.missing = appendOnce(g.missing, t)
		return
	}
	g.late = appendOnce(g.late, fmt.Sprintf("%s starts after %s", t, formatDuration(d)))
}

// appendOnce appends s to list unless it is already there.
func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// notifyDetail words what who misses: "Ana Lima (ana@example.com) has no
// push notification for high-urgency pages; sms starts after 5m, at most
// 1m allowed".
func notifyDetail(who string, n *NotifyStandard, missing, late []string) string {
	var b strings.Builder
	b.WriteString(who)
	if len(missing) > 0 {
		nos := make([]string, len(missing))
		for i, m := range missing {
			nos[i] = "no " + m + " notification"
		}
		fmt.Fprintf(&b, " has %s for %s-urgency pages", joinAnd(nos), n.urgency())
		if len(late) > 0 {
			b.WriteString("; ")
		}
	} else {
		fmt.Fprintf(&b, " is notified too late for %s-urgency pages: ", n.urgency())
	}
	if len(late) > 0 {
		fmt.Fprintf(&b, "%s, at most %s allowed", strings.Join(late, ", "), formatDuration(n.MaxStartDelay))
	}
	return b.String()
}

// userLabel names a user in a detail: "Ana Lima (ana@example.com)".
func userLabel(u *User) string {
	name := cmp.Or(u.Name, u.ID)
	if u.Email == "" {
		return name
	}
	return name + " (" + u.Email + ")"
}

// refLabel names a user known only by reference: "Ana Lima (PABC123)".
func refLabel(r Ref) string {
	if r.Name == "" {
		return "User " + r.ID
	}
	return r.Name + " (" + r.ID + ")"
}
