package sevbridge

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// sliTracker follows one SLI (global, or one listed route) against its
// level table.
type sliTracker struct {
	scope, route string
	rows         []LevelRow
	since        []time.Time // per row: first reading of the current run below it; zero when not below
	value        float64     // last value
	missing      bool        // the last reading was Missing
	healthySince time.Time   // first reading of the current run above every row; zero when not
	reported     Level       // most severe level already filed or joined in this episode; -1 none
}

// below reports whether the last reading was below some row.
func (t *sliTracker) below() bool {
	return slices.ContainsFunc(t.since, func(s time.Time) bool { return !s.IsZero() })
}

// crossing is a level row holding on one SLI.
type crossing struct {
	t     *sliTracker
	row   LevelRow
	since time.Time // impact start: the first reading below the row
}

// holding returns the most severe row that has held for its `for`.
func (t *sliTracker) holding(now time.Time) (crossing, bool) {
	c, ok := crossing{t: t}, false
	for i, row := range t.rows {
		if t.since[i].IsZero() || now.Sub(t.since[i]) < row.For {
			continue
		}
		if !ok || row.Level < c.row.Level {
			c.row, c.since, ok = row, t.since[i], true
		}
	}
	return c, ok
}

func sliKey(scope, route string) string { return scope + "\x00" + route }

// rowsFor returns the level table for a reading; nil when it files nothing
// (no global policy, or a route in no bucket).
func (e *Engine) rowsFor(r Reading) []LevelRow {
	if r.Scope == ScopeGlobal {
		if e.policy.Global == nil {
			return nil
		}
		return e.policy.Global.Levels
	}
	name, ok := e.policy.BucketOf(r.Route)
	if !ok {
		return nil
	}
	return e.policy.Routes.Buckets[name].Levels
}

func (e *Engine) tracker(r Reading, rows []LevelRow) *sliTracker {
	k := sliKey(r.Scope, r.Route)
	t, ok := e.slis[k]
	if !ok {
		t = &sliTracker{scope: r.Scope, route: r.Route, rows: rows, since: make([]time.Time, len(rows)), reported: -1}
		e.slis[k] = t
	}
	return t
}

// observe feeds the readings into the trackers.
func (e *Engine) observe(now time.Time, readings []Reading) {
	for _, r := range readings {
		if rows := e.rowsFor(r); rows != nil {
			e.tracker(r, rows).observe(now, r)
		}
	}
}

func (t *sliTracker) observe(now time.Time, r Reading) {
	t.missing = r.Missing
	if r.Missing { // neither recovery nor impact: hold the runs below
		t.healthySince = time.Time{}
		return
	}
	t.value = r.Value
	for i, row := range t.rows {
		switch {
		case r.Value >= row.Below:
			t.since[i] = time.Time{}
		case t.since[i].IsZero():
			t.since[i] = now
		}
	}
	if t.below() {
		t.healthySince = time.Time{}
		return
	}
	t.reported = -1
	if t.healthySince.IsZero() {
		t.healthySince = now
	}
}

// sortedTrackers returns the trackers global first, then by route.
func (e *Engine) sortedTrackers() []*sliTracker {
	ts := make([]*sliTracker, 0, len(e.slis))
	for _, t := range e.slis {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *sliTracker) int {
		return strings.Compare(sliKey(a.scope, a.route), sliKey(b.scope, b.route))
	})
	return ts
}

// newCrossings returns the holding rows not yet filed in their episode,
// most severe, then earliest, then route before global first.
func (e *Engine) newCrossings(now time.Time) []crossing {
	var cs []crossing
	for _, t := range e.sortedTrackers() {
		if c, ok := t.holding(now); ok && (t.reported < 0 || c.row.Level < t.reported) {
			cs = append(cs, c)
		}
	}
	slices.SortStableFunc(cs, func(a, b crossing) int {
		if a.row.Level != b.row.Level {
			return int(a.row.Level - b.row.Level)
		}
		if c := a.since.Compare(b.since); c != 0 {
			return c
		}
		return strings.Compare(b.t.scope, a.t.scope) // "route" before "global": its team is the TLOC
	})
	return cs
}

// fileCrossings files a SEV for new crossings, or joins them to the
// active availability SEV within the correlation window.
func (e *Engine) fileCrossings(s *step) {
	cs := e.newCrossings(s.now)
	if len(cs) == 0 {
		return
	}
	st := e.candidate(TypeAvailability, s.now)
	for _, c := range cs {
		if st == nil {
			st = e.fileCrossing(s, c)
		} else {
			e.joinCrossing(s, st, c)
		}
		c.t.reported = c.row.Level
	}
}

func (c crossing) impact() Impact {
	return Impact{Scope: c.t.scope, Route: c.t.route, Value: c.t.value, Threshold: c.row.Below, For: c.row.For, Level: c.row.Level}
}

