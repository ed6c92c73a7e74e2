package sevbridge

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Type is the kind of a SEV.
type Type string

// The SEV types.
const (
	TypeAvailability       Type = "availability"
	TypeDurability         Type = "durability"
	TypeSecurity           Type = "security"
	TypeFeatureDegradation Type = "feature_degradation"
)

// Types lists every valid Type.
var Types = []Type{TypeAvailability, TypeDurability, TypeSecurity, TypeFeatureDegradation}

// Valid reports whether t is one of the four SEV types.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Level is a SEV's severity: 0 is the most critical, 3 the least.
type Level int

// The lowest and highest valid levels.
const (
	MostSevere  Level = 0
	LeastSevere Level = 3
)

// Valid reports whether l is within 0–3.
func (l Level) Valid() bool { return l >= MostSevere && l <= LeastSevere }

// Severity is the PagerDuty severity for the level: 0–1 critical, 2 error, 3 warning.
func (l Level) Severity() string {
	switch {
	case l <= 1:
		return "critical"
	case l == 2:
		return "error"
	default:
		return "warning"
	}
}

// State is where a SEV is in its life: open → mitigated → resolved.
type State string

// The SEV states.
const (
	StateOpen      State = "open"
	StateMitigated State = "mitigated"
	StateResolved  State = "resolved"
)

// Roles names the people holding each incident role. BMOC is empty when
// customers are not affected.
type Roles struct {
	IMOC string `json:"imoc"`
	TLOC string `json:"tloc"`
	BMOC string `json:"bmoc"`
}

// The role names, as used in Effect.Role, Links.PagerDuty keys and dedup keys.
const (
	RoleIMOC = "imoc"
	RoleTLOC = "tloc"
	RoleBMOC = "bmoc"
)

// Entry is one line of a SEV's timeline.
type Entry struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Actor  string    `json:"actor"`
	Detail string    `json:"detail"`
}

// Timeline entry kinds.
const (
	KindImpactStarted = "impact_started"
	KindDetected      = "detected"
	KindFiled         = "filed"
	KindLevelChanged  = "level_changed"
	KindRouteJoined   = "route_joined"
	KindDataMissing   = "data_missing"
	KindDataBack      = "data_back"
	KindAcknowledged  = "acknowledged"
	KindDiagnosed     = "diagnosed"
	KindMitigated     = "mitigated"
	KindResolved      = "resolved"
	KindPaged         = "paged"
	KindNote          = "note"
	// KindOnCallWarning follows a paged entry when the role's escalation
	// policy misses its on-call standard (see OnCallStandards).
	KindOnCallWarning = "oncall_warning"
)

// Impact scopes.
const (
	ScopeGlobal = "global"
	ScopeRoute  = "route"
	ScopeAlert  = "alert"
	ScopeManual = "manual"
)

// Impact is one measured condition that filed or joined a SEV. For is
// encoded in JSON as integer nanoseconds (time.Duration's encoding). Alert
// (an extension) holds the alert's label set for scope "alert", so that a
// restarted engine knows which alerts keep the SEV open.
type Impact struct {
	Scope     string        `json:"scope"`
	Route     string        `json:"route"`
	Value     float64       `json:"value"`
	Threshold float64       `json:"threshold"`
	For       time.Duration `json:"for"`
	Level     Level         `json:"level"`
	Alert     string        `json:"alert,omitempty"`
}

// Links points from a SEV to the places it lives elsewhere.
type Links struct {
	PagerDuty  map[string]string `json:"pagerduty"` // role → dedup key
	Channel    string            `json:"channel"`
	Postmortem string            `json:"postmortem"`
}

// SEV is one incident. The JSON encoding is the API's and the store's.
type SEV struct {
	ID              string     `json:"id"` // "SEV-<n>", n increasing from 1, never reused
	Type            Type       `json:"type"`
	Level           Level      `json:"level"`
	State           State      `json:"state"`
	Title           string     `json:"title"`
	Routes          []string   `json:"routes"`
	Impact          []Impact   `json:"impact"`
	Roles           Roles      `json:"roles"`
	Links           Links      `json:"links"`
	ImpactStartedAt time.Time  `json:"impact_started_at"`
	DetectedAt      time.Time  `json:"detected_at"`
	FiledAt         time.Time  `json:"filed_at"`
	MitigatedAt     *time.Time `json:"mitigated_at"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	Timeline        []Entry    `json:"timeline"`
}

// MarshalJSON encodes s with routes, impact and timeline as [] (never null)
// when empty.
func (s *SEV) MarshalJSON() ([]byte, error) {
	type plain SEV
	c := plain(*s)
	if c.Routes == nil {
		c.Routes = []string{}
	}
	if c.Impact == nil {
		c.Impact = []Impact{}
	}
	if c.Timeline == nil {
		c.Timeline = []Entry{}
	}
	return json.Marshal(&c)
}

// DetectionTime is the time from impact start to filing.
func (s *SEV) DetectionTime() time.Duration { return s.FiledAt.Sub(s.ImpactStartedAt) }

// Active reports whether the SEV is open or mitigated (not resolved).
func (s *SEV) Active() bool { return s.State != StateResolved }

// Clone returns a deep copy of s.
func (s *SEV) Clone() *SEV {
	c := *s
	c.Routes = slices.Clone(s.Routes)
	c.Impact = slices.Clone(s.Impact)
	c.Timeline = slices.Clone(s.Timeline)
	c.Links.PagerDuty = maps.Clone(s.Links.PagerDuty)
	c.MitigatedAt = clonePtr(s.MitigatedAt)
	c.ResolvedAt = clonePtr(s.ResolvedAt)
	return &c
}

func clonePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}
