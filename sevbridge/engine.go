package sevbridge

import (
	"errors"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// Reading is one SLI value at a step. Scope is ScopeGlobal or ScopeRoute
// (then Route names the route). Missing means the SLI query returned no
// data: it is never a recovery.
type Reading struct {
	Scope   string
	Route   string
	Value   float64
	Missing bool
}

// AlertEvent is an alert notification handed to the engine. Only alerts
// labelled sev_type (a Type) and sev_level (0–3) matter.
type AlertEvent struct {
	Labels     labels.Labels
	Firing     bool
	Suppressed bool
	At         time.Time
}

// Change is what happened to one SEV in one Step, Declare or Act call.
type Change struct {
	SEV     *SEV     // the SEV after the change (a copy)
	New     bool     // filed in this step
	Entries []Entry  // timeline entries added in this step (already in SEV.Timeline)
	Effects []Effect // pages and posts to make, in order
}

// Effect kinds.
const (
	EffectTrigger    = "trigger"
	EffectResolve    = "resolve"
	EffectPost       = "post"
	EffectPostmortem = "postmortem"
)

// Effect is one side effect for the runner to execute after persisting the
// Change. Role, DedupKey, RoutingKey and Severity are set for triggers and
// resolves; Summary for triggers and posts.
type Effect struct {
	Kind       string
	Role       string
	DedupKey   string
	RoutingKey string
	Severity   string
	Summary    string
}

// Errors returned by Engine.Act.
var (
	ErrNotFound  = errors.New("no active sev with this id")
	ErrBadAction = errors.New("unknown action (want ack, diagnose, mitigate, resolve or set-level)")
	ErrBadLevel  = errors.New("bad level")
	ErrBadState  = errors.New("action not allowed in this state")
)

// Actor is the actor recorded for the engine's own timeline entries.
const Actor = "vigil"

// Engine is the SEV state machine: time, SLI readings, alert events and
// human actions in; Changes (with the effects to execute) out. It does no
// I/O and reads no clock. It is not safe for concurrent use: one goroutine
// (the runner) owns it.
//
// The engine holds only active (open or mitigated) SEVs; a resolved SEV
// leaves it. On a restart NewEngine rebuilds it from the store's active
// SEVs: which roles were paged is read from each SEV's "paged" timeline
// entries (so triggers are never re-sent and resolves go to exactly those
// roles), the last on-call warning per role from its "oncall_warning"
// entries, whether data is missing from its last data_missing/data_back
// entry, the firing alerts from its "alert" impacts, and its last activity
// from its last timeline entry. SLI trackers start empty, so a crossing
// still in progress is seen again after its `for` and joins its SEV
// without a new entry or page.
type Engine struct {
	policy *Policy
	next   int                    // number of the next SEV
	sevs   []*sevState            // active SEVs, in filing order
	slis   map[string]*sliTracker // by scope and route
	alerts map[string]string      // firing alert label set → SEV ID
	oncall OnCallStandards        // nil: no on-call warnings
}

// sevState is an active SEV and what the engine knows about it.
type sevState struct {
	sev         *SEV
	pages       map[string]string // role paged → routing key
	escalation  map[string]string // role → its rotation's escalation policy ("" or absent: none)
	warned      map[string]string // role → detail of its last oncall_warning entry
	lastActive  time.Time         // last time its impact held or it changed
	dataMissing bool              // a data_missing entry awaits its data_back
}

// NewEngine returns an engine for policy p resuming the active SEVs sevs
// (open or mitigated, from the store; resolved ones are ignored) and
// numbering new SEVs from nextNumber (or past the highest SEV in sevs).
func NewEngine(p *Policy, sevs []*SEV, nextNumber int) *Engine {
	e := &Engine{policy: p, next: max(nextNumber, 1), slis: map[string]*sliTracker{}, alerts: map[string]string{}}
	for _, s := range sevs {
		if s.Active() {
			e.resume(s.Clone())
		}
	}
	return e
}

// SetPolicy swaps the policy (a reload). SLI trackers restart; active
// SEVs are kept.
func (e *Engine) SetPolicy(p *Policy) {
	e.policy = p
	e.slis = map[string]*sliTracker{}
}

// NextNumber returns the number the next SEV will get.
func (e *Engine) NextNumber() int { return e.next }

// Active returns copies of the active SEVs in filing order.
func (e *Engine) Active() []*SEV {
	out := make([]*SEV, 0, len(e.sevs))
	for _, st := range e.sevs {
		out = append(out, st.sev.Clone())
	}
	return out
}

// Step evaluates one interval at now: the SLI readings (all SLIs of this
// interval; a Step without readings, e.g. for alerts only, leaves SLI
// state alone) and the alert events received since the last Step. It
// returns one Change per SEV touched, in the order first touched.
func (e *Engine) Step(now time.Time, readings []Reading, alerts []AlertEvent) []Change {
	s := newStep(now)
	if len(readings) > 0 {
		e.observe(now, readings)
	}
	// Refresh each SEV's last activity before filing, so an impact that
	// still holds (e.g. right after a restart, whose last activity is its
	// last timeline entry) joins its SEV rather than filing a duplicate.
	e.touchActive(now)
	e.stepAlerts(s, alerts)
	if len(readings) > 0 {
		e.fileCrossings(s)
		e.checkMissing(s)
	}
	e.touchActive(now)
	e.recover(s)
	e.autoResolve(s)
	return s.changes()
}

// find returns the active SEV with this id.
func (e *Engine) find(id string) *sevState {
	for _, st := range e.sevs {
		if st.sev.ID == id {
			return st
		}
	}
	return nil
}

// step collects the Changes of one call, one per SEV.
type step struct {
	now   time.Time
	order []*sevState
	byID  map[string]*Change
}

func newStep(now time.Time) *step { return &step{now: now, byID: map[string]*Change{}} }

func (s *step) change(st *sevState) *Change {
	c, ok := s.byID[st.sev.ID]
	if !ok {
		c = &Change{}
		s.byID[st.sev.ID] = c
		s.order = append(s.order, st)
	}
	return c
}

// entry appends a timeline entry at the step's time.
func (s *step) entry(st *sevState, kind, actor, detail string) {
	s.entryAt(st, s.now, kind, actor, detail)
}

func (s *step) entryAt(st *sevState, t time.Time, kind, actor, detail string) {
	en := Entry{Time: t, Kind: kind, Actor: actor, Detail: detail}
	st.sev.Timeline = append(st.sev.Timeline, en)
	c := s.change(st)
	c.Entries = append(c.Entries, en)
	st.lastActive = s.now
}

func (s *step) effect(st *sevState, ef Effect) {
	c := s.change(st)
	c.Effects = append(c.Effects, ef)
}

// changes returns the Changes with a copy of each SEV.
func (s *step) changes() []Change {
	out := make([]Change, 0, len(s.order))
	for _, st := range s.order {
		c := s.byID[st.sev.ID]
		c.SEV = st.sev.Clone()
		out = append(out, *c)
	}
	return out
}

// single returns the one Change of a human action.
func (s *step) single() Change {
	cs := s.changes()
	if len(cs) == 0 {
		return Change{}
	}
	return cs[0]
}
