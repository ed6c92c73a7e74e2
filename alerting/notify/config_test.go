package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestConfigValidateAcceptsValidConfigs(t *testing.T) {
	for name, c := range map[string]Config{
		"empty":     {},
		"shorthand": {PagerDuty: &PagerDutyConfig{RoutingKey: "k"}},
		"one receiver is the default": {Receivers: []Receiver{
			{Name: "audit", Webhook: &WebhookConfig{URL: "http://audit.example/hook"}},
		}},
		"routes and default": {
			PagerDuty: &PagerDutyConfig{RoutingKey: "k", EventsURL: "http://127.0.0.1:9999"},
			Receivers: []Receiver{
				{Name: "team-web", PagerDuty: &PagerDutyConfig{RoutingKey: "k2"}},
				{Name: "chat", Slack: &SlackConfig{URL: "https://hooks.slack.com/services/x"}},
			},
			Routes:         []Route{{Match: map[string]string{"team": "web"}, MatchRE: map[string]string{"service": "web-.*"}, Receiver: "team-web"}},
			Default:        "chat",
			RepeatInterval: time.Hour, GiveUpAfter: time.Minute, QueueSize: 10,
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, c.Validate())
		})
	}
}

func TestConfigValidateListsEveryProblem(t *testing.T) {
	c := Config{
		PagerDuty: &PagerDutyConfig{EventsURL: "events.pagerduty.com"},
		Receivers: []Receiver{
			{Name: "", Webhook: &WebhookConfig{URL: "http://x"}},
			{Name: "pagerduty", Webhook: &WebhookConfig{URL: "http://x"}},
			{Name: "both", Webhook: &WebhookConfig{URL: "http://x"}, Slack: &SlackConfig{URL: "ftp://x"}},
			{Name: "none"},
			{Name: "hook", Webhook: &WebhookConfig{}},
		},
		Routes: []Route{
			{Match: map[string]string{"": "x"}, MatchRE: map[string]string{"b": "(", "a": "[z-a]"}},
			{Receiver: "nobody"},
		},
		Default:        "missing",
		RepeatInterval: -time.Second,
		GiveUpAfter:    -time.Minute,
		QueueSize:      -1,
	}
	want := []string{
		`notify: repeat_interval -1s is negative; use 0 for the default 4h0m0s`,
		`notify: give_up_after -1m0s is negative; use 0 for the default 5m0s`,
		`notify: queue_size -1 is negative; use 0 for the default 1000`,
		`notify: pagerduty: routing_key is required`,
		`notify: pagerduty: events_url "events.pagerduty.com": want an absolute http or https URL`,
		`notify: receivers[0]: name is required`,
		`notify: receivers[1] "pagerduty": name is used twice (the pagerduty shorthand is named "pagerduty")`,
		`notify: receivers[2] "both": slack url "ftp://x": want an absolute http or https URL`,
		`notify: receivers[2] "both": has 2 of pagerduty, webhook and slack; set exactly one`,
		`notify: receivers[3] "none": has 0 of pagerduty, webhook and slack; set exactly one`,
		`notify: receivers[4] "hook": webhook url is required`,
		`notify: routes[0]: receiver is required`,
		`notify: routes[0]: match has an empty label name`,
		"notify: routes[0]: match_re a: error parsing regexp: invalid character class range: `z-a`",
		"notify: routes[0]: match_re b: error parsing regexp: missing closing ): `^(?:()$`",
		`notify: routes[1]: receiver "nobody" is not defined`,
		`notify: default_receiver "missing" is not defined`,
	}
	err := c.Validate()
	require.Error(t, err)
	require.Equal(t, want, strings.Split(err.Error(), "\n"))

	_, err = New(Options{Config: c})
	require.Equal(t, want, strings.Split(err.Error(), "\n"))
}

func TestConfigValidateRequiresADefault(t *testing.T) {
	c := Config{Receivers: []Receiver{
		{Name: "a", Webhook: &WebhookConfig{URL: "http://a"}},
		{Name: "b", Webhook: &WebhookConfig{URL: "http://b"}},
	}}
	require.EqualError(t, c.Validate(), "notify: default_receiver is required with 2 receivers and no pagerduty shorthand; alerts that match no route would be lost")
}

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	require.Equal(t, Config{RepeatInterval: 4 * time.Hour, GiveUpAfter: 5 * time.Minute, QueueSize: 1000}, c)
	p := PagerDutyConfig{RoutingKey: "k"}.withDefaults()
	require.Equal(t, PagerDutyConfig{RoutingKey: "k", EventsURL: "https://events.pagerduty.com", Client: "Vigil"}, p)
}
