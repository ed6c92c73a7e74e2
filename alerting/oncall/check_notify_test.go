package oncall

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func notifyRule(urgency, contact string, start time.Duration) NotificationRule {
	return NotificationRule{Urgency: urgency, Contact: contact, StartDelay: start}
}

func person(id, name, email string, rules ...NotificationRule) User {
	return User{Ref: Ref{ID: id, Name: name}, Email: email, Rules: rules}
}

// critical requires push, and phone or sms, within a minute of a
// high-urgency page.
var critical = Standard{Name: "critical", Notify: &NotifyStandard{
	RequireAny: []string{ContactPhone, ContactSMS}, RequireAll: []string{ContactPush}, MaxStartDelay: time.Minute,
}}

// notifyDetails checks one user, targeted directly, against n.
func notifyDetails(u User, n NotifyStandard) []string {
	snap := &Snapshot{
		Taken:    taken,
		Policies: []Policy{policyWith(rule(time.Minute, userTarget(u.ID, u.Name)))},
		Users:    map[string]User{u.ID: u},
	}
	return details(snap, Standard{Name: "critical", Notify: &n})
}

func TestCheckNotificationPerUser(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []NotificationRule
		want  []string
	}{
		{"compliant", []NotificationRule{notifyRule("high", ContactPush, 0), notifyRule("high", ContactSMS, 0)}, []string{}},
		{"exactly at max_start_delay", []NotificationRule{notifyRule("high", ContactPush, time.Minute), notifyRule("high", ContactPhone, time.Minute)}, []string{}},
		{"a late rule beside one in time", []NotificationRule{
			notifyRule("high", ContactPush, 10*time.Minute), notifyRule("high", ContactPush, 0), notifyRule("high", ContactPhone, 0),
		}, []string{}},
		{"e-mail only", []NotificationRule{notifyRule("high", ContactEmail, 0)}, []string{
			`notification: Ana Lima (ana@example.com) has no push notification and no phone or sms notification for high-urgency pages`,
		}},
		{"no rules at all", nil, []string{
			`notification: Ana Lima (ana@example.com) has no push notification and no phone or sms notification for high-urgency pages`,
		}},
		{"only low-urgency rules", []NotificationRule{notifyRule("low", ContactPush, 0), notifyRule("low", ContactPhone, 0)}, []string{
			`notification: Ana Lima (ana@example.com) has no push notification and no phone or sms notification for high-urgency pages`,
		}},
		{"no phone or sms", []NotificationRule{notifyRule("high", ContactPush, 0)}, []string{
			`notification: Ana Lima (ana@example.com) has no phone or sms notification for high-urgency pages`,
		}},
		{"missing and too late", []NotificationRule{notifyRule("high", ContactSMS, 5*time.Minute)}, []string{
			`notification: Ana Lima (ana@example.com) has no push notification for high-urgency pages; sms starts after 5m, at most 1m allowed`,
		}},
		{"one of require_any missing, the other late", []NotificationRule{notifyRule("high", ContactPush, 0), notifyRule("high", ContactSMS, 3*time.Minute)}, []string{
			`notification: Ana Lima (ana@example.com) is notified too late for high-urgency pages: sms starts after 3m, at most 1m allowed`,
		}},
		{"only too late", []NotificationRule{
			notifyRule("high", ContactPush, 2*time.Minute), notifyRule("high", ContactSMS, 5*time.Minute),
			notifyRule("high", ContactPhone, 10*time.Minute), notifyRule("high", ContactSMS, 7*time.Minute),
		}, []string{
			`notification: Ana Lima (ana@example.com) is notified too late for high-urgency pages: push starts after 2m, phone starts after 10m, sms starts after 5m, at most 1m allowed`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := person("PANA", "Ana Lima", "ana@example.com", tc.rules...)
			require.Equal(t, tc.want, notifyDetails(u, *critical.Notify))
		})
	}
}

