package sevbridge

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// Policy defaults (see Policy).
const (
	DefaultCorrelationWindow = 15 * time.Minute
	DefaultRecoveryFor       = 2 * time.Minute
	DefaultResolveAfter      = 10 * time.Minute
	DefaultShift             = 168 * time.Hour
	DefaultChannel           = "#sev-{{.Number}}"
)

// Policy is the SEV policy file: what files SEVs at which level, who is on
// call, and the SLA. Build it with ParsePolicy (which applies defaults and
// validates); treat it as read-only afterwards.
type Policy struct {
	Interval          time.Duration // evaluation interval; 0 = the caller's sampling interval
	CorrelationWindow time.Duration // impact within this of an active SEV joins it; default 15m
	RecoveryFor       time.Duration // SLIs healthy this long → mitigated; default 2m
	ResolveAfter      time.Duration // mitigated this long → resolved; default 10m (extension)
	SLA               SLAPolicy
	Global            *GlobalPolicy // nil: no global SLI
	Routes            *RoutesPolicy // nil: no per-route SLI
	Roles             RolesPolicy
	Webhooks          []string // Slack-compatible webhook URLs (extension)
	Channel           string   // channel name template over {{.Number}}; default "#sev-{{.Number}}" (extension)
}

// SLAPolicy is the SLA ledger's policy.
type SLAPolicy struct {
	Target         float64 // default 0.999
	InternalTarget float64 // default 0.9995
	DownBelow      float64 // a minute with the global SLI below this is down; default 0.99
}

// LevelRow is one row of a level table: the SLI below Below for at least
// For files (or raises) a SEV at Level.
type LevelRow struct {
	Level Level
	Below float64
	For   time.Duration
}

// GlobalPolicy is the whole-service availability SLI and its level table.
type GlobalPolicy struct {
	SLI    string // PromQL, one series
	Levels []LevelRow
}

// RoutesPolicy is the per-route availability SLI (a PromQL expression
// returning one series per `route` label) and the criticality buckets.
type RoutesPolicy struct {
	SLI     string
	Buckets map[string]Bucket
}

// Bucket is a set of routes sharing one level table.
type Bucket struct {
	Routes []string
	Levels []LevelRow
}

// RolesPolicy holds the rotations of the three incident roles; Teams
// override TLOC for SEVs whose labels match.
type RolesPolicy struct {
	IMOC, TLOC, BMOC Rotation
	Teams            []TeamRotation
}

// Rotation is a static on-call rotation: People take turns of Shift each
// (see OnCall), paged through RoutingKey.
type Rotation struct {
	People     []string
	Shift      time.Duration // default 168h
	RoutingKey string        // from routing_key, or the variable named by routing_key_env
	// EscalationPolicy is the PagerDuty escalation policy (name or ID) that
	// RoutingKey's service pages (escalation_policy). Optional: when set and
	// Options.OnCall says it misses its on-call standard, paging the role
	// adds an oncall_warning entry to the SEV's timeline.
	EscalationPolicy string
}

// TeamRotation is a team's TLOC rotation, used when every Match label
// (label → value) equals the SEV's ("route" for route SEVs, the alert's
// labels for alert SEVs).
type TeamRotation struct {
	Match map[string]string
	Rotation
}

// BucketOf returns the bucket holding route, if any.
func (p *Policy) BucketOf(route string) (string, bool) {
	if p.Routes == nil {
		return "", false
	}
	for name, b := range p.Routes.Buckets {
		if slices.Contains(b.Routes, route) {
			return name, true
		}
	}
	return "", false
}

// ChannelName renders the channel template for SEV number n.
func (p *Policy) ChannelName(n int) string {
	tmpl := p.Channel
	if tmpl == "" {
		tmpl = DefaultChannel
	}
	t, err := template.New("channel").Parse(tmpl)
	if err != nil {
		return fmt.Sprintf("#sev-%d", n)
	}
	var sb strings.Builder
	if err := t.Execute(&sb, struct{ Number int }{n}); err != nil {
		return fmt.Sprintf("#sev-%d", n)
	}
	return sb.String()
}

