package sevbridge

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParsePolicyGood(t *testing.T) {
	t.Setenv("VIGIL_TEST_BMOC_KEY", "KEY-BMOC")
	p, err := ParsePolicyFile("testdata/policy/good.yml")
	require.NoError(t, err)
	levels := func(rows ...LevelRow) []LevelRow { return rows }
	want := &Policy{
		Interval: 10 * time.Second, CorrelationWindow: 15 * time.Minute, RecoveryFor: 2 * time.Minute, ResolveAfter: 5 * time.Minute,
		SLA: SLAPolicy{Target: 0.999, InternalTarget: 0.9995, DownBelow: 0.99},
		Global: &GlobalPolicy{
			SLI:    `sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))`,
			Levels: levels(LevelRow{0, 0.5, 0}, LevelRow{1, 0.9, 30 * time.Second}, LevelRow{2, 0.99, time.Minute}),
		},
		Routes: &RoutesPolicy{
			SLI: `sum by (route) (rate(http_requests_total{code!~"5.."}[1m])) / sum by (route) (rate(http_requests_total[1m]))`,
			Buckets: map[string]Bucket{
				"critical":  {Routes: []string{"/login", "/upload"}, Levels: levels(LevelRow{1, 0.9, 30 * time.Second}, LevelRow{2, 0.97, 30 * time.Second})},
				"important": {Routes: []string{"/share"}, Levels: levels(LevelRow{3, 0.95, time.Minute})},
			},
		},
		Roles: RolesPolicy{
			IMOC: Rotation{People: []string{"ana", "ben"}, Shift: 168 * time.Hour, RoutingKey: "KEY-IMOC", EscalationPolicy: "SEV IMOC"},
			TLOC: Rotation{People: []string{"eve"}, Shift: 168 * time.Hour, RoutingKey: "KEY-TLOC", EscalationPolicy: "PTLOC01"},
			BMOC: Rotation{People: []string{"cat"}, Shift: 168 * time.Hour, RoutingKey: "KEY-BMOC"},
			Teams: []TeamRotation{
				{Match: map[string]string{"route": "/login"}, Rotation: Rotation{People: []string{"dan"}, Shift: 168 * time.Hour, RoutingKey: "KEY-LOGIN", EscalationPolicy: "Identity"}},
				{Match: map[string]string{"team": "storage"}, Rotation: Rotation{People: []string{"sam"}, Shift: 168 * time.Hour, RoutingKey: "KEY-STORAGE"}},
			},
		},
		Webhooks: []string{"http://127.0.0.1:1/hook"},
		Channel:  "#incident-{{.Number}}",
	}
	require.Equal(t, want, p)
	require.Equal(t, "#incident-7", p.ChannelName(7))
	b, ok := p.BucketOf("/share")
	require.True(t, ok)
	require.Equal(t, "important", b)
	_, ok = p.BucketOf("/about")
	require.False(t, ok)
}

func TestParsePolicyDefaults(t *testing.T) {
	p, err := ParsePolicyFile("testdata/policy/minimal.yml")
	require.NoError(t, err)
	require.Equal(t, time.Duration(0), p.Interval)
	require.Equal(t, 15*time.Minute, p.CorrelationWindow)
	require.Equal(t, 2*time.Minute, p.RecoveryFor)
	require.Equal(t, 10*time.Minute, p.ResolveAfter)
	require.Equal(t, SLAPolicy{Target: 0.999, InternalTarget: 0.9995, DownBelow: 0.99}, p.SLA)
	require.Nil(t, p.Global)
	require.Nil(t, p.Routes)
	require.Equal(t, "#sev-3", p.ChannelName(3))
	require.Equal(t, Rotation{People: []string{"ana"}, Shift: 168 * time.Hour, RoutingKey: "K1"}, p.Roles.IMOC)
}

