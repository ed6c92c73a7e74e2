package oncall

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// taken is when the test snapshots are read.
var taken = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func userTarget(id, name string) Target {
	return Target{Type: TargetUser, Ref: Ref{ID: id, Name: name}}
}

func scheduleTarget(id, name string) Target {
	return Target{Type: TargetSchedule, Ref: Ref{ID: id, Name: name}}
}

func rule(delay time.Duration, targets ...Target) Rule {
	return Rule{Delay: delay, Targets: targets}
}

// policyWith returns a policy "Web" of team "web" with the given rules.
func policyWith(rules ...Rule) Policy {
	return Policy{ID: "PWEB", Name: "Web", Teams: []Ref{{ID: "PTWEB", Name: "web"}}, Rules: rules}
}

// details checks snap against standards and returns "CHECK: DETAIL" for
// every violation, in the report's order.
func details(snap *Snapshot, standards ...Standard) []string {
	r := Check(snap, standards)
	out := []string{}
	for _, v := range r.Violations {
		out = append(out, v.Check+": "+v.Detail)
	}
	return out
}

func TestCheckNothingToCheck(t *testing.T) {
	s := []Standard{{Name: "all", MinLayers: 1}}
	for name, snap := range map[string]*Snapshot{
		"nil snapshot": nil,
		"no policies":  {Taken: taken},
	} {
		t.Run(name, func(t *testing.T) {
			r := Check(snap, s)
			require.Equal(t, Report{Checked: 0, Violations: []Violation{}}, r)
			b, err := json.Marshal(r)
			require.NoError(t, err)
			require.JSONEq(t, `{"checked":0,"violations":[]}`, string(b))
		})
	}
}

func TestCheckLayers(t *testing.T) {
	s := Standard{Name: "critical", MinLayers: 3}
	u := userTarget("PU1", "Ana")
	for _, tc := range []struct {
		name string
		p    Policy
		want []string
	}{
		{"no layer", policyWith(), []string{`layers: 0 escalation layers; the standard "critical" requires at least 3`}},
		{"one layer", policyWith(rule(time.Minute, u)), []string{`layers: 1 escalation layer; the standard "critical" requires at least 3`}},
		{"two layers", policyWith(rule(time.Minute, u), rule(time.Minute, u)),
			[]string{`layers: 2 escalation layers; the standard "critical" requires at least 3`}},
		{"exactly three", policyWith(rule(time.Minute, u), rule(time.Minute, u), rule(time.Minute, u)), []string{}},
		{"four", policyWith(rule(time.Minute, u), rule(time.Minute, u), rule(time.Minute, u), rule(time.Minute, u)), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, details(&Snapshot{Taken: taken, Policies: []Policy{tc.p}}, s))
		})
	}
}

func TestCheckLayerDelay(t *testing.T) {
	s := Standard{Name: "critical", MaxLayerDelay: 15 * time.Minute}
	u := userTarget("PU1", "Ana")
	loop := func(p Policy, n int) Policy { p.NumLoops = n; return p }
	for _, tc := range []struct {
		name string
		p    Policy
		want []string
	}{
		{"exactly at the limit", policyWith(rule(15*time.Minute, u), rule(15*time.Minute, u)), []string{}},
		{"one layer too slow", policyWith(rule(10*time.Minute, u), rule(30*time.Minute, u), rule(5*time.Minute, u)),
			[]string{`layer_delay: Layer 2 waits 30m before escalating; the standard "critical" allows at most 15m`}},
		{"every slow layer", policyWith(rule(16*time.Minute, u), rule(90*time.Minute, u), rule(time.Minute, u)),
			[]string{
				`layer_delay: Layer 1 waits 16m before escalating; the standard "critical" allows at most 15m`,
				`layer_delay: Layer 2 waits 1h30m before escalating; the standard "critical" allows at most 15m`,
			}},
		{"the last layer does not escalate", policyWith(rule(5*time.Minute, u), rule(60*time.Minute, u)), []string{}},
		{"the last layer escalates when the policy loops", loop(policyWith(rule(5*time.Minute, u), rule(60*time.Minute, u)), 1),
			[]string{`layer_delay: Layer 2 waits 1h before escalating; the standard "critical" allows at most 15m`}},
		{"a single looping layer", loop(policyWith(rule(30*time.Minute, u)), 2),
			[]string{`layer_delay: Layer 1 waits 30m before escalating; the standard "critical" allows at most 15m`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, details(&Snapshot{Taken: taken, Policies: []Policy{tc.p}}, s))
		})
	}
}

// TestCheckLayerDelaySkipsTheLastLayerUnlessThePolicyLoops pins what
// Standard.MaxLayerDelay documents: PagerDuty waits out the last rule's
// delay only to loop back to the first, so without loops it is not
// checked, however long.
func TestCheckLayerDelaySkipsTheLastLayerUnlessThePolicyLoops(t *testing.T) {
	s := Standard{Name: "critical", MaxLayerDelay: 15 * time.Minute}
	u := userTarget("PU1", "Ana")
	p := policyWith(rule(5*time.Minute, u), rule(24*time.Hour, u))
	require.Equal(t, []string{}, details(&Snapshot{Taken: taken, Policies: []Policy{p}}, s))
	p.NumLoops = 1
	require.Equal(t, []string{`layer_delay: Layer 2 waits 24h before escalating; the standard "critical" allows at most 15m`},
		details(&Snapshot{Taken: taken, Policies: []Policy{p}}, s))
}

