package notify

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"time"
)

// Defaults of Config and PagerDutyConfig.
const (
	DefaultRepeatInterval = 4 * time.Hour
	DefaultGiveUpAfter    = 5 * time.Minute
	DefaultQueueSize      = 1000
	DefaultEventsURL      = "https://events.pagerduty.com"
	DefaultClient         = "Vigil"
)

// PagerDutyReceiver is the name of the receiver that the Config.PagerDuty
// shorthand defines.
const PagerDutyReceiver = "pagerduty"

// Config is the delivery configuration: receivers, the routing tree and the
// timing of deliveries. cmd decodes it from the `notify` section of the YAML
// configuration. Zero fields get their defaults.
type Config struct {
	// PagerDuty is the shorthand `notify.pagerduty`: a receiver named
	// "pagerduty" (PagerDutyReceiver). With it and no Default, alerts that
	// match no route (every alert when there are no routes) go to it.
	PagerDuty *PagerDutyConfig
	// Receivers are the named destinations of notifications.
	Receivers []Receiver
	// Routes send an alert to the receiver of the first route whose matchers
	// all match its labels; an alert that matches none goes to Default.
	Routes []Route
	// Default is the receiver of alerts that match no route. Default:
	// "pagerduty" with the PagerDuty shorthand, else the only receiver when
	// there is exactly one; with more receivers and neither, it is required.
	Default string
	// RepeatInterval is how long after a delivered trigger a still-firing
	// alert is triggered again. Default (0): DefaultRepeatInterval.
	RepeatInterval time.Duration
	// GiveUpAfter bounds the retries of one notification, counted from its
	// first attempt. Default (0): DefaultGiveUpAfter.
	GiveUpAfter time.Duration
	// QueueSize is the capacity of each receiver's queue, in alerts, and of
	// the dispatcher's inbox, in Notify batches. A full queue drops its
	// oldest entry and counts it. Default (0): DefaultQueueSize.
	QueueSize int
}

// Receiver is one named destination. Exactly one of PagerDuty, Webhook and
// Slack is set.
type Receiver struct {
	Name      string
	PagerDuty *PagerDutyConfig
	Webhook   *WebhookConfig
	Slack     *SlackConfig
}

// PagerDutyConfig configures delivery to PagerDuty's Events API v2.
type PagerDutyConfig struct {
	// RoutingKey is the integration key of the PagerDuty service. Required.
	RoutingKey string
	// EventsURL is the base URL of the Events API; events are posted to
	// EventsURL + "/v2/enqueue". Default: DefaultEventsURL.
	EventsURL string
	// Source is payload.source. Default: the alert's `instance` label, or
	// "vigil" when it has none.
	Source string
	// Client is the event's client name. Default: DefaultClient.
	Client string
	// ClientURL is the event's client_url. Default: none.
	ClientURL string
}

// WebhookConfig configures a generic JSON webhook (Alertmanager's payload).
type WebhookConfig struct {
	URL string // required, http or https
}

// SlackConfig configures a Slack-compatible incoming webhook.
type SlackConfig struct {
	URL     string // required, http or https
	Channel string // overrides the webhook's channel when set
}

// Route sends the alerts whose labels match to Receiver. A label matches
// Match[name] when its value is equal (a missing label has the value ""),
// and MatchRE[name] when the regular expression, anchored at both ends,
// matches its value. A route with no matchers matches every alert.
type Route struct {
	Match    map[string]string
	MatchRE  map[string]string
	Receiver string
}

// Validate reports every problem of c at once, joined.
func (c Config) Validate() error {
	errs := c.validateTiming()
	names, rerrs := c.validateReceivers()
	errs = append(errs, rerrs...)
	for i, r := range c.Routes {
		errs = append(errs, r.validate(i, names)...)
	}
	errs = append(errs, c.validateDefault(names)...)
	return errors.Join(errs...)
}

func (c Config) validateTiming() []error {
	var errs []error
	if c.RepeatInterval < 0 {
		errs = append(errs, fmt.Errorf("notify: repeat_interval %s is negative; use 0 for the default %s", c.RepeatInterval, DefaultRepeatInterval))
	}
	if c.GiveUpAfter < 0 {
		errs = append(errs, fmt.Errorf("notify: give_up_after %s is negative; use 0 for the default %s", c.GiveUpAfter, DefaultGiveUpAfter))
	}
	if c.QueueSize < 0 {
		errs = append(errs, fmt.Errorf("notify: queue_size %d is negative; use 0 for the default %d", c.QueueSize, DefaultQueueSize))
	}
	return errs
}