func TestParsePolicyBad(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"no_roles.bad.yml", []string{"1: roles: missing"}},
		{"unknown_key.bad.yml", []string{
			"2: recovery: unknown key",
			"5: sla.budget: unknown key",
			"7: roles.imoc.pager: unknown key",
		}},
		{"values.bad.yml", []string{
			`1: correlation_window: bad duration "15 minutes": unknown unit " minutes" in duration "15 minutes"`,
			`2: recovery_for: bad duration "-1m": not a valid duration string: "-1m"`,
			"4: sla.target: 1.5 is outside (0, 1]",
			`5: sla.down_below: want a number, got "zero"`,
			"8: availability.global.sli: bad PromQL: 1:33: parse error: unclosed left parenthesis",
			`10: availability.global.levels[0].level: want a level 0-3, got "4"`,
			"11: availability.global.levels[1].below: 0 is outside (0, 1]",
			"12: availability.global.levels[2].below: missing",
		}},
		{"routes.bad.yml", []string{
			`9: availability.routes.buckets.minor.routes[1]: route "/login" is already in bucket "critical"`,
			"10: availability.routes.buckets.minor.levels: want a non-empty list of {level, below, for}",
		}},
		{"roles.bad.yml", []string{
			"2: roles.imoc.rotation: want a non-empty list of people",
			"3: roles.tloc.routing_key: missing (or set routing_key_env)",
			"4: roles.bmoc.routing_key_env: environment variable VIGIL_TEST_UNSET_KEY is empty",
			"6: roles.teams[0].match: missing",
			"7: roles.teams[1].routing_key: set routing_key or routing_key_env, not both",
		}},
		{"escalation_policy.bad.yml", []string{
			"2: roles.imoc.escalation_policy: want a value, got a list",
			"3: roles.tloc.escalation_policy: want a PagerDuty escalation policy name or ID, got nothing",
			"4: roles.bmoc.escalation_policy: want a PagerDuty escalation policy name or ID, got nothing",
			"7: roles.teams[0].escalation_policy: want a value, got a mapping",
			"10: roles.teams[1].escalation_policy: want a PagerDuty escalation policy name or ID, got nothing",
			"11: roles.teams[2].escalation_policy: duplicate key",
		}},
		{"shape.bad.yml", []string{
			"1: interval: want a value, got a list",
			`2: availability: want a mapping, got "yes"`,
			`4: roles.imoc: want a mapping, got "ana"`,
			"5: roles.tloc.shift: must be positive",
			"7: channel: bad template: template: channel:1: unclosed action",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			file := filepath.Join("testdata/policy", tc.file)
			_, err := ParsePolicyFile(file)
			require.Error(t, err)
			var want []string
			for _, w := range tc.want {
				want = append(want, file+":"+w)
			}
			require.Equal(t, strings.Join(want, "\n"), err.Error())
		})
	}
}

func TestParsePolicySyntaxError(t *testing.T) {
	_, err := ParsePolicyFile("testdata/policy/syntax.bad.yml")
	require.EqualError(t, err, "testdata/policy/syntax.bad.yml: yaml: line 1: did not find expected ',' or '}'")
}

func TestParsePolicyEveryBadFixtureFails(t *testing.T) {
	files, err := filepath.Glob("testdata/policy/*.bad.yml")
	require.NoError(t, err)
	require.Len(t, files, 8)
	for _, f := range files {
		_, err := ParsePolicyFile(f)
		require.Error(t, err, f)
	}
}

func TestRotationOnCall(t *testing.T) {
	r := Rotation{People: []string{"ana", "ben", "cy"}, Shift: 168 * time.Hour}
	epoch := time.Unix(0, 0)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{epoch, "ana"},
		{epoch.Add(168*time.Hour - time.Nanosecond), "ana"},
		{epoch.Add(168 * time.Hour), "ben"},
		{epoch.Add(2 * 168 * time.Hour), "cy"},
		{epoch.Add(3 * 168 * time.Hour), "ana"},
		{epoch.Add(-time.Second), "cy"},
		{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), "cy"}, // a Thursday: shift 2969 since the epoch, 2969 % 3 = 2
	} {
		require.Equal(t, tc.want, r.OnCall(tc.at), tc.at)
	}
	require.Equal(t, "", Rotation{}.OnCall(epoch))
}

func TestTLOCRotation(t *testing.T) {
	rp := RolesPolicy{
		TLOC: Rotation{People: []string{"eve"}},
		Teams: []TeamRotation{
			{Match: map[string]string{"route": "/login"}, Rotation: Rotation{People: []string{"dan"}}},
			{Match: map[string]string{"team": "storage", "env": "prod"}, Rotation: Rotation{People: []string{"sam"}}},
		},
	}
	for _, tc := range []struct {
		lbls map[string]string
		want string
	}{
		{map[string]string{"route": "/login"}, "dan"},
		{map[string]string{"route": "/upload"}, "eve"},
		{map[string]string{"team": "storage", "env": "prod", "alertname": "X"}, "sam"},
		{map[string]string{"team": "storage"}, "eve"},
		{nil, "eve"},
	} {
		require.Equal(t, tc.want, rp.tlocRotation(tc.lbls).People[0], tc.lbls)
	}
	require.Equal(t, "sam", rp.tlocRotationOf("sam").People[0])
	require.Equal(t, "eve", rp.tlocRotationOf("zed").People[0])
}
