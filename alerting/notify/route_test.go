package notify

import (
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func TestRouter(t *testing.T) {
	hook := func(name string) Receiver { return Receiver{Name: name, Webhook: &WebhookConfig{URL: "http://x"}} }
	cfg := Config{
		PagerDuty: &PagerDutyConfig{RoutingKey: "k"},
		Receivers: []Receiver{hook("web"), hook("db"), hook("quiet")},
		Routes: []Route{
			{Match: map[string]string{"team": "web", "env": "prod"}, Receiver: "web"},
			{MatchRE: map[string]string{"service": "db|cache-.*"}, Receiver: "db"},
			{Match: map[string]string{"team": "web"}, Receiver: "quiet"},
			{Match: map[string]string{"severity": ""}, MatchRE: map[string]string{"alertname": "Watchdog.*"}, Receiver: "quiet"},
		},
	}
	rt, err := newRouter(cfg)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		labels []string
		want   string
	}{
		{"every match label equal", []string{"team", "web", "env", "prod", "service", "db"}, "web"},
		{"first match wins", []string{"team", "web", "env", "prod", "service", "cache-1"}, "web"},
		{"match_re alternative", []string{"service", "db"}, "db"},
		{"match_re prefix", []string{"service", "cache-7"}, "db"},
		{"match_re is anchored", []string{"service", "mydb"}, "pagerduty"},
		{"later route", []string{"team", "web", "env", "dev"}, "quiet"},
		{"missing label matches empty value", []string{"alertname", "WatchdogHeartbeat"}, "quiet"},
		{"present label does not match empty value", []string{"alertname", "WatchdogHeartbeat", "severity", "info"}, "pagerduty"},
		{"default", []string{"alertname", "Other"}, "pagerduty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, rt.receiver(labels.FromStrings(tc.labels...)))
		})
	}
}

func TestRouterDefaults(t *testing.T) {
	hook := Receiver{Name: "audit", Webhook: &WebhookConfig{URL: "http://x"}}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"pagerduty shorthand and no routes", Config{PagerDuty: &PagerDutyConfig{RoutingKey: "k"}}, PagerDutyReceiver},
		{"shorthand beside receivers", Config{PagerDuty: &PagerDutyConfig{RoutingKey: "k"}, Receivers: []Receiver{hook}}, PagerDutyReceiver},
		{"the only receiver", Config{Receivers: []Receiver{hook}}, "audit"},
		{"explicit default", Config{PagerDuty: &PagerDutyConfig{RoutingKey: "k"}, Receivers: []Receiver{hook}, Default: "audit"}, "audit"},
		{"nothing configured", Config{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, err := newRouter(tc.cfg)
			require.NoError(t, err)
			require.Equal(t, tc.want, rt.receiver(labels.FromStrings("alertname", "A")))
		})
	}
}