// PolicyError is one problem in a policy file, at a line, under a key.
type PolicyError struct {
	File    string
	Line    int
	Key     string // dotted path, e.g. availability.routes.buckets.critical.levels[1].below
	Problem string
}

// Error returns "FILE:LINE: KEY: problem".
func (e *PolicyError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Problem)
}

// ParsePolicyFile reads and parses a policy file.
func ParsePolicyFile(file string) (*Policy, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read sev policy: %w", err)
	}
	return ParsePolicy(file, data)
}

// ParsePolicy decodes a policy file strictly (unknown keys are errors),
// parses every PromQL expression, applies defaults and validates. All
// problems are returned together (errors.Join of *PolicyError, one per
// line "FILE:LINE: KEY: problem"). Routing keys given as routing_key_env
// are read from the environment here.
func ParsePolicy(file string, data []byte) (*Policy, error) {
	pp := &policyParser{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p := defaultPolicy()
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	if doc.Kind == 0 {
		root = &yaml.Node{Kind: yaml.MappingNode, Line: 1}
	}
	pp.policy(root, p)
	if len(pp.errs) > 0 {
		return nil, errors.Join(pp.errs...)
	}
	return p, nil
}

func defaultPolicy() *Policy {
	return &Policy{
		CorrelationWindow: DefaultCorrelationWindow,
		RecoveryFor:       DefaultRecoveryFor,
		ResolveAfter:      DefaultResolveAfter,
		SLA:               SLAPolicy{Target: 0.999, InternalTarget: 0.9995, DownBelow: 0.99},
		Channel:           DefaultChannel,
	}
}

// policyParser walks the YAML node tree, collecting problems with lines.
type policyParser struct {
	file string
	errs []error
}

func (pp *policyParser) errorf(n *yaml.Node, key, format string, args ...any) {
	pp.errs = append(pp.errs, &PolicyError{File: pp.file, Line: n.Line, Key: key, Problem: fmt.Sprintf(format, args...)})
}

func join(key, sub string) string {
	if key == "" {
		return sub
	}
	return key + "." + sub
}

// fields walks a mapping node: each known key goes to its handler, unknown
// and duplicate keys are errors. Required keys missing are reported at n.
func (pp *policyParser) fields(n *yaml.Node, key string, handlers map[string]func(*yaml.Node, string), required ...string) {
	if n.Kind != yaml.MappingNode {
		pp.errorf(n, orRoot(key), "want a mapping, got %s", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := join(key, k.Value)
		h, ok := handlers[k.Value]
		switch {
		case !ok:
			pp.errorf(k, sub, "unknown key")
		case seen[k.Value]:
			pp.errorf(k, sub, "duplicate key")
		default:
			h(v, sub)
		}
		seen[k.Value] = true
	}
	for _, r := range required {
		if !seen[r] {
			pp.errorf(n, join(key, r), "missing")
		}
	}
}

func orRoot(key string) string {
	if key == "" {
		return "policy"
	}
	return key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

func (pp *policyParser) scalar(n *yaml.Node, key string) bool {
	if n.Kind != yaml.ScalarNode {
		pp.errorf(n, key, "want a value, got %s", kindName(n))
		return false
	}
	return true
}

func (pp *policyParser) duration(dst *time.Duration) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if !pp.scalar(n, key) {
			return
		}
		d, err := model.ParseDuration(n.Value)
		if err != nil {
			pp.errorf(n, key, "bad duration %q: %v", n.Value, err)
			return
		}
		*dst = time.Duration(d)
	}
}

func (pp *policyParser) ratio(dst *float64) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if !pp.scalar(n, key) {
			return
		}
		v, err := strconv.ParseFloat(n.Value, 64)
		switch {
		case err != nil:
			pp.errorf(n, key, "want a number, got %q", n.Value)
		case math.IsNaN(v) || v <= 0 || v > 1:
			pp.errorf(n, key, "%s is outside (0, 1]", n.Value)
		default:
			*dst = v
		}
	}
}

func (pp *policyParser) str(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if pp.scalar(n, key) {
			*dst = n.Value
		}
	}
}

// name decodes a non-empty string; what says what it names.
func (pp *policyParser) name(dst *string, what string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if !pp.scalar(n, key) {
			return
		}
		if n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
			pp.errorf(n, key, "want %s, got nothing", what)
			return
		}
		*dst = n.Value
	}
}

