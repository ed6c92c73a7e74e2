package sevbridge

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// fakeStandards answers ViolationsOf from a map keyed by the configured
// escalation_policy (good.yml: imoc "SEV IMOC", tloc "PTLOC01", the /login
// team "Identity", bmoc none).
type fakeStandards map[string][]oncall.Violation

func (f fakeStandards) ViolationsOf(policy string) []oncall.Violation { return f[policy] }

var (
	imocLayers = oncall.Violation{PolicyID: "PIMOC01", Policy: "SEV IMOC", Team: "sre", Standard: "critical", Check: oncall.CheckLayers,
		Detail: `1 escalation layer; the standard "critical" requires at least 2`}
	imocNotify = oncall.Violation{PolicyID: "PIMOC01", Policy: "SEV IMOC", Team: "sre", Standard: "critical", Check: oncall.CheckNotification,
		Detail: "Ana Lima (ana@example.com) has no phone or sms notification for high-urgency pages"}
	identityDelay = oncall.Violation{PolicyID: "PIDENT1", Policy: "Identity", Team: "identity", Standard: "critical", Check: oncall.CheckLayerDelay,
		Detail: "Layer 1 waits 30m before escalating; at most 15m allowed"}
)

const (
	imocWarning = `IMOC is paged through escalation policy "SEV IMOC", which misses its on-call standard "critical": ` +
		`layers: 1 escalation layer; the standard "critical" requires at least 2; ` +
		`notification: Ana Lima (ana@example.com) has no phone or sms notification for high-urgency pages`
	imocNotifyWarning = `IMOC is paged through escalation policy "SEV IMOC", which misses its on-call standard "critical": ` +
		`notification: Ana Lima (ana@example.com) has no phone or sms notification for high-urgency pages`
	identityWarning = `TLOC is paged through escalation policy "Identity", which misses its on-call standard "critical": ` +
		`layer_delay: Layer 1 waits 30m before escalating; at most 15m allowed`
)

// TestEngineOnCallWarning: a paged role whose policy misses its standard
// gets one warning after its paged entry; a compliant policy and a rotation
// without escalation_policy get none; a re-page repeats a warning only when
// it changed, also after a restart.
func TestEngineOnCallWarning(t *testing.T) {
	p := engPolicy(t)
	std := fakeStandards{"SEV IMOC": {imocNotify, imocLayers}} // unsorted: the warning sorts by check
	e := NewEngine(p, nil, 1)
	e.SetOnCallStandards(std)
	c := e.Declare(atSec(0), "joey", TypeAvailability, 2, "Login down", []string{"/login"})
	require.Equal(t, []string{
		`SEV-1 new availability L2 open routes=[/login] roles=ben/dan/cat title="Login down"`,
		"  @0s filed joey: availability level 2: Login down",
		"  @0s paged vigil: imoc ben SEV-1-imoc error",
		"  @0s oncall_warning vigil: " + imocWarning,
		"  @0s paged vigil: tloc dan SEV-1-tloc error",
		"  @0s paged vigil: bmoc cat SEV-1-bmoc error",
		"  ! trigger imoc SEV-1-imoc KEY-IMOC error SEV-1 (availability, level 2): Login down",
		"  ! trigger tloc SEV-1-tloc KEY-LOGIN error SEV-1 (availability, level 2): Login down",
		"  ! trigger bmoc SEV-1-bmoc KEY-BMOC error SEV-1 (availability, level 2): Login down",
		"  ! post     Filed SEV-1 (availability, level 2): Login down",
		"  ! postmortem",
	}, renderChanges([]Change{c}))

	// Re-paged with the same violations: no second warning.
	c, err := e.Act(atSec(10), "ana", "SEV-1", ActionSetLevel, 1)
	require.NoError(t, err)
	require.Equal(t, []string{
		`SEV-1 availability L1 open routes=[/login] roles=ben/dan/cat title="Login down"`,
		"  @10s level_changed ana: level 2 → 1",
		"  @10s paged vigil: imoc ben SEV-1-imoc critical",
		"  @10s paged vigil: tloc dan SEV-1-tloc critical",
		"  @10s paged vigil: bmoc cat SEV-1-bmoc critical",
		"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 1): Login down",
		"  ! trigger tloc SEV-1-tloc KEY-LOGIN critical SEV-1 (availability, level 1): Login down",
		"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 1): Login down",
	}, renderChanges([]Change{c}))

	// The violations changed: IMOC's warning again, and TLOC's first.
	std["SEV IMOC"] = []oncall.Violation{imocNotify}
	std["Identity"] = []oncall.Violation{identityDelay}
	c, err = e.Act(atSec(20), "ana", "SEV-1", ActionSetLevel, 0)
	require.NoError(t, err)
	require.Equal(t, []string{
		`SEV-1 availability L0 open routes=[/login] roles=ben/dan/cat title="Login down"`,
		"  @20s level_changed ana: level 1 → 0",
		"  @20s paged vigil: imoc ben SEV-1-imoc critical",
		"  @20s oncall_warning vigil: " + imocNotifyWarning,
		"  @20s paged vigil: tloc dan SEV-1-tloc critical",
		"  @20s oncall_warning vigil: " + identityWarning,
		"  @20s paged vigil: bmoc cat SEV-1-bmoc critical",
		"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 0): Login down",
		"  ! trigger tloc SEV-1-tloc KEY-LOGIN critical SEV-1 (availability, level 0): Login down",
		"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 0): Login down",
	}, renderChanges([]Change{c}))

	// After a restart the last warnings come from the timeline: none again.
	e = NewEngine(p, []*SEV{c.SEV}, 2)
	e.SetOnCallStandards(std)
	c, err = e.Act(atSec(30), "ana", "SEV-1", ActionSetLevel, 1)
	require.NoError(t, err)
	require.Equal(t, []string{"level_changed", "paged", "paged", "paged"}, entryKinds(c.Entries))
}

