package oncall

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestValidateAcceptsValidConfigs(t *testing.T) {
	for name, c := range map[string]Config{
		"one check, defaults unset": {Standards: []Standard{{Name: "all", MinLayers: 1}}},
		"every field": {
			APIURL:   "http://127.0.0.1:9999",
			TokenEnv: "PD_TOKEN",
			Interval: time.Minute,
			Standards: []Standard{
				{
					Name: "critical", Teams: []string{"web"}, Policies: []string{"PPOL1"},
					MinLayers: 2, MaxLayerDelay: 15 * time.Minute, MaxChain: 30 * time.Minute, MinLoops: 1,
					Notify: &NotifyStandard{Urgency: "high", RequireAny: []string{"phone", "sms"},
						RequireAll: []string{"push"}, MaxStartDelay: time.Minute},
					ScheduleCoverage: 1, CoverageWindow: 336 * time.Hour,
				},
				{Name: "low", Notify: &NotifyStandard{Urgency: "low", RequireAll: []string{"email"}}},
				{Name: "coverage only", ScheduleCoverage: 0.5},
			},
			TeamWebhooks: map[string]string{"web": "https://hooks.example.com/web"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, c.Validate())
		})
	}
}

func TestValidateErrors(t *testing.T) {
	ok := Standard{Name: "ok", MinLayers: 1}
	for _, tc := range []struct {
		name string
		c    Config
		want []string
	}{
		{"no standards", Config{}, []string{`standards: none is defined; define at least one`}},
		{"api url not absolute", Config{APIURL: "api.pagerduty.com", Standards: []Standard{ok}},
			[]string{`pagerduty.api_url "api.pagerduty.com": want an absolute http or https URL`}},
		{"api url not http", Config{APIURL: "ftp://api.pagerduty.com", Standards: []Standard{ok}},
			[]string{`pagerduty.api_url "ftp://api.pagerduty.com": want an absolute http or https URL`}},
		{"api url unparsable", Config{APIURL: "http://[::1", Standards: []Standard{ok}},
			[]string{`pagerduty.api_url: parse "http://[::1": missing ']' in host`}},
		{"interval too short", Config{Interval: 30 * time.Second, Standards: []Standard{ok}},
			[]string{`interval 30s: want at least 1m (or 0 for the default 1h)`}},
		{"interval negative", Config{Interval: -time.Hour, Standards: []Standard{ok}},
			[]string{`interval -1h: want at least 1m (or 0 for the default 1h)`}},
		{"standard without name", Config{Standards: []Standard{ok, {MinLayers: 1}}},
			[]string{`standards[1]: name is required`}},
		{"standard names twice", Config{Standards: []Standard{ok, ok}},
			[]string{`standard "ok": name is used by more than one standard`}},
		{"standard checks nothing", Config{Standards: []Standard{{Name: "web", Teams: []string{"web"}, CoverageWindow: time.Hour}}},
			[]string{`standard "web": checks nothing; set at least one of min_layers, max_layer_delay, max_chain, min_loops, notify or schedule_coverage`}},
		{"negative numbers", Config{Standards: []Standard{{Name: "neg", MinLayers: -1, MaxLayerDelay: -time.Minute,
			MaxChain: -90 * time.Minute, MinLoops: -2}}},
			[]string{
				`standard "neg": min_layers -1 is negative`,
				`standard "neg": max_layer_delay -1m is negative`,
				`standard "neg": max_chain -1h30m is negative`,
				`standard "neg": min_loops -2 is negative`,
			}},
		{"coverage above 100%", Config{Standards: []Standard{{Name: "c", ScheduleCoverage: 1.5}}},
			[]string{`standard "c": schedule_coverage 150%: want between 0% and 100%`}},
		{"coverage negative", Config{Standards: []Standard{{Name: "c", MinLayers: 1, ScheduleCoverage: -0.1}}},
			[]string{`standard "c": schedule_coverage -10%: want between 0% and 100%`}},
		{"coverage NaN", Config{Standards: []Standard{{Name: "c", ScheduleCoverage: math.NaN()}}},
			[]string{`standard "c": schedule_coverage NaN%: want between 0% and 100%`}},
		{"coverage window negative", Config{Standards: []Standard{{Name: "c", ScheduleCoverage: 1, CoverageWindow: -time.Hour}}},
			[]string{`standard "c": coverage_window -1h: want a positive window (or 0 for the default 336h)`}},
		{"urgency", Config{Standards: []Standard{{Name: "critical", Notify: &NotifyStandard{Urgency: "urgent", RequireAll: []string{"push"}}}}},
			[]string{`standard "critical": notify.urgency "urgent": want high or low`}},
		{"unknown contact types", Config{Standards: []Standard{{Name: "critical", Notify: &NotifyStandard{
			RequireAny: []string{"phone", "pager"}, RequireAll: []string{"Push"}}}}},
			[]string{
				`standard "critical": notify.require_any: unknown contact type "pager" (want push, sms, phone or email)`,
				`standard "critical": notify.require_all: unknown contact type "Push" (want push, sms, phone or email)`,
			}},
		{"notify requires nothing", Config{Standards: []Standard{{Name: "critical", Notify: &NotifyStandard{MaxStartDelay: -time.Minute}}}},
			[]string{
				`standard "critical": notify.require_any and notify.require_all are both empty; name at least one contact type`,
				`standard "critical": notify.max_start_delay -1m is negative`,
			}},
		{"team webhooks", Config{Standards: []Standard{ok}, TeamWebhooks: map[string]string{
			"web": "hooks.example.com", "db": "", "": "https://x.example.com", "ops": "https://ops.example.com/hook"}},
			[]string{
				`team_webhooks: a team name is empty`,
				`team_webhooks "db": url is required`,
				`team_webhooks "web": url "hooks.example.com": want an absolute http or https URL`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			require.Error(t, err)
			require.Equal(t, tc.want, strings.Split(err.Error(), "\n"))
		})
	}
}

