package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// newOncallCmd builds "vigil oncall", the parent of the on-call commands.
func newOncallCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oncall",
		Short: "Check every team's PagerDuty set-up against the on-call standards",
		Long: `Check every escalation policy of a PagerDuty account against the on-call
standards of the configuration's oncall section: how many layers, how long
each waits, how long the whole chain takes, whether every responder can be
reached by phone or push in time, whether the schedules have gaps.
"vigil serve" runs the same check every oncall.interval.`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newOncallCheckCmd())
	return cmd
}

// Outputs of "vigil oncall check".
const (
	oncallOutputText = "text"
	oncallOutputJSON = "json"
)

// oncallFlags are the flags of "vigil oncall check".
type oncallFlags struct {
	config string // --config
	output string // --output
}

// newOncallCheckCmd builds "vigil oncall check".
func newOncallCheckCmd() *cobra.Command {
	var f oncallFlags
	cmd := &cobra.Command{
		Use:   "check --config FILE [--output text|json]",
		Short: "Read PagerDuty once and print every violation of the on-call standards",
		Long: `Read the PagerDuty account of the configuration's oncall section once (the
API token comes from the variable oncall.pagerduty.token_env, by default
PAGERDUTY_TOKEN; a read-only key is enough), check every escalation policy
against the first standard that selects it, and print the violations
grouped by escalation policy: the policy, its team and the standard that
applies, then each check and its detail, and a summary line.

--output json prints instead
  {"checked": N, "violations": [{"policy_id", "policy", "team", "standard", "check", "detail"}]}

The exit code is 0 when every policy meets its standard, 1 when there is
any violation, and 2 when nothing could be checked: no oncall section, an
invalid configuration, the token variable unset or empty, PagerDuty
rejecting the token or unreachable (the reason is printed on standard
error), or a command line that does not parse.`,
		Example: `  export PAGERDUTY_TOKEN=...   # a read-only REST API key
  vigil oncall check --config vigil.yml
  vigil oncall check --config vigil.yml --output json | jq -r '.violations[].policy' | sort -u`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.check(cmd); err != nil {
				return err
			}
			rep, err := f.run(cmd)
			if err != nil {
				return &checkFailedError{err: err}
			}
			return printOncall(cmd.OutOrStdout(), rep, f.output)
		},
	}
	cmd.Flags().StringVar(&f.config, "config", "", "configuration file with an oncall section; required")
	cmd.Flags().StringVar(&f.output, "output", oncallOutputText, "output format: text or json")
	return cmd
}

// check refuses a command line without --config or with an unknown
// --output.
func (f *oncallFlags) check(cmd *cobra.Command) error {
	switch {
	case f.config == "":
		return &usageError{path: cmd.CommandPath(), err: errors.New("--config is required: the configuration file with the oncall section")}
	case f.output != oncallOutputText && f.output != oncallOutputJSON:
		return &usageError{path: cmd.CommandPath(), err: fmt.Errorf("--output: invalid format %q: want text or json", f.output)}
	}
	return nil
}

// run reads the configuration and PagerDuty and checks the policies.
func (f *oncallFlags) run(cmd *cobra.Command) (oncall.Report, error) {
	cfg, err := ParseFile(f.config)
	if err != nil {
		return oncall.Report{}, configError(err, "nothing was checked")
	}
	if cfg.OnCall == nil {
		return oncall.Report{}, fmt.Errorf("oncall: %s has no oncall section; add one with the standards to check (see examples/vigil.yml)", f.config)
	}
	reader, err := newOncallReader(cfg.OnCall, os.Getenv)
	if err != nil {
		return oncall.Report{}, err
	}
	snap, err := reader.Read(cmd.Context(), cfg.OnCall.Window())
	if err != nil {
		return oncall.Report{}, fmt.Errorf("oncall: PagerDuty at %s: %w", cfg.OnCall.APIURL, err)
	}
	return oncall.Check(snap, cfg.OnCall.Standards), nil
}

// newOncallReader returns the reader of PagerDuty for c, with the token
// from the environment variable c.TokenEnv; an unset or empty one is an
// error wrapping oncall.ErrNoToken that says how to set it.
func newOncallReader(c *oncall.Config, getenv func(string) string) (*oncall.Reader, error) {
	token := getenv(c.TokenEnv)
	if token == "" {
		return nil, fmt.Errorf("oncall: $%s is not set: %w (in PagerDuty: Integrations > API Access Keys > Create New API Key, Read-only) in $%s",
			c.TokenEnv, oncall.ErrNoToken, c.TokenEnv)
	}
	opts := oncall.ReaderOptions{APIURL: c.APIURL, Token: token}
	if oncallTestTransport != nil {
		opts.HTTPClient = &http.Client{Transport: oncallTestTransport}
	}
	r, err := oncall.NewReader(opts)
	if err != nil {
		return nil, fmt.Errorf("oncall: %w", err)
	}
	return r, nil
}

