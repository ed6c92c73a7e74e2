package oncall

import "time"

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

	MinLayers     int           // escalation rules in the policy (check "layers")
	MaxLayerDelay time.Duration // escalation delay of any rule ("layer_delay")
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
