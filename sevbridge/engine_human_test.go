package sevbridge

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEngineDeclareAct(t *testing.T) {
	e := NewEngine(engPolicy(t), nil, 1)
	c := e.Declare(atSec(0), "joey", TypeSecurity, 2, "Leaked token", nil)
	require.True(t, c.New)
	require.Equal(t, []string{
		`SEV-1 new security L2 open routes=[] roles=ben/eve/ title="Leaked token"`,
		"  @0s filed joey: security level 2: Leaked token",
		"  @0s paged vigil: imoc ben SEV-1-imoc error",
		"  @0s paged vigil: tloc eve SEV-1-tloc error",
		"  ! trigger imoc SEV-1-imoc KEY-IMOC error SEV-1 (security, level 2): Leaked token",
		"  ! trigger tloc SEV-1-tloc KEY-TLOC error SEV-1 (security, level 2): Leaked token",
		"  ! post     Filed SEV-1 (security, level 2): Leaked token",
		"  ! postmortem",
	}, renderChanges([]Change{c}))
	require.Equal(t, []Impact{{Scope: ScopeManual, Level: 2}}, c.SEV.Impact)

	for _, step := range []struct {
		sec    int
		action string
		level  Level
		want   []string
	}{
		{10, "ack", 0, []string{`SEV-1 security L2 open routes=[] roles=ben/eve/ title="Leaked token"`, "  @10s acknowledged ana: "}},
		{20, "diagnose", 0, []string{`SEV-1 security L2 open routes=[] roles=ben/eve/ title="Leaked token"`, "  @20s diagnosed ana: "}},
		{30, "set-level", 1, []string{`SEV-1 security L1 open routes=[] roles=ben/eve/ title="Leaked token"`,
			"  @30s level_changed ana: level 2 → 1",
			"  @30s paged vigil: imoc ben SEV-1-imoc critical",
			"  @30s paged vigil: tloc eve SEV-1-tloc critical",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (security, level 1): Leaked token",
			"  ! trigger tloc SEV-1-tloc KEY-TLOC critical SEV-1 (security, level 1): Leaked token"}},
		{40, "set-level", 3, []string{`SEV-1 security L3 open routes=[] roles=ben/eve/ title="Leaked token"`,
			"  @40s level_changed ana: level 1 → 3",
			"  @40s paged vigil: imoc ben SEV-1-imoc warning",
			"  @40s paged vigil: tloc eve SEV-1-tloc warning",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC warning SEV-1 (security, level 3): Leaked token",
			"  ! trigger tloc SEV-1-tloc KEY-TLOC warning SEV-1 (security, level 3): Leaked token"}},
		{50, "mitigate", 0, []string{`SEV-1 security L3 mitigated routes=[] roles=ben/eve/ title="Leaked token"`, "  @50s mitigated ana: "}},
		{60, "resolve", 0, []string{`SEV-1 security L3 resolved routes=[] roles=ben/eve/ title="Leaked token"`,
			"  @1m0s resolved ana: ",
			"  ! resolve imoc SEV-1-imoc KEY-IMOC",
			"  ! resolve tloc SEV-1-tloc KEY-TLOC",
			"  ! post     Resolved SEV-1 (security, level 3): Leaked token",
			"  ! postmortem"}},
	} {
		c, err := e.Act(atSec(step.sec), "ana", "SEV-1", step.action, step.level)
		require.NoError(t, err, step.action)
		require.False(t, c.New)
		require.Equal(t, step.want, renderChanges([]Change{c}), step.action)
	}
	require.Empty(t, e.Active())
}

func TestEngineActErrors(t *testing.T) {
	e := NewEngine(engPolicy(t), nil, 1)
	e.Declare(atSec(0), "joey", TypeAvailability, 2, "Uploads failing", []string{"/upload"})
	_, err := e.Act(atSec(5), "ana", "SEV-1", "mitigate", 0)
	require.NoError(t, err)
	for _, tc := range []struct {
		id, action string
		level      Level
		want       string
		is         error
	}{
		{"SEV-9", "ack", 0, "SEV-9: no active sev with this id", ErrNotFound},
		{"SEV-1", "explode", 0, `explode SEV-1: "explode": unknown action (want ack, diagnose, mitigate, resolve or set-level)`, ErrBadAction},
		{"SEV-1", "set-level", 4, "set-level SEV-1: bad level: 4 is outside 0-3", ErrBadLevel},
		{"SEV-1", "set-level", -1, "set-level SEV-1: bad level: -1 is outside 0-3", ErrBadLevel},
		{"SEV-1", "set-level", 2, "set-level SEV-1: bad level: sev is already level 2", ErrBadLevel},
		{"SEV-1", "mitigate", 0, "mitigate SEV-1: action not allowed in this state: sev is mitigated", ErrBadState},
	} {
		c, err := e.Act(atSec(10), "ana", tc.id, tc.action, tc.level)
		require.EqualError(t, err, tc.want)
		require.True(t, errors.Is(err, tc.is), tc.want)
		require.Equal(t, Change{}, c)
	}
	active := e.Active()
	require.Len(t, active, 1)
	require.Equal(t, []string{"filed", "paged", "paged", "paged", "mitigated"}, kinds(active[0]))
	_, err = e.Act(atSec(20), "ana", "SEV-1", "resolve", 0)
	require.NoError(t, err)
	_, err = e.Act(atSec(30), "ana", "SEV-1", "ack", 0)
	require.ErrorIs(t, err, ErrNotFound)
}

