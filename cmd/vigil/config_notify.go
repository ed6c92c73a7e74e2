package main

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsre/vigil/alerting/notify"
)

// notifyRefs collects, while the notify section is decoded, what the checks
// across it need: where each receiver is defined and which receivers the
// routes and default_receiver name.
type notifyRefs struct {
	receivers   []nameAt // every receiver, the shorthand included
	routes      []nameAt // the receiver of each route
	defaultLine int      // line of default_receiver; 0 when unset
}

// nameAt is a receiver name and where it is written.
type nameAt struct {
	name string
	line int
	path string
}

// notify decodes the notify section into c: every value strictly, then the
// references between receivers, routes and default_receiver, each problem
// at its line; then c.Validate, the notify package's own check, which a
// file that passed the checks here is expected to pass too.
func (d *decoder) notify(c *notify.Config) decodeFunc {
	refs := &notifyRefs{}
	decode := d.mapping(notifySchema(d, c, refs))
	return func(n *yaml.Node, path string) {
		before := len(d.errs)
		decode(n, path)
		if n.Kind != yaml.MappingNode {
			return
		}
		d.checkNotifyRefs(c, refs, n, path)
		if len(d.errs) > before {
			return
		}
		if err := c.Validate(); err != nil {
			d.errorf(n, path, "%v", err)
		}
	}
}

// notifySchema maps the keys of the notify section.
func notifySchema(d *decoder, c *notify.Config, refs *notifyRefs) schema {
	return schema{
		"repeat_interval":  d.positiveDuration(&c.RepeatInterval),
		"give_up_after":    d.positiveDuration(&c.GiveUpAfter),
		"queue_size":       d.positiveInt(&c.QueueSize),
		"pagerduty":        d.shorthand(&c.PagerDuty, refs),
		"receivers":        d.receivers(&c.Receivers, refs),
		"routes":           d.routes(&c.Routes, refs),
		"default_receiver": line(&refs.defaultLine, d.nonEmpty(&c.Default)),
	}
}

// shorthand decodes notify.pagerduty, the receiver named "pagerduty".
func (d *decoder) shorthand(dst **notify.PagerDutyConfig, refs *notifyRefs) decodeFunc {
	decode := d.pagerDuty(dst)
	return func(n *yaml.Node, path string) {
		refs.receivers = append(refs.receivers, nameAt{notify.PagerDutyReceiver, n.Line, path})
		decode(n, path)
	}
}

// receivers decodes notify.receivers.
func (d *decoder) receivers(dst *[]notify.Receiver, refs *notifyRefs) decodeFunc {
	return d.list(
		func(n int) { *dst = make([]notify.Receiver, n) },
		func(i int) decodeFunc { return d.receiver(&(*dst)[i], refs) })
}

// receiver decodes one receiver: a name and exactly one kind.
func (d *decoder) receiver(r *notify.Receiver, refs *notifyRefs) decodeFunc {
	return func(n *yaml.Node, path string) {
		var nameLine int
		d.mapping(schema{
			"name":      line(&nameLine, d.nonEmpty(&r.Name)),
			"pagerduty": d.pagerDuty(&r.PagerDuty),
			"slack":     d.slack(&r.Slack),
			"webhook":   d.webhook(&r.Webhook),
		})(n, path)
		if n.Kind != yaml.MappingNode {
			return
		}
		switch {
		case nameLine == 0:
			d.errorf(n, path, "a receiver needs a name")
		case r.Name != "":
			refs.receivers = append(refs.receivers, nameAt{r.Name, nameLine, path + ".name"})
		}
		d.oneKind(n, path, r)
	}
}

// oneKind checks that a receiver has exactly one kind of destination.
func (d *decoder) oneKind(n *yaml.Node, path string, r *notify.Receiver) {
	var kinds []string
	if r.PagerDuty != nil {
		kinds = append(kinds, "pagerduty")
	}
	if r.Slack != nil {
		kinds = append(kinds, "slack")
	}
	if r.Webhook != nil {
		kinds = append(kinds, "webhook")
	}
	switch len(kinds) {
	case 0:
		d.errorf(n, path, "a receiver needs one of pagerduty, slack or webhook")
	case 1:
	default:
		d.errorf(n, path, "a receiver has exactly one of pagerduty, slack or webhook; this one has %s", strings.Join(kinds, " and "))
	}
}

// pagerDuty decodes a PagerDuty receiver. The routing key is written in
// the file (routing_key) or read from the environment at start
// (routing_key_env), never both.
func (d *decoder) pagerDuty(dst **notify.PagerDutyConfig) decodeFunc {
	return func(n *yaml.Node, path string) {
		pd := &notify.PagerDutyConfig{}
		*dst = pd
		var env string
		var keyLine, envLine int
		d.mapping(schema{
			"routing_key":     line(&keyLine, d.nonEmpty(&pd.RoutingKey)),
			"routing_key_env": line(&envLine, d.nonEmpty(&env)),
			"events_url":      d.httpURL(&pd.EventsURL),
			"source":          d.nonEmpty(&pd.Source),
			"client":          d.nonEmpty(&pd.Client),
			"client_url":      d.httpURL(&pd.ClientURL),
		})(n, path)
		if n.Kind == yaml.MappingNode {
			d.routingKey(n, path, pd, env, keyLine, envLine)
		}
	}
}

