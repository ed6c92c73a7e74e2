package oncall

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Defaults of Config.
const (
	DefaultAPIURL         = "https://api.pagerduty.com"
	DefaultTokenEnv       = "PAGERDUTY_TOKEN"
	DefaultInterval       = time.Hour
	DefaultCoverageWindow = 14 * 24 * time.Hour
)

// Config is the `oncall` section of Vigil's configuration: where to read
// PagerDuty, how often, and the standards each escalation policy must meet.
type Config struct {
	// APIURL is the base URL of PagerDuty's REST API. Default: DefaultAPIURL.
	APIURL string
	// TokenEnv names the environment variable holding the API token; the
	// token is never written in the file. Default: DefaultTokenEnv.
	TokenEnv string
	// Interval is how often `vigil serve` checks again. Default:
	// DefaultInterval.
	Interval time.Duration
	// Standards are tried in order; the first that selects a policy applies
	// to it. A policy no standard selects is not checked.
	Standards []Standard
	// TeamWebhooks maps a team (name or ID) to a URL that `vigil serve`
	// posts to when one of the team's policies gains or loses a violation.
	// Optional.
	TeamWebhooks map[string]string
}

// Standard is one level of on-call strictness. A zero field does not check.
type Standard struct {
	Name string
	// Teams selects the policies owned by any of these teams (name or ID);
	// Policies selects policies by name or ID. With neither, every policy.
	Teams    []string
	Policies []string

	MinLayers int // escalation rules in the policy (check "layers")
	// MaxLayerDelay bounds the escalation delay of every rule that
	// escalates ("layer_delay"): each rule but the last, and the last too
	// when the policy loops (NumLoops > 0). Without loops PagerDuty never
	// waits out the last rule's delay, so it is not checked.
	MaxLayerDelay time.Duration
	MaxChain      time.Duration // sum of the delays before the last rule is reached ("chain_delay")
	MinLoops      int           // num_loops of the policy ("loops")
	// Notify is what every responder the policy reaches must have set up
	// ("notification"); nil does not check.
	Notify *NotifyStandard
	// ScheduleCoverage is the fraction (0–1] of CoverageWindow each schedule
	// the policy pages must have someone on call ("coverage"); 0 does not
	// check.
	ScheduleCoverage float64
	// CoverageWindow is how far ahead coverage is checked, from the time of
	// the reading. Default: DefaultCoverageWindow when ScheduleCoverage is set.
	CoverageWindow time.Duration
}

// NotifyStandard is what a responder's notification rules must contain for
// pages of one urgency.
type NotifyStandard struct {
	Urgency       string        // "high" or "low"; default "high"
	RequireAny    []string      // at least one of these contact types
	RequireAll    []string      // every one of these contact types
	MaxStartDelay time.Duration // the required contacts must start by then
}

// Urgencies are the urgencies of PagerDuty's pages a NotifyStandard can
// name, as its Urgency. Read-only.
var Urgencies = []string{"high", "low"}

// ContactTypes are the contact method types a NotifyStandard can require,
// in RequireAny and RequireAll. Read-only.
var ContactTypes = []string{ContactPush, ContactSMS, ContactPhone, ContactEmail}

// defaultUrgency is NotifyStandard.Urgency when it is not set.
const defaultUrgency = "high"

// ApplyDefaults fills every unset field of c that has a default: APIURL,
// TokenEnv, Interval, and in each standard CoverageWindow (when
// ScheduleCoverage is set) and Notify.Urgency.
func (c *Config) ApplyDefaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if c.TokenEnv == "" {
		c.TokenEnv = DefaultTokenEnv
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	for i := range c.Standards {
		s := &c.Standards[i]
		if s.ScheduleCoverage > 0 && s.CoverageWindow == 0 {
			s.CoverageWindow = DefaultCoverageWindow
		}
		if s.Notify != nil && s.Notify.Urgency == "" {
			s.Notify.Urgency = defaultUrgency
		}
	}
}

// Window is the widest coverage window of the standards: how far ahead a
// Reader must render schedules. It is 0 when no standard checks coverage.
func (c *Config) Window() time.Duration {
	var w time.Duration
	for i := range c.Standards {
		if s := &c.Standards[i]; s.ScheduleCoverage > 0 {
			w = max(w, s.coverageWindow())
		}
	}
	return w
}

// Selects reports whether s applies to p (when no earlier standard does):
// Teams matches any team of p by name or ID, Policies matches p's name or
// ID; with both set either one selects, with neither every policy is
// selected. IDs match exactly, names in any case.
func (s *Standard) Selects(p Policy) bool {
	if len(s.Teams) == 0 && len(s.Policies) == 0 {
		return true
	}
	if namesAny(s.Policies, Ref{ID: p.ID, Name: p.Name}) {
		return true
	}
	for _, t := range p.Teams {
		if namesAny(s.Teams, t) {
			return true
		}
	}
	return false
}

// namesAny reports whether one of names names r (Ref.named).
func namesAny(names []string, r Ref) bool {
	return slices.ContainsFunc(names, r.named)
}

// named reports whether name names r: its ID exactly, or its name in any
// case ("storage" names the team "Storage", as people write team names).
// Standards, team_webhooks keys and Runner.ViolationsOf all match names
// with it.
func (r Ref) named(name string) bool {
	return name == r.ID || (r.Name != "" && strings.EqualFold(name, r.Name))
}

// coverageWindow is s.CoverageWindow, or its default when unset.
func (s *Standard) coverageWindow() time.Duration {
	return cmp.Or(s.CoverageWindow, DefaultCoverageWindow)
}

// urgency is n.Urgency, or its default when unset.
func (n *NotifyStandard) urgency() string {
	return cmp.Or(n.Urgency, defaultUrgency)
}
