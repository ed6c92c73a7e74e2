package sevbridge

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lifecycle is the acceptance story on /login and /upload (critical):
// 95% from 0 s (level 2 after 30 s), 85% from 40 s (level 1 after 30 s),
// /upload at 85% from 80 s, everything back at 120 s.
func lifecycle(sec int) (sliSet, []string) {
	s := allHealthy()
	switch {
	case sec >= 120:
	case sec >= 80:
		s = s.with("/login", 0.85, "/upload", 0.85)
	case sec >= 40:
		s = s.with("/login", 0.85)
	default:
		s = s.with("/login", 0.95)
	}
	return s, nil
}

// globalDrop is the global SLI at 85% from 0 s to 60 s.
func globalDrop(sec int) (sliSet, []string) {
	if sec < 70 {
		return allHealthy().with("global", 0.85), nil
	}
	return allHealthy(), nil
}

// together is the global SLI and /login at 85% from 0 s to 60 s.
func together(sec int) (sliSet, []string) {
	if sec < 70 {
		return allHealthy().with("global", 0.85, "/login", 0.85), nil
	}
	return allHealthy(), nil
}

// unlisted is /about (in no bucket) at 50% throughout.
func unlisted(int) (sliSet, []string) { return allHealthy().with("/about", 0.5), nil }

// flapping is /login below 97% for 20 s out of every 30 s.
func flapping(sec int) (sliSet, []string) {
	if sec%30 == 20 {
		return allHealthy(), nil
	}
	return allHealthy().with("/login", 0.95), nil
}

// dataGap is /login at 85% from 0 s; from 40 s to 400 s no data arrives
// (global and routes Missing); from 410 s all healthy.
func dataGap(sec int) (sliSet, []string) {
	switch {
	case sec >= 410:
		return allHealthy(), nil
	case sec >= 40:
		return allHealthy(), []string{"global", "/login", "/upload", "/about"}
	}
	return allHealthy().with("/login", 0.85), nil
}

// softenThenReturn is /login at 85% (level 1) from 0 s, 95% (level-2 rows
// only) from 40 s, healthy from 80 s, back at 85% from 220 s (after
// mitigation at 200 s, inside the correlation window) until 260 s,
// healthy after; then at 1500 s (SEV-1 resolved) 85% again for 40 s.
func softenThenReturn(sec int) (sliSet, []string) {
	s := allHealthy()
	switch {
	case sec >= 1500 && sec < 1540:
		return s.with("/login", 0.85), nil
	case sec >= 220 && sec < 260:
		return s.with("/login", 0.85), nil
	case sec >= 80:
		return s, nil
	case sec >= 40:
		return s.with("/login", 0.95), nil
	}
	return s.with("/login", 0.85), nil
}

func TestEngineScenarios(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values func(int) (sliSet, []string)
		to     int
		want   map[int][]string
	}{
		{"critical route: level 2, deepens to 1, second route joins, recovers", lifecycle, 600, wantLifecycle},
		{"global drop files from the global table", globalDrop, 600, wantGlobal},
		{"global and route crossing together: one SEV", together, 600, wantTogether},
		{"same dip on an unlisted route files nothing", unlisted, 600, wantUnlisted},
		{"flapping below for less than for files nothing", flapping, 600, wantFlapping},
		{"missing data holds the SEV open", dataGap, 900, wantGap},
		{"never lowered; reopened in the window; new SEV after resolution", softenThenReturn, 1600, wantSoften},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := &engScenario{values: tc.values, want: tc.want, to: tc.to}
			sc.run(t, NewEngine(engPolicy(t), nil, 1))
		})
	}
}

func TestEngineLifecycleSEV(t *testing.T) {
	sc := &engScenario{values: lifecycle, want: wantLifecycle, to: 600}
	e := NewEngine(engPolicy(t), nil, 1)
	sc.run(t, e)
	sev := sc.lastSEV["SEV-1"]
	require.Equal(t, StateResolved, sev.State)
	require.Equal(t, []string{"/login", "/upload"}, sev.Routes)
	require.Equal(t, Roles{IMOC: "ben", TLOC: "dan", BMOC: "cat"}, sev.Roles)
	require.Equal(t, Links{PagerDuty: map[string]string{"imoc": "SEV-1-imoc", "tloc": "SEV-1-tloc", "bmoc": "SEV-1-bmoc"},
		Channel: "#incident-1", Postmortem: "SEV-1.md"}, sev.Links)
	require.Equal(t, []Impact{
		{Scope: ScopeRoute, Route: "/login", Value: 0.95, Threshold: 0.97, For: 30 * time.Second, Level: 2},
		{Scope: ScopeRoute, Route: "/login", Value: 0.85, Threshold: 0.90, For: 30 * time.Second, Level: 1},
		{Scope: ScopeRoute, Route: "/upload", Value: 0.85, Threshold: 0.90, For: 30 * time.Second, Level: 1},
	}, sev.Impact)
	require.Equal(t, atSec(0), sev.ImpactStartedAt)
	require.Equal(t, atSec(30), sev.DetectedAt)
	require.Equal(t, atSec(30), sev.FiledAt)
	require.Equal(t, 30*time.Second, sev.DetectionTime())
	require.Equal(t, atSec(240), *sev.MitigatedAt)
	require.Equal(t, atSec(540), *sev.ResolvedAt)
	require.Equal(t, []string{"impact_started", "detected", "filed", "paged", "paged", "paged",
		"level_changed", "paged", "paged", "paged", "route_joined", "mitigated", "resolved"}, kinds(sev))
	require.Empty(t, e.Active())
	require.Equal(t, 2, e.NextNumber())
}

