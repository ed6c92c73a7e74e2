package sevbridge

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// engT0 is a Thursday 10:00 UTC: IMOC rotation [ana, ben] gives ben.
var engT0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func atSec(sec int) time.Time { return engT0.Add(time.Duration(sec) * time.Second) }

func engPolicy(t *testing.T) *Policy {
	t.Helper()
	t.Setenv("VIGIL_TEST_BMOC_KEY", "KEY-BMOC")
	p, err := ParsePolicyFile("testdata/policy/good.yml")
	require.NoError(t, err)
	return p
}

// sliSet is one interval's SLI values: "global" or a route → value; NaN-free;
// a name listed in missing gets a Missing reading.
type sliSet map[string]float64

// healthy is every SLI at 99.9%, /about unlisted, /share with no traffic.
func allHealthy() sliSet {
	return sliSet{"global": 0.999, "/login": 0.999, "/upload": 0.999, "/about": 0.999}
}

func (s sliSet) with(kv ...any) sliSet {
	out := sliSet{}
	for k, v := range s {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1].(float64)
	}
	return out
}

// readings turns s into readings in a fixed order; names in missing are
// Missing, and /share is always Missing (a listed route with no traffic).
func (s sliSet) readings(missing ...string) []Reading {
	out := []Reading{}
	for _, name := range []string{"global", "/about", "/login", "/share", "/upload"} {
		r := Reading{Scope: ScopeRoute, Route: name}
		if name == "global" {
			r = Reading{Scope: ScopeGlobal}
		}
		v, ok := s[name]
		switch {
		case !ok || name == "/share" || hasName(missing, name):
			r.Missing = true
		default:
			r.Value = v
		}
		out = append(out, r)
	}
	return out
}

func hasName(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// render prints Changes one line per SEV, entry and effect, with times as
// offsets from engT0.
func renderChanges(cs []Change) []string {
	var out []string
	for _, c := range cs {
		s := c.SEV
		nw := ""
		if c.New {
			nw = " new"
		}
		out = append(out, fmt.Sprintf("%s%s %s L%d %s routes=%v roles=%s/%s/%s title=%q", s.ID, nw, s.Type, s.Level, s.State,
			s.Routes, s.Roles.IMOC, s.Roles.TLOC, s.Roles.BMOC, s.Title))
		for _, en := range c.Entries {
			out = append(out, fmt.Sprintf("  @%s %s %s: %s", en.Time.Sub(engT0), en.Kind, en.Actor, en.Detail))
		}
		for _, ef := range c.Effects {
			out = append(out, strings.TrimRight(fmt.Sprintf("  ! %s %s %s %s %s %s", ef.Kind, ef.Role, ef.DedupKey, ef.RoutingKey, ef.Severity, ef.Summary), " "))
		}
	}
	return out
}

// engScenario steps an engine every 10 s from `from` to `to` seconds with the
// SLIs values(sec) gives, and checks every step's rendered Changes against
// want[sec] (no entry: no change). It returns the last SEV copies seen.
type engScenario struct {
	values  func(sec int) (sliSet, []string)
	want    map[int][]string
	from    int
	to      int
	lastSEV map[string]*SEV
}

func (sc *engScenario) run(t *testing.T, e *Engine) {
	t.Helper()
	if sc.lastSEV == nil {
		sc.lastSEV = map[string]*SEV{}
	}
	for sec := sc.from; sec <= sc.to; sec += 10 {
		v, missing := sc.values(sec)
		cs := e.Step(atSec(sec), v.readings(missing...), nil)
		require.Equal(t, sc.want[sec], renderChanges(cs), "step at %ds", sec)
		for _, c := range cs {
			sc.lastSEV[c.SEV.ID] = c.SEV
		}
	}
}