// TestEngineDeclareEveryType: every type can be declared; BMOC only for
// availability; the TLOC comes from the first route's team; declared SEVs
// are not touched by the SLIs' health.
func TestEngineDeclareEveryType(t *testing.T) {
	e := NewEngine(engPolicy(t), nil, 1)
	for i, typ := range Types {
		c := e.Declare(atSec(0), "joey", typ, Level(i), "Declared "+string(typ), []string{"/login"})
		require.Equal(t, typ, c.SEV.Type)
		require.Equal(t, Level(i), c.SEV.Level)
		require.Equal(t, []string{"/login"}, c.SEV.Routes)
		bmoc := ""
		if typ == TypeAvailability {
			bmoc = "cat"
		}
		require.Equal(t, Roles{IMOC: "ben", TLOC: "dan", BMOC: bmoc}, c.SEV.Roles)
		require.Equal(t, atSec(0), c.SEV.ImpactStartedAt)
		require.Equal(t, time.Duration(0), c.SEV.DetectionTime())
	}
	require.Len(t, e.Active(), 4)
	for sec := 10; sec <= 1200; sec += 10 {
		require.Empty(t, e.Step(atSec(sec), allHealthy().readings(), nil))
	}
}

func TestSEVJSON(t *testing.T) {
	s := &SEV{ID: "SEV-3", Type: TypeAvailability, Level: 1, State: StateOpen, Title: "t",
		Roles: Roles{IMOC: "ana", TLOC: "dan"}, ImpactStartedAt: atSec(0), DetectedAt: atSec(30), FiledAt: atSec(30)}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"SEV-3","type":"availability","level":1,"state":"open","title":"t","routes":[],"impact":[],
		"roles":{"imoc":"ana","tloc":"dan","bmoc":""},"links":{"pagerduty":null,"channel":"","postmortem":""},
		"impact_started_at":"2026-11-26T10:00:00Z","detected_at":"2026-11-26T10:00:30Z","filed_at":"2026-11-26T10:00:30Z",
		"mitigated_at":null,"resolved_at":null,"timeline":[]}`, string(b))
	m := atSec(60)
	s.MitigatedAt = &m
	s.Timeline = []Entry{{Time: atSec(30), Kind: KindFiled, Actor: "vigil", Detail: "d"}}
	b, err = json.Marshal(s)
	require.NoError(t, err)
	var back SEV
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, `"2026-11-26T10:01:00Z"`, string(mustJSON(t, back.MitigatedAt)))
	require.Equal(t, s.Timeline, back.Timeline)
	cl := s.Clone()
	cl.Timeline[0].Kind = "x"
	*cl.MitigatedAt = atSec(0)
	require.Equal(t, KindFiled, s.Timeline[0].Kind)
	require.Equal(t, atSec(60), *s.MitigatedAt)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestEngineChangesAreCopies(t *testing.T) {
	e := NewEngine(engPolicy(t), nil, 1)
	c := e.Declare(atSec(0), "joey", TypeDurability, 2, "Replica lost", nil)
	c.SEV.Title = "changed"
	c.SEV.Timeline[0].Kind = "changed"
	c.SEV.Links.PagerDuty["imoc"] = "changed"
	got := e.Active()[0]
	require.Equal(t, "Replica lost", got.Title)
	require.Equal(t, KindFiled, got.Timeline[0].Kind)
	require.Equal(t, "SEV-1-imoc", got.Links.PagerDuty["imoc"])
	e.SetPolicy(engPolicy(t))
	require.Len(t, e.Active(), 1)
	require.Equal(t, 2, e.NextNumber())
}
