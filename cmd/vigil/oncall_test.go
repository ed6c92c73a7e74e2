package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall"
	"github.com/vigilsre/vigil/alerting/oncall/oncalltest"
)

// oncallTokenEnv is the token variable of the test configurations.
const oncallTokenEnv = "VIGIL_TEST_PAGERDUTY_TOKEN"

// criticalStandard is the "critical" standard, for every policy.
const criticalStandard = `    - name: critical
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
`

// writeOncallConfig writes a configuration reading PagerDuty at apiURL
// with standards, and returns its path.
func writeOncallConfig(t *testing.T, apiURL, standards string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "vigil.yml")
	yml := fmt.Sprintf("oncall:\n  pagerduty:\n    api_url: %s\n    token_env: %s\n  standards:\n%s", apiURL, oncallTokenEnv, standards)
	require.NoError(t, os.WriteFile(file, []byte(yml), 0o644))
	return file
}

// runOncall runs a command line and returns its exit code and output.
func runOncall(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// fixtureServer starts a stand-in for PagerDuty serving the fixture
// account, and sets the token variable to its token.
func fixtureServer(t *testing.T) (*oncalltest.Server, time.Time) {
	t.Helper()
	now := time.Now().UTC()
	srv := oncalltest.NewServer(oncalltest.Fixture(now))
	t.Cleanup(srv.Close)
	t.Setenv(oncallTokenEnv, srv.Token)
	return srv, now
}

// fixtureViolations are the violations of the fixture account against
// criticalStandard, as oncalltest.Fixture documents them, in the order of
// the report (policy name, check, detail). D is 00:00 UTC of now's date.
func fixtureViolations(now time.Time) []oncall.Violation {
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	gapDay := d.AddDate(0, 0, 2).Format(time.DateOnly)
	v := func(id, policy, team, check, detail string) oncall.Violation {
		return oncall.Violation{PolicyID: id, Policy: policy, Team: team, Standard: "critical", Check: check, Detail: detail}
	}
	return []oncall.Violation{
		v("PEPDATA", "Data pipeline", "Data", "coverage", `Schedule "Data primary" covers 96.4% of the next 336h (needs 100%): nobody on call `+gapDay+` 08:00–20:00 UTC (12h)`),
		v("PEPLEGA", "Legacy batch", "", "notification", "Jonas Berg (jonas.berg@example.com) is notified too late for high-urgency pages: phone starts after 5m, at most 1m allowed"),
		v("PEPPAYM", "Payments", "Payments", "chain_delay", `The last of 3 layers is reached after 1h; the standard "critical" allows at most 30m`),
		v("PEPPAYM", "Payments", "Payments", "layer_delay", `Layer 1 waits 30m before escalating; the standard "critical" allows at most 15m`),
		v("PEPPAYM", "Payments", "Payments", "layer_delay", `Layer 2 waits 30m before escalating; the standard "critical" allows at most 15m`),
		v("PEPSRCH", "Search", "Search", "notification", "Ana Lima (ana@example.com) has no push notification and no phone or sms notification for high-urgency pages"),
		v("PEPWEB1", "Web frontend", "Web", "layers", `1 escalation layer; the standard "critical" requires at least 2`),
	}
}

// fixtureText is the text output of the fixture's check.
func fixtureText(now time.Time) string {
	vs := fixtureViolations(now)
	var b strings.Builder
	for i, v := range vs {
		if i == 0 || vs[i-1].PolicyID != v.PolicyID {
			if i > 0 {
				b.WriteString("\n")
			}
			team := "team " + v.Team
			if v.Team == "" {
				team = "no team"
			}
			fmt.Fprintf(&b, "%s (%s), %s, standard \"critical\":\n", v.Policy, v.PolicyID, team)
		}
		fmt.Fprintf(&b, "  %s: %s\n", v.Check, v.Detail)
	}
	b.WriteString("\n7 escalation policies checked: 5 miss their standard (7 violations), 2 meet it.\n")
	return b.String()
}

// fixtureJSON is the JSON output of the fixture's check, built by hand.
func fixtureJSON(now time.Time) string {
	var items []string
	for _, v := range fixtureViolations(now) {
		items = append(items, fmt.Sprintf(`{"policy_id":%q,"policy":%q,"team":%q,"standard":%q,"check":%q,"detail":%q}`,
			v.PolicyID, v.Policy, v.Team, v.Standard, v.Check, v.Detail))
	}
	return `{"checked":7,"violations":[` + strings.Join(items, ",") + `]}`
}

const fixtureSummary = "vigil: 7 violations in 5 escalation policies\n"

func TestOncallCheckText(t *testing.T) {
	srv, now := fixtureServer(t)
	code, out, errOut := runOncall("oncall", "check", "--config", writeOncallConfig(t, srv.URL, criticalStandard))
	require.Equal(t, 1, code, errOut)
	require.Equal(t, fixtureText(now), out)
	require.Equal(t, fixtureSummary, errOut)
}

func TestOncallCheckJSON(t *testing.T) {
	srv, now := fixtureServer(t)
	code, out, errOut := runOncall("oncall", "check", "--config", writeOncallConfig(t, srv.URL, criticalStandard), "--output", "json")
	require.Equal(t, 1, code, errOut)
	require.JSONEq(t, fixtureJSON(now), out)
	require.Equal(t, fixtureSummary, errOut)
}

func TestOncallCheckAllMeet(t *testing.T) {
	srv, _ := fixtureServer(t)
	standards := "    - name: critical\n      policies: [PEPTOOL, Storage critical]\n      min_layers: 2\n      max_layer_delay: 15m\n"
	code, out, errOut := runOncall("oncall", "check", "--config", writeOncallConfig(t, srv.URL, standards))
	require.Equal(t, 0, code, errOut)
	require.Equal(t, "2 escalation policies checked: all meet their standard.\n", out)
	require.Empty(t, errOut)
	code, out, _ = runOncall("oncall", "check", "--config", writeOncallConfig(t, srv.URL, standards), "--output", "json")
	require.Equal(t, 0, code)
	require.JSONEq(t, `{"checked":2,"violations":[]}`, out)
}

func TestOncallCheckRateLimitedThenServed(t *testing.T) {
	srv, now := fixtureServer(t)
	srv.RetryAfter = 0 // ratelimit-reset: 0, so the retry does not wait a real second
	srv.FailNext(1, http.StatusTooManyRequests)
	code, out, errOut := runOncall("oncall", "check", "--config", writeOncallConfig(t, srv.URL, criticalStandard))
	require.Equal(t, 1, code, errOut)
	require.Equal(t, fixtureText(now), out)
	require.Equal(t, fixtureSummary, errOut)
	log := srv.RequestLog()
	require.Equal(t, []string{
		"GET /escalation_policies?limit=100 429",
		"GET /escalation_policies?limit=100 200",
	}, log[:2])
}

// downURL is the API URL of a PagerDuty that refuses connections, with
// refusePagerDuty.
const downURL = "http://127.0.0.1:9"

// refusePagerDuty makes every PagerDuty reader the commands build, until
// the test ends, fail as a host where nothing listens does, without
// dialling: no other process can take the port.
func refusePagerDuty(t *testing.T) {
	t.Helper()
	oncallTestTransport = refusedTransport{}
	t.Cleanup(func() { oncallTestTransport = nil })
}

// refusedTransport answers every request with ECONNREFUSED from
// 127.0.0.1:9.
type refusedTransport struct{}

func (refusedTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// refusedError is the reason a check of downURL fails.
const refusedError = "read PagerDuty escalation policies: PagerDuty is unavailable: GET " + downURL +
	"/escalation_policies?limit=100: dial tcp 127.0.0.1:9: connect: connection refused (1 attempt)"

// failingWriter refuses every write, as a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestOncallCheckWriteFailureExits2: a report that cannot be written is a
// check that could not be made (2), not violations (1).
func TestOncallCheckWriteFailureExits2(t *testing.T) {
	srv, _ := fixtureServer(t)
	file := writeOncallConfig(t, srv.URL, criticalStandard)
	for _, output := range []string{oncallOutputText, oncallOutputJSON} {
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"oncall", "check", "--config", file, "--output", output}, strings.NewReader(""), failingWriter{}, &errOut)
		require.Equal(t, 2, code, output)
		require.Equal(t, "vigil: write report: broken pipe\n", errOut.String(), output)
	}
}

