package sevbridge

import (
	"fmt"
	"time"
)

// Human actions accepted by Engine.Act.
const (
	ActionAck      = "ack"
	ActionDiagnose = "diagnose"
	ActionMitigate = "mitigate"
	ActionResolve  = "resolve"
	ActionSetLevel = "set-level"
)

// Declare files a SEV by hand, for any type, at now: the actor is recorded
// on the filed entry, roles are assigned and paged as for automatic SEVs
// (TLOC matched on the first route, BMOC for availability). t and level
// must be valid (Type.Valid, Level.Valid; the API checks them): an invalid
// level is clamped to 0–3. Declared SEVs are never mitigated or resolved
// automatically.
func (e *Engine) Declare(now time.Time, actor string, t Type, level Level, title string, routes []string) Change {
	s := newStep(now)
	level = min(max(level, MostSevere), LeastSevere)
	var lbls map[string]string
	if len(routes) > 0 {
		lbls = map[string]string{"route": routes[0]}
	}
	im := Impact{Scope: ScopeManual, Level: level}
	e.file(s, filing{typ: t, level: level, title: title, impactStart: now, routes: routes,
		impacts: []Impact{im}, labels: lbls, actor: actor})
	return s.single()
}

// Act applies a human action to active SEV id: ack (acknowledged entry),
// diagnose (diagnosed), mitigate (open → mitigated), resolve (→ resolved,
// with resolve effects) or set-level (to level, up or down, re-paging).
// Errors wrap ErrNotFound, ErrBadAction, ErrBadLevel or ErrBadState.
func (e *Engine) Act(now time.Time, actor, id, action string, level Level) (Change, error) {
	st := e.find(id)
	if st == nil {
		return Change{}, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	s := newStep(now)
	if err := e.act(s, st, actor, action, level); err != nil {
		return Change{}, fmt.Errorf("%s %s: %w", action, id, err)
	}
	return s.single(), nil
}

func (e *Engine) act(s *step, st *sevState, actor, action string, level Level) error {
	switch action {
	case ActionAck:
		s.entry(st, KindAcknowledged, actor, "")
	case ActionDiagnose:
		s.entry(st, KindDiagnosed, actor, "")
	case ActionMitigate:
		if st.sev.State != StateOpen {
			return fmt.Errorf("%w: sev is %s", ErrBadState, st.sev.State)
		}
		e.mitigate(s, st, actor, "")
	case ActionResolve:
		e.resolve(s, st, actor, "")
	case ActionSetLevel:
		return e.actLevel(s, st, actor, level)
	default:
		return fmt.Errorf("%q: %w", action, ErrBadAction)
	}
	return nil
}

func (e *Engine) actLevel(s *step, st *sevState, actor string, level Level) error {
	switch {
	case !level.Valid():
		return fmt.Errorf("%w: %d is outside 0-3", ErrBadLevel, level)
	case level == st.sev.Level:
		return fmt.Errorf("%w: sev is already level %d", ErrBadLevel, level)
	}
	e.setLevel(s, st, level, actor)
	return nil
}
