package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/vigilsre/vigil/alerting"
)

// newRulesCmd builds "vigil rules", the parent of the rule file commands.
func newRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Work with alerting and recording rule files",
		Long: `Work with rule files: Prometheus rule files (groups of alerting and recording
rules), which "vigil serve" loads from rules.files.`,
		Example: `  vigil rules check rules/*.yml`,
		Args:    argsError(cobra.NoArgs),
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRulesCheckCmd())
	return cmd
}

// newRulesCheckCmd builds "vigil rules check".
func newRulesCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check FILE...",
		Short: "Check rule files offline, as the server would load them",
		Long: `Check rule files without a server: the YAML, every group and rule, every
PromQL expression and every annotation template, exactly as "vigil serve"
checks them at start and on reload.

For each good file it prints "FILE: N groups, M rules OK" on standard
output. For each problem it prints "FILE:LINE: problem" on standard error.
The exit code is 0 when every file is good and 1 when any has a problem
(like "promtool check rules"), so it fits in CI before a deploy.`,
		Example: `  # Every rule file of a directory:
  vigil rules check rules/*.yml

  # In CI, before reloading a running server:
  vigil rules check rules/*.yml && curl -fsS -X POST http://vigil:9096/-/reload`,
		Args: argsError(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, files []string) error {
			return checkRules(files, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
}

// checkRules checks each file on its own and reports it; the error counts
// the problems when there are any.
func checkRules(files []string, stdout, stderr io.Writer) error {
	problems, badFiles := 0, 0
	for _, f := range files {
		errs := checkRuleFile(f, stdout)
		if len(errs) == 0 {
			continue
		}
		badFiles++
		problems += len(errs)
		for _, err := range errs {
			fmt.Fprintln(stderr, err)
		}
	}
	if problems > 0 {
		return fmt.Errorf("%s in %d of %s", plural(problems, "problem"), badFiles, plural(len(files), "rule file"))
	}
	return nil
}

// checkRuleFile checks one file and, when it is good, prints how much it
// holds on stdout.
func checkRuleFile(file string, stdout io.Writer) []error {
	if errs := alerting.CheckFiles([]string{file}); len(errs) > 0 {
		return errs
	}
	groups, rules, err := countFileRules(file)
	if err != nil {
		return []error{err}
	}
	fmt.Fprintf(stdout, "%s: %s, %s OK\n", file, plural(groups, "group"), plural(rules, "rule"))
	return nil
}

// ruleFileShape is as much of a rule file as counting needs.
type ruleFileShape struct {
	Groups []struct {
		Rules []yaml.Node `yaml:"rules"`
	} `yaml:"groups"`
}

// countFileRules counts the groups and rules of a file CheckFiles accepted.
func countFileRules(file string) (groups, rules int, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, err
	}
	var f ruleFileShape
	if err := yaml.Unmarshal(data, &f); err != nil {
		return 0, 0, fmt.Errorf("%s: %w", file, err)
	}
	for _, g := range f.Groups {
		rules += len(g.Rules)
	}
	return len(f.Groups), rules, nil
}
