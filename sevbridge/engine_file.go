package sevbridge

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// filing describes a SEV to file.
type filing struct {
	typ         Type
	level       Level
	title       string
	impactStart time.Time
	routes      []string
	impacts     []Impact
	labels      map[string]string // matched against team rotations for the TLOC
	actor       string
	auto        bool // detected by the engine: impact_started and detected entries
}

// candidate returns the newest active SEV of type t whose last activity is
// within the correlation window of now.
func (e *Engine) candidate(t Type, now time.Time) *sevState {
	for i := len(e.sevs) - 1; i >= 0; i-- {
		st := e.sevs[i]
		if st.sev.Type == t && now.Sub(st.lastActive) <= e.policy.CorrelationWindow {
			return st
		}
	}
	return nil
}

// file opens a new SEV, pages its roles and asks for a post and a
// postmortem draft.
func (e *Engine) file(s *step, f filing) *sevState {
	n := e.next
	e.next++
	id := "SEV-" + strconv.Itoa(n)
	sev := &SEV{ID: id, Type: f.typ, Level: f.level, State: StateOpen, Title: f.title,
		Routes: append([]string{}, f.routes...), Impact: f.impacts,
		ImpactStartedAt: f.impactStart, DetectedAt: s.now, FiledAt: s.now,
		Links: Links{PagerDuty: map[string]string{}, Channel: e.policy.ChannelName(n), Postmortem: id + ".md"}}
	st := newSEVState(sev, s.now)
	keys := e.assignRoles(st, f.labels, s.now)
	e.sevs = append(e.sevs, st)
	s.change(st).New = true
	if f.auto {
		s.entryAt(st, f.impactStart, KindImpactStarted, Actor, f.title)
		s.entry(st, KindDetected, Actor, f.title)
	}
	s.entry(st, KindFiled, f.actor, fmt.Sprintf("%s level %d: %s", f.typ, f.level, f.title))
	e.page(s, st, keys)
	s.effect(st, Effect{Kind: EffectPost, Summary: "Filed " + summary(sev)})
	s.effect(st, Effect{Kind: EffectPostmortem})
	return st
}

// newSEVState is the engine state of sev, last active at lastActive.
func newSEVState(sev *SEV, lastActive time.Time) *sevState {
	return &sevState{sev: sev, pages: map[string]string{}, escalation: map[string]string{},
		warned: map[string]string{}, lastActive: lastActive}
}

// assignRoles sets the people on call at now, records each role's
// escalation policy and returns each role's routing key. BMOC is assigned
// for availability SEVs only.
func (e *Engine) assignRoles(st *sevState, lbls map[string]string, now time.Time) map[string]string {
	rp := &e.policy.Roles
	rots := map[string]Rotation{RoleIMOC: rp.IMOC, RoleTLOC: rp.tlocRotation(lbls)}
	if st.sev.Type == TypeAvailability {
		rots[RoleBMOC] = rp.BMOC
	}
	keys := map[string]string{}
	for role, r := range rots {
		keys[role] = r.RoutingKey
		st.escalation[role] = r.EscalationPolicy
	}
	st.sev.Roles = Roles{IMOC: rots[RoleIMOC].OnCall(now), TLOC: rots[RoleTLOC].OnCall(now), BMOC: rots[RoleBMOC].OnCall(now)}
	return keys
}

// roleOrder is the order roles are paged and resolved in.
var roleOrder = []string{RoleIMOC, RoleTLOC, RoleBMOC}

func (r Roles) person(role string) string {
	switch role {
	case RoleIMOC:
		return r.IMOC
	case RoleTLOC:
		return r.TLOC
	}
	return r.BMOC
}

// page triggers every staffed role (keys: role → routing key) at the SEV's
// severity and records a "paged" entry per role:
// "<role> <person> <dedup key> <severity>", followed by an oncall_warning
// entry when the role's escalation policy misses its standard (warnOnCall).
func (e *Engine) page(s *step, st *sevState, keys map[string]string) {
	sev := st.sev
	for _, role := range roleOrder {
		rk, ok := keys[role]
		person := sev.Roles.person(role)
		if !ok || person == "" {
			continue
		}
		dedup := sev.ID + "-" + role
		sev.Links.PagerDuty[role] = dedup
		st.pages[role] = rk
		s.effect(st, Effect{Kind: EffectTrigger, Role: role, DedupKey: dedup, RoutingKey: rk, Severity: sev.Level.Severity(), Summary: summary(sev)})
		s.entry(st, KindPaged, Actor, strings.Join([]string{role, person, dedup, sev.Level.Severity()}, " "))
		e.warnOnCall(s, st, role)
	}
}

// summary is e.g. "SEV-1 (availability, level 2): Availability of ...".
func summary(sev *SEV) string {
	return fmt.Sprintf("%s (%s, level %d): %s", sev.ID, sev.Type, sev.Level, sev.Title)
}

// setLevel changes the level and re-triggers every paged role with the new
// severity (same dedup keys: an update at PagerDuty).
func (e *Engine) setLevel(s *step, st *sevState, l Level, actor string) {
	old := st.sev.Level
	st.sev.Level = l
	s.entry(st, KindLevelChanged, actor, fmt.Sprintf("level %d → %d", old, l))
	e.page(s, st, st.pages)
}