func (pp *policyParser) expr(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if !pp.scalar(n, key) {
			return
		}
		if _, err := parser.NewParser(parser.Options{}).ParseExpr(n.Value); err != nil {
			pp.errorf(n, key, "bad PromQL: %s", oneLine(err.Error()))
			return
		}
		*dst = n.Value
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (pp *policyParser) strings(dst *[]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if n.Kind != yaml.SequenceNode {
			pp.errorf(n, key, "want a list, got %s", kindName(n))
			return
		}
		for i, c := range n.Content {
			if pp.scalar(c, fmt.Sprintf("%s[%d]", key, i)) {
				*dst = append(*dst, c.Value)
			}
		}
	}
}

func (pp *policyParser) policy(n *yaml.Node, p *Policy) {
	pp.fields(n, "", map[string]func(*yaml.Node, string){
		"interval":           pp.duration(&p.Interval),
		"correlation_window": pp.duration(&p.CorrelationWindow),
		"recovery_for":       pp.duration(&p.RecoveryFor),
		"resolve_after":      pp.duration(&p.ResolveAfter),
		"sla":                func(n *yaml.Node, k string) { pp.sla(n, k, &p.SLA) },
		"availability":       func(n *yaml.Node, k string) { pp.availability(n, k, p) },
		"roles":              func(n *yaml.Node, k string) { pp.roles(n, k, &p.Roles) },
		"webhooks":           pp.strings(&p.Webhooks),
		"channel":            pp.channel(&p.Channel),
	}, "roles")
}

func (pp *policyParser) channel(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if !pp.scalar(n, key) {
			return
		}
		t, err := template.New("channel").Parse(n.Value)
		if err == nil {
			err = t.Execute(&strings.Builder{}, struct{ Number int }{1})
		}
		if err != nil {
			pp.errorf(n, key, "bad template: %v", err)
			return
		}
		*dst = n.Value
	}
}

func (pp *policyParser) sla(n *yaml.Node, key string, s *SLAPolicy) {
	pp.fields(n, key, map[string]func(*yaml.Node, string){
		"target":          pp.ratio(&s.Target),
		"internal_target": pp.ratio(&s.InternalTarget),
		"down_below":      pp.ratio(&s.DownBelow),
	})
}

func (pp *policyParser) availability(n *yaml.Node, key string, p *Policy) {
	pp.fields(n, key, map[string]func(*yaml.Node, string){
		"global": func(n *yaml.Node, k string) {
			p.Global = &GlobalPolicy{}
			pp.fields(n, k, map[string]func(*yaml.Node, string){
				"sli":    pp.expr(&p.Global.SLI),
				"levels": pp.levels(&p.Global.Levels),
			}, "sli", "levels")
		},
		"routes": func(n *yaml.Node, k string) {
			p.Routes = &RoutesPolicy{Buckets: map[string]Bucket{}}
			pp.fields(n, k, map[string]func(*yaml.Node, string){
				"sli":     pp.expr(&p.Routes.SLI),
				"buckets": func(n *yaml.Node, k string) { pp.buckets(n, k, p.Routes) },
			}, "sli", "buckets")
		},
	})
}

func (pp *policyParser) buckets(n *yaml.Node, key string, r *RoutesPolicy) {
	if n.Kind != yaml.MappingNode {
		pp.errorf(n, key, "want a mapping, got %s", kindName(n))
		return
	}
	owner := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, v := n.Content[i].Value, n.Content[i+1]
		k := join(key, name)
		if _, dup := r.Buckets[name]; dup {
			pp.errorf(n.Content[i], k, "duplicate key")
			continue
		}
		var b Bucket
		pp.fields(v, k, map[string]func(*yaml.Node, string){
			"routes": pp.routes(&b.Routes, name, owner),
			"levels": pp.levels(&b.Levels),
		}, "routes", "levels")
		r.Buckets[name] = b
	}
}

func (pp *policyParser) routes(dst *[]string, bucket string, owner map[string]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		pp.strings(dst)(n, key)
		for i, route := range *dst {
			if prev, ok := owner[route]; ok && i < len(n.Content) {
				pp.errorf(n.Content[i], fmt.Sprintf("%s[%d]", key, i), "route %q is already in bucket %q", route, prev)
				continue
			}
			owner[route] = bucket
		}
	}
}

