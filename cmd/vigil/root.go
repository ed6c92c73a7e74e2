package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newRootCmd builds the "vigil" command and its subcommands.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "vigil",
		Short: "Vigil stores pushed metrics, answers PromQL and pages on alerts",
		Long: `Vigil is a metrics engine for teams on call. Services push samples over HTTP
(Prometheus remote write, the text exposition format or OTLP); Vigil keeps them in
its own compressed, crash-safe store and answers PromQL through the
Prometheus HTTP API, so Grafana and other Prometheus clients work unchanged.
It evaluates Prometheus alerting and recording rules every few seconds and
pages through PagerDuty, webhooks or Slack -- the owner of the cause, not
everyone downstream: alerts declare what they depend on, and an alert that
a firing dependency explains is suppressed. With a SEV policy it files
SEVs by itself when availability drops, pages their roles and keeps the
SLA ledger.

Start a server with "vigil serve", push a file with "vigil push", ask a
question with "vigil query", check rule files with "vigil rules check" and
the dependency graph with "vigil deps check", work with SEVs with "vigil
sev", read the SLA ledger with "vigil sla" and load-test a server with
"vigil bench ingest".`,
		Example: `  vigil serve --config examples/vigil.yml
  vigil push --url http://localhost:9096 metrics.prom
  vigil query --url http://localhost:9096 'rate(http_requests_total[5m])'
  vigil rules check examples/rules/*.yml
  vigil deps check --config examples/vigil.yml
  vigil sev list --url http://localhost:9096
  vigil sla --month 2026-11
  vigil bench ingest --url http://localhost:9096 --series 10000 --duration 1h`,
		Version:       buildInfo().Version,
		Args:          argsError(cobra.NoArgs), // an unknown command is a usage error
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newServeCmd(), newPushCmd(), newQueryCmd(), newRulesCmd(), newDepsCmd(), newSevCmd(), newSLACmd(), newOncallCmd(), newBenchCmd(), newVersionCmd())
	return root
}

// usageError is a command line that does not parse; it exits with code 2.
type usageError struct {
	path string // the command, such as "vigil serve"
	err  error
}

// Error implements error.
func (e *usageError) Error() string {
	return fmt.Sprintf("%v (see %q)", e.err, e.path+" --help")
}

// Unwrap returns the parse error.
func (e *usageError) Unwrap() error { return e.err }

// flagError wraps cobra's flag parsing errors as usage errors.
func flagError(cmd *cobra.Command, err error) error {
	return &usageError{path: cmd.CommandPath(), err: err}
}

// argsError wraps a positional-argument validator so its errors are usage
// errors too.
func argsError(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := validate(cmd, args); err != nil {
			return &usageError{path: cmd.CommandPath(), err: err}
		}
		return nil
	}
}