func TestCheckNotificationUrgencyAndDelay(t *testing.T) {
	rules := []NotificationRule{notifyRule("low", ContactEmail, 30*time.Minute), notifyRule("high", ContactPush, 0)}
	u := person("PANA", "Ana Lima", "", rules...)

	// Low urgency: only the low-urgency rules count; no max_start_delay
	// means any start delay does.
	require.Equal(t, []string{}, notifyDetails(u, NotifyStandard{Urgency: "low", RequireAll: []string{ContactEmail}}))
	require.Equal(t, []string{
		`notification: Ana Lima has no push notification for low-urgency pages`,
	}, notifyDetails(u, NotifyStandard{Urgency: "low", RequireAny: []string{ContactPush}}))
	// Urgency unset is high.
	require.Equal(t, []string{
		`notification: Ana Lima has no email notification for high-urgency pages`,
	}, notifyDetails(u, NotifyStandard{RequireAll: []string{ContactEmail, ContactPush}}))
	// Several require_all types missing, each named once.
	require.Equal(t, []string{
		`notification: Ana Lima has no sms notification, no phone notification and no sms or phone notification for high-urgency pages`,
	}, notifyDetails(u, NotifyStandard{RequireAll: []string{ContactSMS, ContactPhone, ContactSMS}, RequireAny: []string{ContactSMS, ContactPhone}}))
}

func TestCheckNotificationReachesUsersThroughSchedules(t *testing.T) {
	week := 7 * 24 * time.Hour
	primary := Schedule{
		Ref: Ref{ID: "PSPRI", Name: "Web primary"},
		Entries: []Shift{
			{Start: taken, End: taken.Add(week), User: Ref{ID: "PCY", Name: "Cy Park"}},
			{Start: taken.Add(week), End: taken.Add(2 * week), User: Ref{ID: "PBO", Name: "Bo Chen"}},
			{Start: taken.Add(2 * week), End: taken.Add(3 * week), User: Ref{ID: "PCY", Name: "Cy Park"}},
		},
		Until: taken.Add(3 * week),
	}
	p := policyWith(
		rule(time.Minute, scheduleTarget("PSPRI", "Web primary"), userTarget("PANA", "Ana Lima")),
		rule(time.Minute, userTarget("PBO", "Bo Chen"), scheduleTarget("PSGONE", "Web secondary"), userTarget("PDAN", "Dan Roe")),
		rule(time.Minute, scheduleTarget("PSPRI", "Web primary"), userTarget("PNONAME", "")),
	)
	good := []NotificationRule{notifyRule("high", ContactPush, 0), notifyRule("high", ContactPhone, 0)}
	snap := &Snapshot{
		Taken:     taken,
		Policies:  []Policy{p},
		Schedules: map[string]Schedule{"PSPRI": primary},
		Users: map[string]User{
			"PANA": person("PANA", "Ana Lima", "ana@example.com", good...),
			"PBO":  person("PBO", "Bo Chen", "bo@example.com", notifyRule("high", ContactEmail, 0)),
			"PCY":  person("PCY", "Cy Park", "cy@example.com", notifyRule("high", ContactPush, 0)),
		},
	}
	require.Equal(t, []string{
		`notification: Bo Chen (bo@example.com) has no push notification and no phone or sms notification for high-urgency pages`,
		`notification: Cy Park (cy@example.com) has no phone or sms notification for high-urgency pages`,
		`notification: Dan Roe (PDAN): no notification rules could be read`,
		`notification: Schedule "Web secondary" could not be read, so the responders on it could not be checked`,
		`notification: User PNONAME: no notification rules could be read`,
	}, details(snap, critical))

	c := checker{snap: snap, p: &snap.Policies[0], s: &critical}
	users, unread := c.responders()
	require.Equal(t, []Ref{
		{ID: "PCY", Name: "Cy Park"}, {ID: "PBO", Name: "Bo Chen"}, {ID: "PANA", Name: "Ana Lima"}, {ID: "PDAN", Name: "Dan Roe"}, {ID: "PNONAME"},
	}, users)
	require.Equal(t, []Ref{{ID: "PSGONE", Name: "Web secondary"}}, unread)
}