// title is e.g. "Availability of /login at 85.0% (below 90% for 30s)".
func (c crossing) title() string {
	what := "Global availability"
	if c.t.scope == ScopeRoute {
		what = "Availability of " + c.t.route
	}
	return fmt.Sprintf("%s at %.1f%% (below %s%% for %s)", what, c.t.value*100,
		strconv.FormatFloat(math.Round(c.row.Below*1e6)/1e4, 'f', -1, 64), model.Duration(c.row.For))
}

// labels returns the labels matched against team rotations.
func (c crossing) labels() map[string]string {
	if c.t.scope == ScopeRoute {
		return map[string]string{"route": c.t.route}
	}
	return nil
}

func (e *Engine) fileCrossing(s *step, c crossing) *sevState {
	f := filing{typ: TypeAvailability, level: c.row.Level, title: c.title(), impactStart: c.since,
		impacts: []Impact{c.impact()}, labels: c.labels(), actor: Actor, auto: true}
	if c.t.scope == ScopeRoute {
		f.routes = []string{c.t.route}
	}
	return e.file(s, f)
}

// joinCrossing adds a crossing to an active SEV: a new route joins, a
// more severe level raises it, a mitigated SEV reopens.
func (e *Engine) joinCrossing(s *step, st *sevState, c crossing) {
	sev := st.sev
	e.reopen(s, st)
	changed := false
	if c.t.scope == ScopeRoute && !slices.Contains(sev.Routes, c.t.route) {
		sev.Routes = append(sev.Routes, c.t.route)
		s.entry(st, KindRouteJoined, Actor, c.title())
		changed = true
	}
	if c.t.scope == ScopeGlobal && !hasImpact(sev, ScopeGlobal) {
		s.entry(st, KindNote, Actor, "joined: "+c.title())
		changed = true
	}
	if c.row.Level < sev.Level {
		sev.Title = c.title()
		e.setLevel(s, st, c.row.Level, Actor)
		changed = true
	}
	if changed {
		sev.Impact = append(sev.Impact, c.impact())
	}
}

func hasImpact(sev *SEV, scopes ...string) bool {
	return slices.ContainsFunc(sev.Impact, func(im Impact) bool { return slices.Contains(scopes, im.Scope) })
}

// relevant returns the trackers a SEV's recovery depends on: the global
// SLI, its routes, and any SLI now below a row. ok is false when one of
// its routes or the global SLI has no tracker yet (no reading since start).
func (e *Engine) relevant(st *sevState) (ts []*sliTracker, ok bool) {
	ok = true
	want := map[string]bool{}
	if e.policy.Global != nil {
		want[sliKey(ScopeGlobal, "")] = true
	}
	for _, r := range st.sev.Routes {
		if _, listed := e.policy.BucketOf(r); listed {
			want[sliKey(ScopeRoute, r)] = true
		}
	}
	for k := range want {
		if _, seen := e.slis[k]; !seen {
			ok = false
		}
	}
	for _, t := range e.sortedTrackers() {
		if want[sliKey(t.scope, t.route)] || t.below() {
			ts = append(ts, t)
		}
	}
	return ts, ok
}

// healthy reports whether every relevant SLI of a SEV has been above
// every threshold for RecoveryFor, and since when.
func (e *Engine) healthy(st *sevState, now time.Time) (time.Time, bool) {
	ts, ok := e.relevant(st)
	var since time.Time
	for _, t := range ts {
		if t.healthySince.IsZero() || now.Sub(t.healthySince) < e.policy.RecoveryFor {
			return time.Time{}, false
		}
		since = maxTime(since, t.healthySince)
	}
	return since, ok && len(ts) > 0
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// checkMissing records data_missing once when a relevant SLI of an active
// metric SEV has no data, and data_back when it returns.
func (e *Engine) checkMissing(s *step) {
	for _, st := range e.sevs {
		if !hasImpact(st.sev, ScopeGlobal, ScopeRoute) {
			continue
		}
		ts, _ := e.relevant(st)
		var missing []string
		for _, t := range ts {
			if t.missing {
				missing = append(missing, trackerName(t))
			}
		}
		e.markMissing(s, st, missing)
	}
}

func (e *Engine) markMissing(s *step, st *sevState, missing []string) {
	switch {
	case len(missing) > 0 && !st.dataMissing:
		st.dataMissing = true
		s.entry(st, KindDataMissing, Actor, "no data for "+strings.Join(missing, ", "))
	case len(missing) == 0 && st.dataMissing:
		st.dataMissing = false
		s.entry(st, KindDataBack, Actor, "data is back")
	}
}

func trackerName(t *sliTracker) string {
	if t.scope == ScopeGlobal {
		return "global SLI"
	}
	return t.route
}

// touchActive keeps SEVs with ongoing impact inside the correlation window.
func (e *Engine) touchActive(now time.Time) {
	for _, st := range e.sevs {
		if e.firing(st.sev.ID) > 0 {
			st.lastActive = now
			continue
		}
		if !hasImpact(st.sev, ScopeGlobal, ScopeRoute) {
			continue
		}
		ts, _ := e.relevant(st)
		if slices.ContainsFunc(ts, (*sliTracker).below) {
			st.lastActive = now
		}
	}
}
