package oncall_test

import (
	"fmt"
	"time"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// Check applies the first standard that selects each policy: the web
// team's policy meets the strict "critical" standard but for one
// responder and one gap in its schedule; the batch policy, which only the
// lenient "baseline" selects, has a single layer.
func ExampleCheck() {
	taken := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ana := oncall.Ref{ID: "PANA", Name: "Ana Lima"}
	bo := oncall.Ref{ID: "PBO", Name: "Bo Chen"}
	pager := []oncall.NotificationRule{
		{Urgency: "high", Contact: oncall.ContactPush},
		{Urgency: "high", Contact: oncall.ContactPhone},
	}
	snap := &oncall.Snapshot{
		Taken: taken,
		Policies: []oncall.Policy{
			{ID: "PWEB", Name: "Web", Teams: []oncall.Ref{{ID: "PTWEB", Name: "web"}}, NumLoops: 1, Rules: []oncall.Rule{
				{Delay: 10 * time.Minute, Targets: []oncall.Target{{Type: oncall.TargetSchedule, Ref: oncall.Ref{ID: "PSWEB", Name: "Web primary"}}}},
				{Delay: 10 * time.Minute, Targets: []oncall.Target{{Type: oncall.TargetUser, Ref: ana}}},
			}},
			{ID: "PBATCH", Name: "Batch", Rules: []oncall.Rule{
				{Delay: 30 * time.Minute, Targets: []oncall.Target{{Type: oncall.TargetUser, Ref: ana}}},
			}},
		},
		Schedules: map[string]oncall.Schedule{"PSWEB": {
			Ref: oncall.Ref{ID: "PSWEB", Name: "Web primary"},
			Entries: []oncall.Shift{
				{Start: taken, End: taken.Add(7 * day), User: ana},
				{Start: taken.Add(7*day + 12*time.Hour), End: taken.Add(14 * day), User: bo},
			},
			Until: taken.Add(14 * day),
		}},
		Users: map[string]oncall.User{
			"PANA": {Ref: ana, Email: "ana@example.com", Rules: pager},
			"PBO": {Ref: bo, Email: "bo@example.com", Rules: []oncall.NotificationRule{
				{Urgency: "high", Contact: oncall.ContactEmail},
			}},
		},
	}
	standards := []oncall.Standard{
		{
			Name: "critical", Teams: []string{"web"},
			MinLayers: 2, MaxLayerDelay: 15 * time.Minute, MaxChain: 30 * time.Minute,
			Notify: &oncall.NotifyStandard{
				RequireAny: []string{oncall.ContactPhone, oncall.ContactSMS}, RequireAll: []string{oncall.ContactPush},
				MaxStartDelay: time.Minute,
			},
			ScheduleCoverage: 1, CoverageWindow: 14 * day,
		},
		{Name: "baseline", MinLayers: 2},
	}

	r := oncall.Check(snap, standards)
	fmt.Printf("%d policies checked\n", r.Checked)
	for _, v := range r.Violations {
		fmt.Printf("%s [%s] %s (%s): %s\n", v.Policy, v.Team, v.Check, v.Standard, v.Detail)
	}
	// Output:
	// 2 policies checked
	// Batch [] layers (baseline): 1 escalation layer; the standard "baseline" requires at least 2
	// Web [web] coverage (critical): Schedule "Web primary" covers 96.4% of the next 336h (needs 100%): nobody on call 2026-11-27 08:00–20:00 UTC (12h)
	// Web [web] notification (critical): Bo Chen (bo@example.com) has no push notification and no phone or sms notification for high-urgency pages
}