func TestValidateChangesNothing(t *testing.T) {
	c := Config{Standards: []Standard{{Name: "s", ScheduleCoverage: 1, Notify: &NotifyStandard{RequireAll: []string{"push"}}}}}
	require.NoError(t, c.Validate())
	require.Equal(t, Config{Standards: []Standard{{Name: "s", ScheduleCoverage: 1, Notify: &NotifyStandard{RequireAll: []string{"push"}}}}}, c)
}

func TestApplyDefaults(t *testing.T) {
	c := Config{Standards: []Standard{
		{Name: "coverage", ScheduleCoverage: 0.9},
		{Name: "own window", ScheduleCoverage: 1, CoverageWindow: time.Hour},
		{Name: "no coverage", MinLayers: 2, Notify: &NotifyStandard{RequireAll: []string{"push"}}},
		{Name: "low", Notify: &NotifyStandard{Urgency: "low", RequireAll: []string{"email"}}},
	}}
	c.ApplyDefaults()
	require.Equal(t, Config{
		APIURL: DefaultAPIURL, TokenEnv: DefaultTokenEnv, Interval: DefaultInterval,
		Standards: []Standard{
			{Name: "coverage", ScheduleCoverage: 0.9, CoverageWindow: DefaultCoverageWindow},
			{Name: "own window", ScheduleCoverage: 1, CoverageWindow: time.Hour},
			{Name: "no coverage", MinLayers: 2, Notify: &NotifyStandard{Urgency: "high", RequireAll: []string{"push"}}},
			{Name: "low", Notify: &NotifyStandard{Urgency: "low", RequireAll: []string{"email"}}},
		},
	}, c)
	require.NoError(t, c.Validate())

	set := Config{APIURL: "http://127.0.0.1:1", TokenEnv: "T", Interval: time.Minute}
	set.ApplyDefaults()
	require.Equal(t, Config{APIURL: "http://127.0.0.1:1", TokenEnv: "T", Interval: time.Minute}, set)
}

func TestWindow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		standards []Standard
		want      time.Duration
	}{
		{"none", nil, 0},
		{"no coverage checked", []Standard{{Name: "a", MinLayers: 1, CoverageWindow: 48 * time.Hour}}, 0},
		{"default window", []Standard{{Name: "a", ScheduleCoverage: 1}}, DefaultCoverageWindow},
		{"widest", []Standard{
			{Name: "a", ScheduleCoverage: 1, CoverageWindow: 24 * time.Hour},
			{Name: "b", ScheduleCoverage: 0.5, CoverageWindow: 720 * time.Hour},
			{Name: "c", MinLayers: 1, CoverageWindow: 1000 * time.Hour},
		}, 720 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Standards: tc.standards}
			require.Equal(t, tc.want, c.Window())
		})
	}
}

func TestSelects(t *testing.T) {
	p := Policy{ID: "PPOL1", Name: "Web", Teams: []Ref{{ID: "PTEAM1", Name: "web"}, {ID: "PTEAM2", Name: "frontend"}}}
	lonely := Policy{ID: "PPOL2", Name: "Batch"}
	for _, tc := range []struct {
		name string
		s    Standard
		p    Policy
		want bool
	}{
		{"neither: every policy", Standard{}, p, true},
		{"neither: a policy without team", Standard{}, lonely, true},
		{"team by name", Standard{Teams: []string{"storage", "web"}}, p, true},
		{"second team by name", Standard{Teams: []string{"frontend"}}, p, true},
		{"team by ID", Standard{Teams: []string{"PTEAM2"}}, p, true},
		{"team name in any case", Standard{Teams: []string{"WEB"}}, p, true},
		{"team name otherwise exact", Standard{Teams: []string{"web ", "we"}}, p, false},
		{"team ID is exact", Standard{Teams: []string{"pteam2"}}, p, false},
		{"team: policy without team", Standard{Teams: []string{"web"}}, lonely, false},
		{"policy by name", Standard{Policies: []string{"Web"}}, p, true},
		{"policy by ID", Standard{Policies: []string{"PPOL1"}}, p, true},
		{"policy name in any case", Standard{Policies: []string{"web"}}, p, true},
		{"policy ID is exact", Standard{Policies: []string{"ppol1"}}, p, false},
		{"both: team selects", Standard{Teams: []string{"web"}, Policies: []string{"Other"}}, p, true},
		{"both: policy selects", Standard{Teams: []string{"storage"}, Policies: []string{"Batch"}}, lonely, true},
		{"both: neither selects", Standard{Teams: []string{"storage"}, Policies: []string{"Other"}}, p, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.s.Selects(tc.p))
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                              "0s",
		45 * time.Second:               "45s",
		15 * time.Minute:               "15m",
		90 * time.Minute:               "1h30m",
		12 * time.Hour:                 "12h",
		336 * time.Hour:                "336h",
		time.Hour + 5*time.Second:      "1h0m5s",
		-time.Minute:                   "-1m",
		2*time.Minute + 30*time.Second: "2m30s",
		1500 * time.Millisecond:        "1.5s",
	} {
		require.Equal(t, want, formatDuration(d), "%v", d)
	}
}
