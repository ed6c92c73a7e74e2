package sevbridge

import (
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func alertEvent(sec int, firing, suppressed bool, kv ...string) AlertEvent {
	return AlertEvent{Labels: labels.FromStrings(kv...), Firing: firing, Suppressed: suppressed, At: atSec(sec)}
}

// TestEngineAlerts: a durability alert files a SEV (no BMOC, TLOC from the
// team label); a suppressed one, one without SEV labels and one with a bad
// level file nothing; a more severe alert of the same type joins and
// raises; the SEV is mitigated when both resolved and resolved later.
func TestEngineAlerts(t *testing.T) {
	disk := []string{"alertname", "DiskCorrupt", "sev_type", "durability", "sev_level", "1", "team", "storage"}
	lost := []string{"alertname", "BucketLost", "sev_type", "durability", "sev_level", "0", "team", "storage"}
	events := map[int][]AlertEvent{
		0: {
			alertEvent(0, true, false, disk...),
			alertEvent(0, true, true, "alertname", "Quiet", "sev_type", "security", "sev_level", "0"),
			alertEvent(0, true, false, "alertname", "Plain", "severity", "page"),
			alertEvent(0, true, false, "alertname", "Odd", "sev_type", "security", "sev_level", "5"),
			alertEvent(0, true, false, "alertname", "Odd", "sev_type", "outage", "sev_level", "1"),
		},
		10: {alertEvent(10, true, false, disk...)}, // repeated: nothing
		20: {alertEvent(20, true, false, lost...)},
		60: {alertEvent(60, false, false, disk...)},
		80: {alertEvent(80, false, false, lost...)},
	}
	e := NewEngine(engPolicy(t), nil, 1)
	for sec := 0; sec <= 400; sec += 10 {
		got := renderChanges(e.Step(atSec(sec), nil, events[sec]))
		require.Equal(t, wantAlerts[sec], got, "step at %ds", sec)
	}
	require.Empty(t, e.Active())
}

// TestEngineAlertsRestart: a restarted engine keeps an alert SEV open
// until its alert resolves, without paging again.
func TestEngineAlertsRestart(t *testing.T) {
	p := engPolicy(t)
	sec := []string{"alertname", "TokenLeak", "sev_type", "security", "sev_level", "2"}
	e := NewEngine(p, nil, 1)
	cs := e.Step(atSec(0), nil, []AlertEvent{alertEvent(0, true, false, sec...)})
	require.Len(t, cs, 1)
	require.Equal(t, []Impact{{Scope: ScopeAlert, Level: 2, Alert: `{alertname="TokenLeak", sev_level="2", sev_type="security"}`}}, cs[0].SEV.Impact)
	e = NewEngine(p, []*SEV{roundTrip(t, cs[0].SEV)}, 2)
	require.Empty(t, e.Step(atSec(10), nil, []AlertEvent{alertEvent(10, true, false, sec...)}))
	require.Empty(t, e.Step(atSec(600), nil, nil))
	got := renderChanges(e.Step(atSec(610), nil, []AlertEvent{alertEvent(610, false, false, sec...)}))
	require.Equal(t, []string{
		`SEV-1 security L2 mitigated routes=[] roles=ben/eve/ title="Alert TokenLeak firing"`,
		"  @10m10s mitigated vigil: alerts resolved",
	}, got)
	got = renderChanges(e.Step(atSec(910), nil, nil))
	require.Equal(t, []string{
		`SEV-1 security L2 resolved routes=[] roles=ben/eve/ title="Alert TokenLeak firing"`,
		"  @15m10s resolved vigil: mitigated for 5m0s",
		"  ! resolve imoc SEV-1-imoc KEY-IMOC",
		"  ! resolve tloc SEV-1-tloc KEY-TLOC",
		`  ! post     Resolved SEV-1 (security, level 2): Alert TokenLeak firing`,
		"  ! postmortem",
	}, got)
}

var wantAlerts = map[int][]string{
	0: {
		"SEV-1 new durability L1 open routes=[] roles=ben/sam/ title=\"Alert DiskCorrupt firing\"",
		"  @0s impact_started vigil: Alert DiskCorrupt firing",
		"  @0s detected vigil: Alert DiskCorrupt firing",
		"  @0s filed vigil: durability level 1: Alert DiskCorrupt firing",
		"  @0s paged vigil: imoc ben SEV-1-imoc critical",
		"  @0s paged vigil: tloc sam SEV-1-tloc critical",
		"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (durability, level 1): Alert DiskCorrupt firing",
		"  ! trigger tloc SEV-1-tloc KEY-STORAGE critical SEV-1 (durability, level 1): Alert DiskCorrupt firing",
		"  ! post     Filed SEV-1 (durability, level 1): Alert DiskCorrupt firing",
		"  ! postmortem",
	},
	20: {
		"SEV-1 durability L0 open routes=[] roles=ben/sam/ title=\"Alert DiskCorrupt firing\"",
		"  @20s note vigil: joined: Alert BucketLost firing",
		"  @20s level_changed vigil: level 1 → 0",
		"  @20s paged vigil: imoc ben SEV-1-imoc critical",
		"  @20s paged vigil: tloc sam SEV-1-tloc critical",
		"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (durability, level 0): Alert DiskCorrupt firing",
		"  ! trigger tloc SEV-1-tloc KEY-STORAGE critical SEV-1 (durability, level 0): Alert DiskCorrupt firing",
	},
	80: {
		"SEV-1 durability L0 mitigated routes=[] roles=ben/sam/ title=\"Alert DiskCorrupt firing\"",
		"  @1m20s mitigated vigil: alerts resolved",
	},
	380: {
		"SEV-1 durability L0 resolved routes=[] roles=ben/sam/ title=\"Alert DiskCorrupt firing\"",
		"  @6m20s resolved vigil: mitigated for 5m0s",
		"  ! resolve imoc SEV-1-imoc KEY-IMOC",
		"  ! resolve tloc SEV-1-tloc KEY-STORAGE",
		"  ! post     Resolved SEV-1 (durability, level 0): Alert DiskCorrupt firing",
		"  ! postmortem",
	},
}