// validateReceivers checks every receiver and returns the set of names.
func (c Config) validateReceivers() (map[string]bool, []error) {
	names := make(map[string]bool)
	var errs []error
	if c.PagerDuty != nil {
		names[PagerDutyReceiver] = true
		errs = append(errs, c.PagerDuty.validate("notify: pagerduty")...)
	}
	for i, r := range c.Receivers {
		where := fmt.Sprintf("notify: receivers[%d] %q", i, r.Name)
		switch {
		case r.Name == "":
			errs = append(errs, fmt.Errorf("notify: receivers[%d]: name is required", i))
		case names[r.Name]:
			errs = append(errs, fmt.Errorf("%s: name is used twice (the pagerduty shorthand is named %q)", where, PagerDutyReceiver))
		}
		names[r.Name] = true
		errs = append(errs, r.validate(where)...)
	}
	return names, errs
}

func (r Receiver) validate(where string) []error {
	kinds := 0
	var errs []error
	if r.PagerDuty != nil {
		kinds++
		errs = append(errs, r.PagerDuty.validate(where+": pagerduty")...)
	}
	if r.Webhook != nil {
		kinds++
		errs = append(errs, ValidateURL(where+": webhook url", r.Webhook.URL))
	}
	if r.Slack != nil {
		kinds++
		errs = append(errs, ValidateURL(where+": slack url", r.Slack.URL))
	}
	if kinds != 1 {
		errs = append(errs, fmt.Errorf("%s: has %d of pagerduty, webhook and slack; set exactly one", where, kinds))
	}
	return errs
}

func (p PagerDutyConfig) validate(where string) []error {
	var errs []error
	if p.RoutingKey == "" {
		errs = append(errs, fmt.Errorf("%s: routing_key is required", where))
	}
	if p.EventsURL != "" {
		errs = append(errs, ValidateURL(where+": events_url", p.EventsURL))
	}
	return errs
}

// ValidateURL returns nil when s is an absolute http or https URL; the
// error names where it is configured.
func ValidateURL(where, s string) error {
	if s == "" {
		return fmt.Errorf("%s is required", where)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q: want an absolute http or https URL", where, s)
	}
	return nil
}

func (r Route) validate(i int, receivers map[string]bool) []error {
	var errs []error
	switch {
	case r.Receiver == "":
		errs = append(errs, fmt.Errorf("notify: routes[%d]: receiver is required", i))
	case !receivers[r.Receiver]:
		errs = append(errs, fmt.Errorf("notify: routes[%d]: receiver %q is not defined", i, r.Receiver))
	}
	if _, ok := r.Match[""]; ok {
		errs = append(errs, fmt.Errorf("notify: routes[%d]: match has an empty label name", i))
	}
	if _, ok := r.MatchRE[""]; ok {
		errs = append(errs, fmt.Errorf("notify: routes[%d]: match_re has an empty label name", i))
	}
	for _, name := range slices.Sorted(maps.Keys(r.MatchRE)) {
		if _, err := compileAnchored(r.MatchRE[name]); err != nil {
			errs = append(errs, fmt.Errorf("notify: routes[%d]: match_re %s: %w", i, name, err))
		}
	}
	return errs
}

func (c Config) validateDefault(receivers map[string]bool) []error {
	def := c.defaultReceiver()
	switch {
	case c.Default != "" && !receivers[c.Default]:
		return []error{fmt.Errorf("notify: default_receiver %q is not defined", c.Default)}
	case def == "" && len(receivers) > 0:
		return []error{fmt.Errorf("notify: default_receiver is required with %d receivers and no pagerduty shorthand; alerts that match no route would be lost", len(receivers))}
	}
	return nil
}

// defaultReceiver is the receiver of alerts that match no route, "" if none.
func (c Config) defaultReceiver() string {
	switch {
	case c.Default != "":
		return c.Default
	case c.PagerDuty != nil:
		return PagerDutyReceiver
	case len(c.Receivers) == 1:
		return c.Receivers[0].Name
	}
	return ""
}

// receivers returns every receiver, the PagerDuty shorthand first.
func (c Config) receivers() []Receiver {
	rs := make([]Receiver, 0, len(c.Receivers)+1)
	if c.PagerDuty != nil {
		rs = append(rs, Receiver{Name: PagerDutyReceiver, PagerDuty: c.PagerDuty})
	}
	return append(rs, c.Receivers...)
}

// withDefaults returns c with every unset field given its default.
func (c Config) withDefaults() Config {
	if c.RepeatInterval == 0 {
		c.RepeatInterval = DefaultRepeatInterval
	}
	if c.GiveUpAfter == 0 {
		c.GiveUpAfter = DefaultGiveUpAfter
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	return c
}

// withDefaults returns p with every unset field given its default.
func (p PagerDutyConfig) withDefaults() PagerDutyConfig {
	if p.EventsURL == "" {
		p.EventsURL = DefaultEventsURL
	}
	if p.Client == "" {
		p.Client = DefaultClient
	}
	return p
}

// compileAnchored compiles re anchored at both ends, as Prometheus does.
func compileAnchored(re string) (*regexp.Regexp, error) {
	return regexp.Compile("^(?:" + re + ")$")
}
