package oncall

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsre/vigil/alerting/notify"
)

// MinInterval is the shortest Config.Interval Validate accepts: PagerDuty's
// rate limits leave no room for a tighter loop over a whole account.
const MinInterval = time.Minute

// Validate reports every problem of c at once, joined; it changes nothing.
// Unset fields that have a default are valid. Each error names the
// standard and the field by its YAML key.
func (c *Config) Validate() error {
	var errs []error
	if c.APIURL != "" {
		errs = append(errs, notify.ValidateURL("pagerduty.api_url", c.APIURL))
	}
	if c.Interval != 0 && c.Interval < MinInterval {
		errs = append(errs, fmt.Errorf("interval %s: want at least %s (or 0 for the default %s)",
			formatDuration(c.Interval), formatDuration(MinInterval), formatDuration(DefaultInterval)))
	}
	errs = append(errs, c.validateStandards()...)
	errs = append(errs, c.validateWebhooks()...)
	return errors.Join(errs...)
}

// validateStandards checks that there is at least one standard, that names
// are given and unique, and each standard on its own.
func (c *Config) validateStandards() []error {
	if len(c.Standards) == 0 {
		return []error{errors.New("standards: none is defined; define at least one")}
	}
	var errs []error
	seen := make(map[string]bool, len(c.Standards))
	for i := range c.Standards {
		s := &c.Standards[i]
		where := fmt.Sprintf("standard %q", s.Name)
		switch {
		case s.Name == "":
			where = fmt.Sprintf("standards[%d]", i)
			errs = append(errs, fmt.Errorf("%s: name is required", where))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("%s: name is used by more than one standard", where))
		}
		seen[s.Name] = true
		errs = append(errs, s.validate(where)...)
	}
	return errs
}

// validate checks one standard; where names it in errors.
func (s *Standard) validate(where string) []error {
	var errs []error
	if !s.checksSomething() {
		errs = append(errs, fmt.Errorf("%s: checks nothing; set at least one of min_layers, max_layer_delay, max_chain, min_loops, notify or schedule_coverage", where))
	}
	errs = appendNegative(errs, where, "min_layers", s.MinLayers < 0, strconv.Itoa(s.MinLayers))
	errs = appendNegative(errs, where, "max_layer_delay", s.MaxLayerDelay < 0, formatDuration(s.MaxLayerDelay))
	errs = appendNegative(errs, where, "max_chain", s.MaxChain < 0, formatDuration(s.MaxChain))
	errs = appendNegative(errs, where, "min_loops", s.MinLoops < 0, strconv.Itoa(s.MinLoops))
	if s.Notify != nil {
		errs = append(errs, s.Notify.validate(where)...)
	}
	return append(errs, s.validateCoverage(where)...)
}

// checksSomething reports whether any field of s asks for a check.
func (s *Standard) checksSomething() bool {
	return s.MinLayers != 0 || s.MaxLayerDelay != 0 || s.MaxChain != 0 ||
		s.MinLoops != 0 || s.Notify != nil || s.ScheduleCoverage != 0
}

// appendNegative appends "WHERE: KEY VALUE is negative" when negative.
func appendNegative(errs []error, where, key string, negative bool, value string) []error {
	if !negative {
		return errs
	}
	return append(errs, fmt.Errorf("%s: %s %s is negative", where, key, value))
}

// validateCoverage checks schedule_coverage and coverage_window.
func (s *Standard) validateCoverage(where string) []error {
	var errs []error
	if math.IsNaN(s.ScheduleCoverage) || s.ScheduleCoverage < 0 || s.ScheduleCoverage > 1 {
		errs = append(errs, fmt.Errorf("%s: schedule_coverage %s%%: want between 0%% and 100%%",
			where, formatPercent(s.ScheduleCoverage)))
	}
	if s.CoverageWindow < 0 {
		errs = append(errs, fmt.Errorf("%s: coverage_window %s: want a positive window (or 0 for the default %s)",
			where, formatDuration(s.CoverageWindow), formatDuration(DefaultCoverageWindow)))
	}
	return errs
}

// validate checks the notify block of the standard named by where.
func (n *NotifyStandard) validate(where string) []error {
	var errs []error
	if n.Urgency != "" && !slices.Contains(Urgencies, n.Urgency) {
		errs = append(errs, fmt.Errorf("%s: notify.urgency %q: want %s", where, n.Urgency, orList(Urgencies)))
	}
	if len(n.RequireAny) == 0 && len(n.RequireAll) == 0 {
		errs = append(errs, fmt.Errorf("%s: notify.require_any and notify.require_all are both empty; name at least one contact type", where))
	}
	errs = appendContactTypes(errs, where+": notify.require_any", n.RequireAny)
	errs = appendContactTypes(errs, where+": notify.require_all", n.RequireAll)
	return appendNegative(errs, where, "notify.max_start_delay", n.MaxStartDelay < 0, formatDuration(n.MaxStartDelay))
}

// appendContactTypes appends an error for every unknown type in types.
func appendContactTypes(errs []error, where string, types []string) []error {
	for _, t := range types {
		if !slices.Contains(ContactTypes, t) {
			errs = append(errs, fmt.Errorf("%s: unknown contact type %q (want %s)", where, t, orList(ContactTypes)))
		}
	}
	return errs
}

// validateWebhooks checks team_webhooks, in the order of the team names.
func (c *Config) validateWebhooks() []error {
	var errs []error
	for _, team := range slices.Sorted(maps.Keys(c.TeamWebhooks)) {
		if team == "" {
			errs = append(errs, errors.New("team_webhooks: a team name is empty"))
			continue
		}
		errs = append(errs, notify.ValidateURL(fmt.Sprintf("team_webhooks %q: url", team), c.TeamWebhooks[team]))
	}
	return errs
}

// orList words a list as "push, sms, phone or email".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