// routingKey checks that exactly one of routing_key and routing_key_env is
// set and reads the environment variable routing_key_env names.
func (d *decoder) routingKey(n *yaml.Node, path string, pd *notify.PagerDutyConfig, env string, keyLine, envLine int) {
	switch {
	case keyLine != 0 && envLine != 0:
		d.errorf(n, path, "routing_key (line %d) and routing_key_env (line %d) are both set; set one", keyLine, envLine)
	case keyLine == 0 && envLine == 0:
		d.errorf(n, path, "routing_key or routing_key_env is required")
	case env != "":
		if pd.RoutingKey = d.getenv(env); pd.RoutingKey == "" {
			d.errorAt(envLine, path+".routing_key_env", "environment variable %s is not set or is empty", env)
		}
	}
}

// slack decodes a Slack incoming-webhook receiver.
func (d *decoder) slack(dst **notify.SlackConfig) decodeFunc {
	return func(n *yaml.Node, path string) {
		s := &notify.SlackConfig{}
		*dst = s
		var urlLine int
		d.mapping(schema{
			"url":     line(&urlLine, d.httpURL(&s.URL)),
			"channel": d.nonEmpty(&s.Channel),
		})(n, path)
		d.requireKey(n, path, "url", urlLine)
	}
}

// webhook decodes a generic JSON webhook receiver.
func (d *decoder) webhook(dst **notify.WebhookConfig) decodeFunc {
	return func(n *yaml.Node, path string) {
		w := &notify.WebhookConfig{}
		*dst = w
		var urlLine int
		d.mapping(schema{"url": line(&urlLine, d.httpURL(&w.URL))})(n, path)
		d.requireKey(n, path, "url", urlLine)
	}
}

// requireKey records that the mapping n lacks key when keyLine is 0.
func (d *decoder) requireKey(n *yaml.Node, path, key string, keyLine int) {
	if n.Kind == yaml.MappingNode && keyLine == 0 {
		d.errorf(n, path, "%s is required", key)
	}
}

// routes decodes notify.routes.
func (d *decoder) routes(dst *[]notify.Route, refs *notifyRefs) decodeFunc {
	return d.list(
		func(n int) { *dst = make([]notify.Route, n) },
		func(i int) decodeFunc { return d.route(&(*dst)[i], refs) })
}

// route decodes one route: label matchers and the receiver they pick.
func (d *decoder) route(r *notify.Route, refs *notifyRefs) decodeFunc {
	return func(n *yaml.Node, path string) {
		var recvLine int
		d.mapping(schema{
			"match":    d.labelMap(&r.Match, nil),
			"match_re": d.labelMap(&r.MatchRE, checkRegexp),
			"receiver": line(&recvLine, d.nonEmpty(&r.Receiver)),
		})(n, path)
		switch {
		case n.Kind != yaml.MappingNode:
		case recvLine == 0:
			d.errorf(n, path, "a route needs a receiver")
		case r.Receiver != "":
			refs.routes = append(refs.routes, nameAt{r.Receiver, recvLine, path + ".receiver"})
		}
	}
}

// checkRegexp reports whether s is a valid RE2 expression. Routes anchor
// it at both ends, as Prometheus' =~ matchers do.
func checkRegexp(s string) error {
	_, err := regexp.Compile("^(?:" + s + ")$")
	if err == nil {
		return nil
	}
	if se := (*syntax.Error)(nil); errors.As(err, &se) {
		return fmt.Errorf("invalid regular expression %q: %s", s, se.Code)
	}
	return fmt.Errorf("invalid regular expression %q: %w", s, err)
}

// checkNotifyRefs checks the references within the notify section: every
// receiver name is unique, every route and default_receiver names a
// receiver. Without default_receiver, the default is the shorthand
// "pagerduty" receiver, or the only receiver; with several receivers and no
// shorthand it must be given, so that no alert goes unrouted by accident.
func (d *decoder) checkNotifyRefs(c *notify.Config, refs *notifyRefs, n *yaml.Node, path string) {
	known := d.uniqueReceivers(refs.receivers)
	for _, r := range refs.routes {
		if _, ok := known[r.name]; !ok {
			d.errorAt(r.line, r.path, "unknown receiver %q (%s)", r.name, receiverList(known))
		}
	}
	switch {
	case c.Default != "":
		if _, ok := known[c.Default]; !ok {
			d.errorAt(refs.defaultLine, path+".default_receiver", "unknown receiver %q (%s)", c.Default, receiverList(known))
		}
	case c.PagerDuty == nil && len(known) > 1:
		d.errorf(n, path, "default_receiver is required with more than one receiver and no pagerduty shorthand; alerts that match no route would be lost (%s)", receiverList(known))
	}
}

// uniqueReceivers returns the line of each receiver name and records a
// problem for every name defined twice, at the later definition.
func (d *decoder) uniqueReceivers(receivers []nameAt) map[string]int {
	slices.SortStableFunc(receivers, func(a, b nameAt) int { return cmp.Compare(a.line, b.line) })
	known := make(map[string]int, len(receivers))
	for _, r := range receivers {
		if first, dup := known[r.name]; dup {
			d.errorAt(r.line, r.path, "duplicate receiver name %q (first defined at line %d)", r.name, first)
			continue
		}
		known[r.name] = r.line
	}
	return known
}

// receiverList names the defined receivers for a message.
func receiverList(known map[string]int) string {
	if len(known) == 0 {
		return "no receivers are defined"
	}
	names := make([]string, 0, len(known))
	for name := range known {
		names = append(names, name)
	}
	slices.Sort(names)
	return "receivers: " + strings.Join(names, ", ")
}
