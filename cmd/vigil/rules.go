package main

import (
	"fmt"
	"io"
	"os"
	"strings"

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
PromQL expression and every annotation template, and the dependencies the
rules declare (depends_on must name alerts of the files checked, without a
cycle), exactly as "vigil serve" checks them at start and on reload. The
files are checked together, so give all the files the server loads; "vigil
deps check --config FILE" checks them with the services files too.

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

// checkRules checks the files together, as the server loads them (a
// depends_on may name an alert of another file), and reports each: good
// files on stdout, every problem on stderr. A problem of no one file (a
// dependency cycle) leaves no file good. The error counts the problems
// when there are any.
func checkRules(files []string, stdout, stderr io.Writer) error {
	errs := alerting.CheckFiles(alerting.LoadSpec{RuleFiles: files})
	bad := make(map[string]bool)
	attributed := 0
	for _, err := range errs {
		fmt.Fprintln(stderr, err)
		if f, ok := fileOf(err, files); ok {
			bad[f] = true
			attributed++
		}
	}
	problems, acrossFiles := len(errs), attributed < len(errs)
	for _, f := range files {
		if !bad[f] && !acrossFiles {
			problems += len(reportRuleFile(f, stdout, stderr))
		}
	}
	return rulesProblems(problems, attributed, len(bad), len(files))
}

// fileOf returns the file of files whose problem err is: the one its
// message starts with ("FILE:LINE: reason" or "FILE: reason"). A problem
// across files, such as a dependency cycle, has none.
func fileOf(err error, files []string) (string, bool) {
	msg := err.Error()
	for _, f := range files {
		if strings.HasPrefix(msg, f+":") {
			return f, true
		}
	}
	return "", false
}

// rulesProblems sums up the problems of a check, or returns nil.
func rulesProblems(problems, attributed, badFiles, files int) error {
	switch {
	case problems == 0:
		return nil
	case attributed < problems:
		return fmt.Errorf("%s in %s", plural(problems, "problem"), plural(files, "rule file"))
	default:
		return fmt.Errorf("%s in %d of %s", plural(problems, "problem"), badFiles, plural(files, "rule file"))
	}
}

// reportRuleFile prints how much a file CheckFiles accepted holds.
func reportRuleFile(file string, stdout, stderr io.Writer) []error {
	groups, rules, err := countFileRules(file)
	if err != nil {
		fmt.Fprintln(stderr, err)
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