// oncallTestTransport, when a test sets it, carries the requests of every
// PagerDuty reader newOncallReader builds (a PagerDuty that refuses
// connections, without a port another process could take). Nil outside
// tests: the reader's default client.
var oncallTestTransport http.RoundTripper

// checkFailedError is a check that could not be made: the configuration,
// the token or PagerDuty. It exits with code 2.
type checkFailedError struct{ err error }

// Error implements error.
func (e *checkFailedError) Error() string { return e.err.Error() }

// Unwrap returns the cause.
func (e *checkFailedError) Unwrap() error { return e.err }

// ExitCode is 2: nothing could be checked.
func (e *checkFailedError) ExitCode() int { return 2 }

// violationsError is the outcome of a check that found violations: exit
// code 1, after the report was printed.
type violationsError struct{ violations, policies int }

// Error implements error.
func (e *violationsError) Error() string {
	return fmt.Sprintf("%s in %s", plural(e.violations, "violation"), policies(e.policies))
}

// printOncall prints rep in the output format and returns a
// *violationsError when it has violations, or a *checkFailedError (exit 2,
// not 1) when the report could not be written.
func printOncall(w io.Writer, rep oncall.Report, output string) error {
	var err error
	if output == oncallOutputJSON {
		err = writeOncallJSON(w, rep)
	} else {
		err = writeOncallText(w, rep)
	}
	if err != nil {
		return &checkFailedError{err: fmt.Errorf("write report: %w", err)}
	}
	if len(rep.Violations) > 0 {
		return &violationsError{violations: len(rep.Violations), policies: len(groupByPolicy(rep.Violations))}
	}
	return nil
}

// writeOncallJSON writes {"checked": N, "violations": [...]}, with a list
// even when there is no violation.
func writeOncallJSON(w io.Writer, rep oncall.Report) error {
	if rep.Violations == nil {
		rep.Violations = []oncall.Violation{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// policyGroup is the violations of one escalation policy.
type policyGroup struct {
	first      oncall.Violation // policy, team and standard
	violations []oncall.Violation
}

// groupByPolicy groups vs by policy ID, in the order the policies first
// appear (Check sorts violations by policy name).
func groupByPolicy(vs []oncall.Violation) []policyGroup {
	var groups []policyGroup
	at := map[string]int{}
	for _, v := range vs {
		i, ok := at[v.PolicyID]
		if !ok {
			i = len(groups)
			at[v.PolicyID] = i
			groups = append(groups, policyGroup{first: v})
		}
		groups[i].violations = append(groups[i].violations, v)
	}
	return groups
}

// writeOncallText writes the violations grouped by escalation policy, as
//
//	Web (PWEB001), team web, standard "critical":
//	  layers: 1 escalation layer; the standard "critical" requires at least 2
//
// then the summary line.
func writeOncallText(w io.Writer, rep oncall.Report) error {
	groups := groupByPolicy(rep.Violations)
	for _, g := range groups {
		fmt.Fprintf(w, "%s (%s), %s, standard %q:\n", g.first.Policy, g.first.PolicyID, teamLabel(g.first.Team), g.first.Standard)
		for _, v := range g.violations {
			fmt.Fprintf(w, "  %s: %s\n", v.Check, v.Detail)
		}
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintln(w, summary(rep.Checked, len(groups), len(rep.Violations)))
	return err
}

// teamLabel names the team of a policy, or says it has none.
func teamLabel(team string) string {
	if team == "" {
		return "no team"
	}
	return "team " + team
}

// summary is the last line of the text output.
func summary(checked, failing, violations int) string {
	switch {
	case checked == 0:
		return "0 escalation policies checked: no standard selects any."
	case failing == 0:
		return fmt.Sprintf("%s checked: all meet their standard.", policies(checked))
	}
	miss, meet := "miss their standard", "meet it"
	if failing == 1 {
		miss = "misses its standard"
	}
	if checked-failing == 1 {
		meet = "meets it"
	}
	return fmt.Sprintf("%s checked: %d %s (%s), %d %s.",
		policies(checked), failing, miss, plural(violations, "violation"), checked-failing, meet)
}

// policies counts escalation policies.
func policies(n int) string {
	if n == 1 {
		return "1 escalation policy"
	}
	return fmt.Sprintf("%d escalation policies", n)
}
