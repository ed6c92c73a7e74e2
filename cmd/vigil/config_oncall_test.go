package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// oncallIssueConfig is the oncall section of issue 8, with webhooks.
const oncallIssueConfig = `oncall:
  pagerduty:
    api_url: https://api.pagerduty.com
    token_env: PAGERDUTY_TOKEN
  interval: 1h
  standards:
    - name: critical
      teams: [storage, web]
      min_layers: 2
      max_layer_delay: 15m
      max_chain: 30m
      notify:
        urgency: high
        require_any: [phone, sms]
        require_all: [push]
        max_start_delay: 1m
      schedule_coverage: 100%
      coverage_window: 336h
    - name: default
      min_layers: 1
      min_loops: 1
      notify:
        require_any: [phone, sms, push]
      schedule_coverage: 0.995
  team_webhooks:
    web: https://hooks.example.com/web
    PSTORAGE: http://hooks.example.com/storage
`

func TestParseOncall(t *testing.T) {
	cfg, err := Parse("vigil.yml", []byte(oncallIssueConfig))
	require.NoError(t, err)
	require.Equal(t, &oncall.Config{
		APIURL:   "https://api.pagerduty.com",
		TokenEnv: "PAGERDUTY_TOKEN",
		Interval: time.Hour,
		Standards: []oncall.Standard{{
			Name: "critical", Teams: []string{"storage", "web"},
			MinLayers: 2, MaxLayerDelay: 15 * time.Minute, MaxChain: 30 * time.Minute,
			Notify:           &oncall.NotifyStandard{Urgency: "high", RequireAny: []string{"phone", "sms"}, RequireAll: []string{"push"}, MaxStartDelay: time.Minute},
			ScheduleCoverage: 1, CoverageWindow: 336 * time.Hour,
		}, {
			Name: "default", MinLayers: 1, MinLoops: 1,
			Notify:           &oncall.NotifyStandard{Urgency: "high", RequireAny: []string{"phone", "sms", "push"}},
			ScheduleCoverage: 0.995, CoverageWindow: oncall.DefaultCoverageWindow,
		}},
		TeamWebhooks: map[string]string{"web": "https://hooks.example.com/web", "PSTORAGE": "http://hooks.example.com/storage"},
	}, cfg.OnCall)
}

func TestParseOncallDefaults(t *testing.T) {
	cfg, err := Parse("vigil.yml", []byte("oncall:\n  standards:\n    - {name: all, min_layers: 2}\n"))
	require.NoError(t, err)
	require.Equal(t, &oncall.Config{
		APIURL: oncall.DefaultAPIURL, TokenEnv: oncall.DefaultTokenEnv, Interval: oncall.DefaultInterval,
		Standards: []oncall.Standard{{Name: "all", MinLayers: 2}},
	}, cfg.OnCall)
}

func TestParseOncallAbsent(t *testing.T) {
	for _, yml := range []string{"", "oncall:\n", "server:\n  listen: :9096\n"} {
		cfg, err := Parse("vigil.yml", []byte(yml))
		require.NoError(t, err, yml)
		require.Nil(t, cfg.OnCall, yml)
	}
}

func TestParseOncallCoverage(t *testing.T) {
	tests := []struct {
		value   string
		want    float64
		wantErr string
	}{
		{"100%", 1, ""},
		{"99.5%", 0.995, ""},
		{`"50 %"`, 0.5, ""},
		{"0.995", 0.995, ""},
		{"1", 1, ""},
		{"101%", 0, `coverage "101%" is out of range: want 0% to 100%`},
		{"-1%", 0, `coverage "-1%" is out of range: want 0% to 100%`},
		{"1.5", 0, `coverage 1.5 is out of range: want a fraction from 0 to 1, or a percentage such as "99.5%"`},
		{"most", 0, `invalid coverage "most": want a percentage such as "99.5%" or a fraction from 0 to 1`},
		{"[1]", 0, `expected a percentage such as "99.5%", got a list`},
	}
	for _, tt := range tests {
		yml := "oncall:\n  standards:\n    - name: all\n      schedule_coverage: " + tt.value + "\n"
		cfg, err := Parse("vigil.yml", []byte(yml))
		if tt.wantErr != "" {
			require.EqualError(t, err, "vigil.yml:4: oncall.standards[0].schedule_coverage: "+tt.wantErr, tt.value)
			continue
		}
		require.NoError(t, err, tt.value)
		require.InDelta(t, tt.want, cfg.OnCall.Standards[0].ScheduleCoverage, 1e-12, tt.value)
	}
}

func TestParseOncallErrors(t *testing.T) {
	const yml = `oncall:
  pagerduty:
    api_url: ftp://pagerduty
    token_env: u+abc123
    token: abc
  interval: soon
  standards:
    - name: critical
      min_layers: 0
      max_layer_delay: 15
      notify:
        urgency: urgent
        require_any: [pager]
      coverage_window: 0s
    - teams: web
    - bogus
  team_webhooks:
    web: not a url
    web: https://hooks.example.com/web
`
	_, err := Parse("vigil.yml", []byte(yml))
	require.EqualError(t, err, `vigil.yml:3: oncall.pagerduty.api_url: invalid URL "ftp://pagerduty": want an absolute http:// or https:// URL
vigil.yml:4: oncall.pagerduty.token_env: invalid environment variable name "u+abc123": want letters, digits and _, such as PAGERDUTY_TOKEN (the token itself is never written in the file)
vigil.yml:5: oncall.pagerduty.token: unknown key (known keys: api_url, token_env)
vigil.yml:6: oncall.interval: invalid duration "soon"
vigil.yml:9: oncall.standards[0].min_layers: must be greater than 0
vigil.yml:10: oncall.standards[0].max_layer_delay: invalid duration "15"
vigil.yml:12: oncall.standards[0].notify.urgency: invalid value "urgent": want high or low
vigil.yml:13: oncall.standards[0].notify.require_any[0]: invalid value "pager": want push or sms or phone or email
vigil.yml:14: oncall.standards[0].coverage_window: must be greater than 0
vigil.yml:15: oncall.standards[1].teams: expected a list, got "web"
vigil.yml:15: oncall.standards[1].name: is required: name the standard, such as critical
vigil.yml:16: oncall.standards[2]: expected a mapping, got "bogus"
vigil.yml:18: oncall.team_webhooks.web: invalid URL "not a url": want an absolute http:// or https:// URL
vigil.yml:19: oncall.team_webhooks.web: duplicate team (first set at line 18)`, err.Error())
}

// TestParseOncallValidate: the problems only the whole section shows are
// oncall.Config.Validate's, reported at the section's line.
func TestParseOncallValidate(t *testing.T) {
	const yml = `log:
  level: info
oncall:
  interval: 30s
  standards:
    - name: critical
      teams: [web]
    - name: critical
      min_layers: 2
`
	_, err := Parse("vigil.yml", []byte(yml))
	require.EqualError(t, err, `vigil.yml:4: oncall: interval 30s: want at least 1m (or 0 for the default 1h)
vigil.yml:4: oncall: standard "critical": checks nothing; set at least one of min_layers, max_layer_delay, max_chain, min_loops, notify or schedule_coverage
vigil.yml:4: oncall: standard "critical": name is used by more than one standard`, err.Error())
}
