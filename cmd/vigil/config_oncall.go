package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// oncallSection decodes the oncall section into a new oncall.Config at
// *dst: every value strictly, each problem at its line; then the defaults
// (oncall.Config.ApplyDefaults) and the package's own check
// (oncall.Config.Validate), whose problems are reported at the section's
// line. A file without the section (or with it empty) leaves *dst nil: no
// on-call checks.
func (d *decoder) oncallSection(dst **oncall.Config) decodeFunc {
	return func(n *yaml.Node, path string) {
		c := &oncall.Config{}
		before := len(d.errs)
		d.mapping(oncallSchema(d, c))(n, path)
		if len(d.errs) > before {
			return
		}
		c.ApplyDefaults()
		if err := c.Validate(); err != nil {
			d.problems(n, path, err)
			return
		}
		*dst = c
	}
}

// problems records each error joined in err at n's line.
func (d *decoder) problems(n *yaml.Node, path string, err error) {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		d.errorf(n, path, "%v", err)
		return
	}
	for _, e := range joined.Unwrap() {
		d.errorf(n, path, "%v", e)
	}
}

// oncallSchema maps the keys of the oncall section.
func oncallSchema(d *decoder, c *oncall.Config) schema {
	return schema{
		"pagerduty": d.mapping(schema{
			"api_url":   d.httpURL(&c.APIURL),
			"token_env": d.envName(&c.TokenEnv),
		}),
		"interval":      d.positiveDuration(&c.Interval),
		"standards":     d.standards(&c.Standards),
		"team_webhooks": d.teamWebhooks(&c.TeamWebhooks),
	}
}

// standards decodes oncall.standards, a list of standards.
func (d *decoder) standards(dst *[]oncall.Standard) decodeFunc {
	return d.list(
		func(n int) { *dst = make([]oncall.Standard, n) },
		func(i int) decodeFunc { return d.standard(&(*dst)[i]) },
	)
}

// standard decodes one standard; name is required.
func (d *decoder) standard(s *oncall.Standard) decodeFunc {
	decode := d.mapping(standardSchema(d, s))
	return func(n *yaml.Node, path string) {
		decode(n, path)
		if n.Kind == yaml.MappingNode && s.Name == "" {
			d.errorf(n, path+".name", "is required: name the standard, such as critical")
		}
	}
}

// standardSchema maps the keys of one standard.
func standardSchema(d *decoder, s *oncall.Standard) schema {
	return schema{
		"name":              d.nonEmpty(&s.Name),
		"teams":             d.names(&s.Teams),
		"policies":          d.names(&s.Policies),
		"min_layers":        d.positiveInt(&s.MinLayers),
		"max_layer_delay":   d.duration(&s.MaxLayerDelay),
		"max_chain":         d.duration(&s.MaxChain),
		"min_loops":         d.positiveInt(&s.MinLoops),
		"notify":            d.notifyStandard(&s.Notify),
		"schedule_coverage": d.coverage(&s.ScheduleCoverage),
		"coverage_window":   d.positiveDuration(&s.CoverageWindow),
	}
}

// names decodes a list of non-empty names (teams, policies).
func (d *decoder) names(dst *[]string) decodeFunc {
	return d.list(
		func(n int) { *dst = make([]string, n) },
		func(i int) decodeFunc { return d.nonEmpty(&(*dst)[i]) },
	)
}

// notifyStandard decodes a standard's notify: what every responder's
// notification rules must contain.
func (d *decoder) notifyStandard(dst **oncall.NotifyStandard) decodeFunc {
	return func(n *yaml.Node, path string) {
		ns := &oncall.NotifyStandard{}
		d.mapping(schema{
			"urgency":         d.oneOf(&ns.Urgency, oncall.Urgencies...),
			"require_any":     d.contacts(&ns.RequireAny),
			"require_all":     d.contacts(&ns.RequireAll),
			"max_start_delay": d.duration(&ns.MaxStartDelay),
		})(n, path)
		*dst = ns
	}
}

// contacts decodes a list of contact method types.
func (d *decoder) contacts(dst *[]string) decodeFunc {
	return d.list(
		func(n int) { *dst = make([]string, n) },
		func(i int) decodeFunc { return d.oneOf(&(*dst)[i], oncall.ContactTypes...) },
	)
}

// coverage decodes schedule_coverage: a percentage such as "100%" or
// "99.5%", or a fraction from 0 to 1 such as 0.995.
func (d *decoder) coverage(dst *float64) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, `a percentage such as "99.5%"`)
		if !ok {
			return
		}
		v, err := parseCoverage(s)
		if err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		*dst = v
	}
}

// parseCoverage parses "99.5%" (a percentage from 0% to 100%) or 0.995 (a
// fraction from 0 to 1) into a fraction.
func parseCoverage(s string) (float64, error) {
	num, percent := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf(`invalid coverage %q: want a percentage such as "99.5%%" or a fraction from 0 to 1`, s)
	case percent && !(v >= 0 && v <= 100): // NaN too
		return 0, fmt.Errorf("coverage %q is out of range: want 0%% to 100%%", s)
	case percent:
		return v / 100, nil
	case !(v >= 0 && v <= 1):
		return 0, fmt.Errorf(`coverage %s is out of range: want a fraction from 0 to 1, or a percentage such as "99.5%%"`, s)
	}
	return v, nil
}

// teamWebhooks decodes oncall.team_webhooks: a mapping of team names (or
// IDs) to http(s) URLs.
func (d *decoder) teamWebhooks(dst *map[string]string) decodeFunc {
	return func(n *yaml.Node, path string) {
		if n.Kind != yaml.MappingNode {
			d.errorf(n, path, "expected a mapping of teams to URLs, got %s", describe(n))
			return
		}
		m := make(map[string]string, len(n.Content)/2)
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, dup := seen[k.Value]; dup {
				d.errorf(k, path+"."+k.Value, "duplicate team (first set at line %d)", first)
				continue
			}
			seen[k.Value] = k.Line
			var u string
			if d.httpURL(&u)(resolve(n.Content[i+1]), path+"."+k.Value); u != "" {
				m[k.Value] = u
			}
		}
		*dst = m
	}
}

// envNamePattern is what an environment variable's name looks like.
var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envName decodes the name of an environment variable (not its value).
func (d *decoder) envName(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "the name of an environment variable")
		switch {
		case !ok:
		case !envNamePattern.MatchString(s):
			d.errorf(n, path, "invalid environment variable name %q: want letters, digits and _, such as PAGERDUTY_TOKEN (the token itself is never written in the file)", s)
		default:
			*dst = s
		}
	}
}