func TestCheckChainDelay(t *testing.T) {
	s := Standard{Name: "critical", MaxChain: 30 * time.Minute}
	u := userTarget("PU1", "Ana")
	for _, tc := range []struct {
		name string
		p    Policy
		want []string
	}{
		{"one layer is reached at once", policyWith(rule(time.Hour, u)), []string{}},
		{"exactly at the limit", policyWith(rule(20*time.Minute, u), rule(10*time.Minute, u), rule(time.Hour, u)), []string{}},
		{"too slow", policyWith(rule(20*time.Minute, u), rule(25*time.Minute, u), rule(time.Minute, u)),
			[]string{`chain_delay: The last of 3 layers is reached after 45m; the standard "critical" allows at most 30m`}},
		{"the last delay does not count", policyWith(rule(30*time.Minute, u), rule(4*time.Hour, u)), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, details(&Snapshot{Taken: taken, Policies: []Policy{tc.p}}, s))
		})
	}
}

func TestCheckLoops(t *testing.T) {
	s := Standard{Name: "critical", MinLoops: 2}
	for n, want := range map[int][]string{
		0: {`loops: The policy repeats 0 times after its last layer; the standard "critical" requires at least 2`},
		1: {`loops: The policy repeats 1 time after its last layer; the standard "critical" requires at least 2`},
		2: {},
		5: {},
	} {
		p := policyWith(rule(time.Minute, userTarget("PU1", "Ana")))
		p.NumLoops = n
		require.Equal(t, want, details(&Snapshot{Taken: taken, Policies: []Policy{p}}, s), "num_loops %d", n)
	}
}

func TestCheckZeroStandardChecksNothing(t *testing.T) {
	p := policyWith(rule(time.Hour, scheduleTarget("PMISSING", "Gone")))
	r := Check(&Snapshot{Taken: taken, Policies: []Policy{p}}, []Standard{{Name: "lenient"}})
	require.Equal(t, Report{Checked: 1, Violations: []Violation{}}, r)
}

func TestCheckFirstSelectingStandardApplies(t *testing.T) {
	u := userTarget("PU1", "Ana")
	web := Policy{ID: "PWEB", Name: "Web", Teams: []Ref{{ID: "PTWEB", Name: "web"}}, Rules: []Rule{rule(time.Minute, u)}}
	db := Policy{ID: "PDB", Name: "Database", Teams: []Ref{{ID: "PTDB", Name: "storage"}}, Rules: []Rule{rule(time.Minute, u)}}
	batch := Policy{ID: "PBATCH", Name: "Batch", Rules: []Rule{rule(time.Minute, u)}}
	standards := []Standard{
		{Name: "critical", Teams: []string{"web"}, MinLayers: 3},
		{Name: "database", Policies: []string{"PDB"}, MinLayers: 2},
		{Name: "web again", Teams: []string{"web"}, MinLayers: 5}, // never applies: "critical" comes first
	}
	r := Check(&Snapshot{Taken: taken, Policies: []Policy{web, db, batch}}, standards)
	require.Equal(t, Report{Checked: 2, Violations: []Violation{
		{PolicyID: "PDB", Policy: "Database", Team: "storage", Standard: "database", Check: CheckLayers,
			Detail: `1 escalation layer; the standard "database" requires at least 2`},
		{PolicyID: "PWEB", Policy: "Web", Team: "web", Standard: "critical", Check: CheckLayers,
			Detail: `1 escalation layer; the standard "critical" requires at least 3`},
	}}, r)
}

func TestCheckSortsViolations(t *testing.T) {
	u := userTarget("PU1", "Ana")
	slow := []Rule{rule(time.Hour, u), rule(time.Hour, u)}
	policies := []Policy{
		{ID: "PB2", Name: "B", Rules: slow},
		{ID: "PA", Name: "A", Teams: []Ref{{ID: "PT1", Name: "web"}, {ID: "PT2", Name: "ops"}}, Rules: slow},
		{ID: "PB1", Name: "B", Teams: []Ref{{ID: "PT3"}}, Rules: slow},
	}
	standard := Standard{Name: "s", MinLayers: 3, MaxLayerDelay: time.Minute, MaxChain: time.Minute, MinLoops: 1}
	r := Check(&Snapshot{Taken: taken, Policies: policies}, []Standard{standard})
	var got [][4]string
	for _, v := range r.Violations {
		require.Equal(t, "s", v.Standard)
		got = append(got, [4]string{v.Policy, v.PolicyID, v.Team, v.Check})
	}
	require.Equal(t, 3, r.Checked)
	require.Equal(t, [][4]string{
		{"A", "PA", "web", CheckChainDelay},
		{"A", "PA", "web", CheckLayerDelay},
		{"A", "PA", "web", CheckLayers},
		{"A", "PA", "web", CheckLoops},
		{"B", "PB1", "", CheckChainDelay},
		{"B", "PB1", "", CheckLayerDelay},
		{"B", "PB1", "", CheckLayers},
		{"B", "PB1", "", CheckLoops},
		{"B", "PB2", "", CheckChainDelay},
		{"B", "PB2", "", CheckLayerDelay},
		{"B", "PB2", "", CheckLayers},
		{"B", "PB2", "", CheckLoops},
	}, got)
}

func TestCheckSortsDetailsWithinACheck(t *testing.T) {
	u := userTarget("PU1", "Ana")
	p := policyWith(rule(time.Hour, u), rule(2*time.Hour, u), rule(time.Minute, u))
	p.NumLoops = 1
	p.Rules[2].Delay = 3 * time.Hour
	require.Equal(t, []string{
		`layer_delay: Layer 1 waits 1h before escalating; the standard "s" allows at most 1m`,
		`layer_delay: Layer 2 waits 2h before escalating; the standard "s" allows at most 1m`,
		`layer_delay: Layer 3 waits 3h before escalating; the standard "s" allows at most 1m`,
	}, details(&Snapshot{Taken: taken, Policies: []Policy{p}}, Standard{Name: "s", MaxLayerDelay: time.Minute}))
}