func (pp *policyParser) levels(dst *[]LevelRow) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			pp.errorf(n, key, "want a non-empty list of {level, below, for}")
			return
		}
		for i, c := range n.Content {
			row := LevelRow{Level: -1}
			k := fmt.Sprintf("%s[%d]", key, i)
			pp.fields(c, k, map[string]func(*yaml.Node, string){
				"level": pp.level(&row.Level),
				"below": pp.ratio(&row.Below),
				"for":   pp.duration(&row.For),
			}, "level", "below")
			*dst = append(*dst, row)
		}
	}
}

func (pp *policyParser) level(dst *Level) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if !pp.scalar(n, key) {
			return
		}
		v, err := strconv.Atoi(n.Value)
		if err != nil || !Level(v).Valid() {
			pp.errorf(n, key, "want a level 0-3, got %q", n.Value)
			return
		}
		*dst = Level(v)
	}
}

func (pp *policyParser) roles(n *yaml.Node, key string, r *RolesPolicy) {
	pp.fields(n, key, map[string]func(*yaml.Node, string){
		"imoc":  pp.rotation(&r.IMOC, nil),
		"tloc":  pp.rotation(&r.TLOC, nil),
		"bmoc":  pp.rotation(&r.BMOC, nil),
		"teams": func(n *yaml.Node, k string) { pp.teams(n, k, r) },
	}, "imoc", "tloc", "bmoc")
}

func (pp *policyParser) teams(n *yaml.Node, key string, r *RolesPolicy) {
	if n.Kind != yaml.SequenceNode {
		pp.errorf(n, key, "want a list, got %s", kindName(n))
		return
	}
	for i, c := range n.Content {
		var t TeamRotation
		pp.rotation(&t.Rotation, &t.Match)(c, fmt.Sprintf("%s[%d]", key, i))
		r.Teams = append(r.Teams, t)
	}
}

// rotation decodes {rotation, shift, routing_key | routing_key_env,
// escalation_policy} and, for teams (match != nil), {match}.
func (pp *policyParser) rotation(r *Rotation, match *map[string]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		r.Shift = DefaultShift
		var env string
		h := map[string]func(*yaml.Node, string){
			"rotation":          pp.strings(&r.People),
			"shift":             pp.duration(&r.Shift),
			"routing_key":       pp.str(&r.RoutingKey),
			"routing_key_env":   pp.str(&env),
			"escalation_policy": pp.name(&r.EscalationPolicy, "a PagerDuty escalation policy name or ID"),
		}
		req := []string{"rotation"}
		if match != nil {
			h["match"] = pp.match(match)
			req = append(req, "match")
		}
		pp.fields(n, key, h, req...)
		pp.checkRotation(n, key, r, env)
	}
}

func (pp *policyParser) checkRotation(n *yaml.Node, key string, r *Rotation, env string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	if slices.Contains(r.People, "") || (len(r.People) == 0 && hasKey(n, "rotation")) {
		pp.errorf(n, join(key, "rotation"), "want a non-empty list of people")
	}
	if r.Shift <= 0 {
		pp.errorf(n, join(key, "shift"), "must be positive")
	}
	switch {
	case env != "" && r.RoutingKey != "":
		pp.errorf(n, join(key, "routing_key"), "set routing_key or routing_key_env, not both")
	case env != "":
		r.RoutingKey = os.Getenv(env)
		if r.RoutingKey == "" {
			pp.errorf(n, join(key, "routing_key_env"), "environment variable %s is empty", env)
		}
	case r.RoutingKey == "":
		pp.errorf(n, join(key, "routing_key"), "missing (or set routing_key_env)")
	}
}

func hasKey(n *yaml.Node, k string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return true
		}
	}
	return false
}

func (pp *policyParser) match(dst *map[string]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, key string) {
		if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
			pp.errorf(n, key, "want a non-empty mapping of label: value")
			return
		}
		*dst = map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if pp.scalar(v, join(key, k.Value)) {
				(*dst)[k.Value] = v.Value
			}
		}
	}
}