// TestEngineOnCallWarningNames: the warning names the policy as PagerDuty
// does (the rotation may give its ID), or as configured when the
// violations carry no name.
func TestEngineOnCallWarningNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy string // in the violation
		want   string
	}{
		{"name from PagerDuty", "Tech leads", `TLOC is paged through escalation policy "Tech leads", which misses its on-call standard "default": loops: the policy never repeats; the standard "default" requires at least 1 loop`},
		{"configured ID", "", `TLOC is paged through escalation policy "PTLOC01", which misses its on-call standard "default": loops: the policy never repeats; the standard "default" requires at least 1 loop`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(engPolicy(t), nil, 1)
			e.SetOnCallStandards(fakeStandards{"PTLOC01": {{PolicyID: "PTLOC01", Policy: tc.policy, Standard: "default", Check: oncall.CheckLoops,
				Detail: `the policy never repeats; the standard "default" requires at least 1 loop`}}})
			c := e.Declare(atSec(0), "joey", TypeSecurity, 2, "Leaked token", nil)
			require.Equal(t, []Entry{{Time: atSec(0), Kind: KindOnCallWarning, Actor: Actor, Detail: tc.want}}, entriesOf(c, KindOnCallWarning))
		})
	}
}

// TestEngineOnCallNoWarning: compliant policies, rotations without
// escalation_policy and an engine without standards add no entry.
func TestEngineOnCallNoWarning(t *testing.T) {
	violating := fakeStandards{"SEV IMOC": {imocLayers}, "PTLOC01": {imocLayers}, "Identity": {identityDelay}}
	for _, tc := range []struct {
		name string
		std  OnCallStandards
	}{
		{"compliant", fakeStandards{"SEV IMOC": {}, "PTLOC01": nil}},
		{"no standards", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(engPolicy(t), nil, 1)
			e.SetOnCallStandards(tc.std)
			c := e.Declare(atSec(0), "joey", TypeAvailability, 2, "Site down", nil)
			require.Equal(t, []string{"filed", "paged", "paged", "paged"}, entryKinds(c.Entries))
		})
	}
	t.Run("no escalation_policy", func(t *testing.T) {
		p := engPolicy(t)
		p.Roles.IMOC.EscalationPolicy, p.Roles.TLOC.EscalationPolicy = "", ""
		e := NewEngine(p, nil, 1)
		e.SetOnCallStandards(violating)
		c := e.Declare(atSec(0), "joey", TypeAvailability, 2, "Site down", nil)
		require.Equal(t, []string{"filed", "paged", "paged", "paged"}, entryKinds(c.Entries))
	})
}

// TestBridgeOnCallWarning: Options.OnCall reaches the engine; the warning
// is stored with the SEV and the page goes out as usual.
func TestBridgeOnCallWarning(t *testing.T) {
	text := strings.Replace(testPolicy, "routing_key: KI}", "routing_key: KI, escalation_policy: SEV IMOC}", 1)
	p, err := ParsePolicy("policy.yml", []byte(text))
	require.NoError(t, err)
	store, err := OpenStore(filepath.Join(t.TempDir(), "sevs.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close()) })
	pager := &fakePager{}
	b, err := New(Options{Policy: p, Store: store, Query: newFakeQuerier(), Pager: pager, Logger: slog.New(slog.DiscardHandler),
		OnCall: fakeStandards{"SEV IMOC": {imocLayers, imocNotify}}, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	_, err = b.Declare(context.Background(), "joey", TypeSecurity, 2, "Leaked token", nil)
	require.NoError(t, err)
	b.drain(context.Background())
	require.Equal(t, []string{"trigger KI SEV-1-imoc error vigil", "trigger KT SEV-1-tloc error vigil"}, pager.take())
	sev, err := b.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, []Entry{
		{Time: t0, Kind: KindFiled, Actor: "joey", Detail: "security level 2: Leaked token"},
		{Time: t0, Kind: KindPaged, Actor: Actor, Detail: "imoc ana SEV-1-imoc error"},
		{Time: t0, Kind: KindOnCallWarning, Actor: Actor, Detail: imocWarning},
		{Time: t0, Kind: KindPaged, Actor: Actor, Detail: "tloc eve SEV-1-tloc error"},
	}, sev.Timeline)
}

func entryKinds(es []Entry) []string {
	var out []string
	for _, en := range es {
		out = append(out, en.Kind)
	}
	return out
}

func entriesOf(c Change, kind string) []Entry {
	var out []Entry
	for _, en := range c.Entries {
		if en.Kind == kind {
			out = append(out, en)
		}
	}
	return out
}