// reopen turns a mitigated SEV whose impact returned back to open.
func (e *Engine) reopen(s *step, st *sevState) {
	if st.sev.State != StateMitigated {
		return
	}
	st.sev.State = StateOpen
	st.sev.MitigatedAt = nil
	s.entry(st, KindNote, Actor, "impact returned: reopened")
}

func (e *Engine) mitigate(s *step, st *sevState, actor, detail string) {
	now := s.now
	st.sev.State = StateMitigated
	st.sev.MitigatedAt = &now
	s.entry(st, KindMitigated, actor, detail)
}

// resolve closes the SEV: resolves every paged role, posts, rewrites the
// postmortem draft, and drops the SEV from the engine.
func (e *Engine) resolve(s *step, st *sevState, actor, detail string) {
	now := s.now
	sev := st.sev
	sev.State = StateResolved
	sev.ResolvedAt = &now
	if sev.MitigatedAt == nil {
		sev.MitigatedAt = &now
	}
	s.entry(st, KindResolved, actor, detail)
	for _, role := range roleOrder {
		if rk, ok := st.pages[role]; ok {
			s.effect(st, Effect{Kind: EffectResolve, Role: role, DedupKey: sev.ID + "-" + role, RoutingKey: rk})
		}
	}
	s.effect(st, Effect{Kind: EffectPost, Summary: "Resolved " + summary(sev)})
	s.effect(st, Effect{Kind: EffectPostmortem})
	e.drop(st)
}

func (e *Engine) drop(st *sevState) {
	for i, x := range e.sevs {
		if x == st {
			e.sevs = append(e.sevs[:i], e.sevs[i+1:]...)
			break
		}
	}
	for k, id := range e.alerts {
		if id == st.sev.ID {
			delete(e.alerts, k)
		}
	}
}

// recover mitigates open SEVs whose impact is over: every relevant SLI
// healthy for RecoveryFor (SEVs with SLI impact) and no alert of theirs
// firing (SEVs with alert impact). Declared SEVs are left to humans.
func (e *Engine) recover(s *step) {
	for _, st := range e.sevs {
		if detail, ok := e.recovered(st, s.now); ok && st.sev.State == StateOpen {
			e.mitigate(s, st, Actor, detail)
		}
	}
}

func (e *Engine) recovered(st *sevState, now time.Time) (string, bool) {
	metric, alert := hasImpact(st.sev, ScopeGlobal, ScopeRoute), hasImpact(st.sev, ScopeAlert)
	if (!metric && !alert) || e.firing(st.sev.ID) > 0 {
		return "", false
	}
	if !metric {
		return "alerts resolved", true
	}
	since, ok := e.healthy(st, now)
	return fmt.Sprintf("SLIs above every threshold since %s", since.UTC().Format(time.RFC3339)), ok
}

// autoResolve resolves SEVs mitigated for ResolveAfter whose impact is
// still over.
func (e *Engine) autoResolve(s *step) {
	for _, st := range append([]*sevState(nil), e.sevs...) {
		m := st.sev.MitigatedAt
		if st.sev.State != StateMitigated || m == nil || s.now.Sub(*m) < e.policy.ResolveAfter {
			continue
		}
		if _, ok := e.recovered(st, s.now); ok || !hasImpact(st.sev, ScopeGlobal, ScopeRoute, ScopeAlert) {
			e.resolve(s, st, Actor, "mitigated for "+e.policy.ResolveAfter.String())
		}
	}
}

// resume adds an active SEV from the store, inferring its engine state from
// its timeline and impacts (see Engine).
func (e *Engine) resume(sev *SEV) {
	n, _ := strconv.Atoi(strings.TrimPrefix(sev.ID, "SEV-"))
	e.next = max(e.next, n+1)
	if sev.Links.PagerDuty == nil {
		sev.Links.PagerDuty = map[string]string{}
	}
	st := newSEVState(sev, sev.FiledAt)
	for _, en := range sev.Timeline {
		st.lastActive = maxTime(st.lastActive, en.Time)
		e.resumeEntry(st, en)
	}
	for _, im := range sev.Impact {
		if im.Scope == ScopeAlert && im.Alert != "" {
			e.alerts[im.Alert] = sev.ID
		}
	}
	e.sevs = append(e.sevs, st)
}

func (e *Engine) resumeEntry(st *sevState, en Entry) {
	switch en.Kind {
	case KindPaged:
		role, person, _ := strings.Cut(en.Detail, " ")
		person, _, _ = strings.Cut(person, " ")
		r := e.rotationOf(role, person)
		st.pages[role] = r.RoutingKey
		st.escalation[role] = r.EscalationPolicy
	case KindOnCallWarning:
		if role, ok := warnedRole(en.Detail); ok {
			st.warned[role] = en.Detail
		}
	case KindDataMissing:
		st.dataMissing = true
	case KindDataBack:
		st.dataMissing = false
	}
}

// rotationOf returns the rotation of a role held by person, from the
// current policy (for resumed SEVs: their routing keys and escalation
// policies).
func (e *Engine) rotationOf(role, person string) Rotation {
	if role == RoleTLOC {
		return e.policy.Roles.tlocRotationOf(person)
	}
	return e.policy.Roles.rotationFor(role)
}