func TestOncallCheckCannotRead(t *testing.T) {
	srv, _ := fixtureServer(t)
	file := writeOncallConfig(t, srv.URL, criticalStandard)
	downFile := writeOncallConfig(t, downURL, criticalStandard)
	noSection := filepath.Join(t.TempDir(), "vigil.yml")
	require.NoError(t, os.WriteFile(noSection, []byte("log:\n  level: info\n"), 0o644))

	t.Run("token unset", func(t *testing.T) {
		t.Setenv(oncallTokenEnv, "")
		code, out, errOut := runOncall("oncall", "check", "--config", file)
		require.Equal(t, 2, code)
		require.Empty(t, out)
		require.Equal(t, "vigil: oncall: $"+oncallTokenEnv+" is not set: "+oncall.ErrNoToken.Error()+
			" (in PagerDuty: Integrations > API Access Keys > Create New API Key, Read-only) in $"+oncallTokenEnv+"\n", errOut)
	})
	t.Run("401", func(t *testing.T) {
		t.Setenv(oncallTokenEnv, "not-the-token")
		code, out, errOut := runOncall("oncall", "check", "--config", file)
		require.Equal(t, 2, code)
		require.Empty(t, out)
		require.Equal(t, "vigil: oncall: PagerDuty at "+srv.URL+": PagerDuty rejected the API token (401 Unauthorized): use a valid read-only REST API token\n", errOut)
	})
	t.Run("server down", func(t *testing.T) {
		refusePagerDuty(t)
		code, out, errOut := runOncall("oncall", "check", "--config", downFile)
		require.Equal(t, 2, code)
		require.Empty(t, out)
		require.Equal(t, "vigil: oncall: PagerDuty at "+downURL+": "+refusedError+"\n", errOut)
	})
	t.Run("no oncall section", func(t *testing.T) {
		code, out, errOut := runOncall("oncall", "check", "--config", noSection)
		require.Equal(t, 2, code)
		require.Empty(t, out)
		require.Equal(t, "vigil: oncall: "+noSection+" has no oncall section; add one with the standards to check (see examples/vigil.yml)\n", errOut)
	})
	t.Run("no --config", func(t *testing.T) {
		code, _, errOut := runOncall("oncall", "check")
		require.Equal(t, 2, code)
		require.Equal(t, "vigil: --config is required: the configuration file with the oncall section (see \"vigil oncall check --help\")\n", errOut)
	})
	t.Run("bad --output", func(t *testing.T) {
		code, _, errOut := runOncall("oncall", "check", "--config", file, "--output", "yaml")
		require.Equal(t, 2, code)
		require.Equal(t, "vigil: --output: invalid format \"yaml\": want text or json (see \"vigil oncall check --help\")\n", errOut)
	})
}
