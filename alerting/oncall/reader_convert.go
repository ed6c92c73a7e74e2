package oncall

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// convertPolicy turns PagerDuty's escalation policy into a Policy; teams
// maps team IDs to names. A team missing there (created after the teams
// were listed) is named by its ID: PagerDuty's team references carry a
// summary, but go-pagerduty v1.8.0 decodes them as APIReference, which
// keeps only the ID and type.
func convertPolicy(ep pagerduty.EscalationPolicy, teams map[string]string) Policy {
	p := Policy{ID: ep.ID, Name: cmpName(ep.Name, ep.Summary), NumLoops: int(ep.NumLoops)}
	for _, t := range ep.Teams {
		p.Teams = append(p.Teams, Ref{ID: t.ID, Name: cmpName(teams[t.ID], t.ID)})
	}
	for _, r := range ep.EscalationRules {
		rule := Rule{Delay: time.Duration(r.Delay) * time.Minute}
		for _, t := range r.Targets {
			rule.Targets = append(rule.Targets, Target{Type: targetType(t.Type), Ref: Ref{ID: t.ID, Name: t.Summary}})
		}
		p.Rules = append(p.Rules, rule)
	}
	return p
}

// cmpName returns name, or fallback when name is empty.
func cmpName(name, fallback string) string {
	if name == "" {
		return fallback
	}
	return name
}

// targetType maps PagerDuty's target types (user_reference,
// schedule_reference, or the full object types) to TargetUser and
// TargetSchedule; another type is kept without its _reference suffix.
func targetType(pd string) string {
	switch t := strings.TrimSuffix(pd, "_reference"); t {
	case "user":
		return TargetUser
	case "schedule":
		return TargetSchedule
	default:
		return t
	}
}

// convertSchedule turns PagerDuty's schedule into a Schedule: the final
// schedule's entries clipped to [since, until), sorted by start.
func convertSchedule(s *pagerduty.Schedule, since, until time.Time) (Schedule, error) {
	out := Schedule{Ref: Ref{ID: s.ID, Name: cmpName(s.Name, s.Summary)}, Until: until}
	for i, e := range s.FinalSchedule.RenderedScheduleEntries {
		start, err1 := time.Parse(time.RFC3339, e.Start)
		end, err2 := time.Parse(time.RFC3339, e.End)
		if err1 != nil || err2 != nil {
			return Schedule{}, fmt.Errorf("final schedule entry %d: start %q, end %q: want RFC 3339 times", i, e.Start, e.End)
		}
		start, end = clipShift(start.UTC(), end.UTC(), since, until)
		if start.Before(end) {
			out.Entries = append(out.Entries, Shift{Start: start, End: end, User: Ref{ID: e.User.ID, Name: e.User.Summary}})
		}
	}
	slices.SortStableFunc(out.Entries, func(a, b Shift) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// clipShift clips [start, end) to [since, until).
func clipShift(start, end, since, until time.Time) (time.Time, time.Time) {
	if start.Before(since) {
		start = since
	}
	if end.After(until) {
		end = until
	}
	return start, end
}

// convertUser turns PagerDuty's user, listed with its notification rules,
// into a User.
func convertUser(u pagerduty.User) User {
	out := User{Ref: Ref{ID: u.ID, Name: cmpName(u.Name, u.Summary)}, Email: u.Email}
	for _, nr := range u.NotificationRules {
		out.Rules = append(out.Rules, NotificationRule{
			Urgency:    nr.Urgency,
			StartDelay: time.Duration(nr.StartDelayInMinutes) * time.Minute,
			Contact:    contactType(nr.ContactMethod.Type),
		})
	}
	return out
}

// contactType maps PagerDuty's contact method types, full or *_reference,
// to ContactPhone, ContactSMS, ContactEmail and ContactPush; another type
// is kept without its _reference suffix, and meets no requirement.
func contactType(pd string) string {
	switch t := strings.TrimSuffix(pd, "_reference"); t {
	case "phone_contact_method":
		return ContactPhone
	case "sms_contact_method":
		return ContactSMS
	case "email_contact_method":
		return ContactEmail
	case "push_notification_contact_method":
		return ContactPush
	default:
		return t
	}
}

// targetIDs are the IDs of the policies' targets of type typ, in order of
// first appearance.
func targetIDs(policies []Policy, typ string) []string {
	var ids []string
	for _, p := range policies {
		for _, r := range p.Rules {
			for _, t := range r.Targets {
				if t.Type == typ && !slices.Contains(ids, t.ID) {
					ids = append(ids, t.ID)
				}
			}
		}
	}
	return ids
}

// reachableUsers returns the IDs of every user the policies reach: the
// users rules target, and the users on call in the schedules' entries.
func reachableUsers(policies []Policy, schedules map[string]Schedule) map[string]bool {
	users := map[string]bool{}
	for _, id := range targetIDs(policies, TargetUser) {
		users[id] = true
	}
	for _, s := range schedules {
		for _, e := range s.Entries {
			users[e.User.ID] = true
		}
	}
	return users
}