// TestEngineRestart stops the lifecycle at each point, rebuilds the engine
// from the SEVs as the store holds them (through JSON) and runs the rest of
// the story: no second SEV, no trigger re-sent (only the level-1 update if
// the restart came before it), resolves to exactly the paged roles, and the
// timeline continues with the same kinds as without a restart. SLI runs
// restart with the engine, so a pending join or the recovery clock may
// come up to the time already accumulated later (timestamps differ).
func TestEngineRestart(t *testing.T) {
	for _, stop := range []int{30, 50, 70, 100, 110, 150, 240, 300} {
		t.Run(fmt.Sprint(stop), func(t *testing.T) {
			p := engPolicy(t)
			first := &engScenario{values: lifecycle, want: wantLifecycle, to: stop}
			first.run(t, NewEngine(p, nil, 1))
			e := NewEngine(p, []*SEV{roundTrip(t, first.lastSEV["SEV-1"])}, 2)
			require.Equal(t, 2, e.NextNumber())
			require.Len(t, e.Active(), 1)
			var effects []string
			var last *SEV
			for sec := stop + 10; sec <= 900; sec += 10 {
				v, _ := lifecycle(sec)
				for _, c := range e.Step(atSec(sec), v.readings(), nil) {
					require.False(t, c.New)
					require.Equal(t, "SEV-1", c.SEV.ID)
					last = c.SEV
					for _, ef := range c.Effects {
						effects = append(effects, ef.Kind+" "+ef.Role+" "+ef.DedupKey+" "+ef.RoutingKey+" "+ef.Severity)
					}
				}
			}
			want := []string{"resolve imoc SEV-1-imoc KEY-IMOC ", "resolve tloc SEV-1-tloc KEY-LOGIN ", "resolve bmoc SEV-1-bmoc KEY-BMOC ", "post    ", "postmortem    "}
			if stop < 70 {
				want = append([]string{"trigger imoc SEV-1-imoc KEY-IMOC critical", "trigger tloc SEV-1-tloc KEY-LOGIN critical", "trigger bmoc SEV-1-bmoc KEY-BMOC critical"}, want...)
			}
			require.Equal(t, want, effects)
			require.Equal(t, StateResolved, last.State)
			routes, wantKinds := []string{"/login", "/upload"}, []string{"impact_started", "detected", "filed", "paged", "paged", "paged",
				"level_changed", "paged", "paged", "paged", "route_joined", "mitigated", "resolved"}
			if stop == 100 { // /upload's 20 s below before the restart are forgotten: its 20 s after are short of `for`
				routes, wantKinds = []string{"/login"}, slices.Delete(wantKinds, 10, 11)
			}
			require.Equal(t, routes, last.Routes)
			require.Equal(t, wantKinds, kinds(last))
			require.Empty(t, e.Active())
		})
	}
}

func kinds(s *SEV) []string {
	var out []string
	for _, en := range s.Timeline {
		out = append(out, en.Kind)
	}
	return out
}

// roundTrip passes a SEV through JSON, as the store does.
func roundTrip(t *testing.T, s *SEV) *SEV {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var out SEV
	require.NoError(t, json.Unmarshal(b, &out))
	return &out
}

func TestEngineRestartNumbering(t *testing.T) {
	p := engPolicy(t)
	open := &SEV{ID: "SEV-7", Type: TypeSecurity, Level: 2, State: StateOpen, FiledAt: atSec(0)}
	resolved := &SEV{ID: "SEV-9", Type: TypeSecurity, State: StateResolved}
	e := NewEngine(p, []*SEV{open, resolved}, 3)
	require.Equal(t, 8, e.NextNumber())
	require.Equal(t, []*SEV{{ID: "SEV-7", Type: TypeSecurity, Level: 2, State: StateOpen, FiledAt: atSec(0),
		Links: Links{PagerDuty: map[string]string{}}}}, e.Active())
	c := e.Declare(atSec(10), "joey", TypeDurability, 1, "Bucket lost", nil)
	require.Equal(t, "SEV-8", c.SEV.ID)
}

// TestEngineRestartDuringDataGap: the data_missing entry is not repeated
// after a restart, and data_back follows when the data returns.
func TestEngineRestartDuringDataGap(t *testing.T) {
	p := engPolicy(t)
	first := &engScenario{values: dataGap, want: wantGap, to: 100}
	first.run(t, NewEngine(p, nil, 1))
	e := NewEngine(p, []*SEV{roundTrip(t, first.lastSEV["SEV-1"])}, 2)
	rest := &engScenario{values: dataGap, want: wantGap, from: 110, to: 900}
	rest.run(t, e)
	require.Equal(t, []string{"impact_started", "detected", "filed", "paged", "paged", "paged",
		"data_missing", "data_back", "mitigated", "resolved"}, kinds(rest.lastSEV["SEV-1"]))
}

// A for: 0s global row holding through a restart, with the SEV's last
// timeline entry older than the correlation window, joins the resumed SEV:
// no second SEV, no new entry, no new trigger.
func TestEngineRestartMidOutageFor0JoinsSEV(t *testing.T) {
	p := engPolicy(t)
	e := NewEngine(p, nil, 1)
	g := []Reading{{Scope: ScopeGlobal, Value: 0.3}}
	var sev *SEV
	for s := 0; s <= 20*60; s += 10 {
		for _, c := range e.Step(atSec(s), g, nil) {
			sev = c.SEV
		}
	}
	require.Equal(t, "SEV-1", sev.ID)
	require.Greater(t, atSec(20*60).Sub(sev.Timeline[len(sev.Timeline)-1].Time), p.CorrelationWindow)
	e2 := NewEngine(p, []*SEV{sev}, 2)
	require.Empty(t, e2.Step(atSec(20*60+10), g, nil))
	require.Equal(t, 2, e2.NextNumber())
	require.Len(t, e2.Active(), 1)
}
