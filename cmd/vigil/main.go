// Command vigil is Vigil's one binary. "vigil serve" runs the server: it
// takes pushed samples over HTTP, keeps them in its embedded store and
// answers PromQL through the Prometheus HTTP API; it evaluates alerting and
// recording rules and sends the alerts to PagerDuty, webhooks or Slack,
// holding back those that a firing alert they depend on explains; with a
// SEV policy it files SEVs by itself when availability drops, pages their
// roles and keeps the SLA ledger.
// "vigil push" and "vigil query" are small clients for a running server,
// "vigil rules check" checks rule files offline, "vigil deps check" and
// "vigil deps graph" check and print the dependency graph, "vigil sev" and
// "vigil sla" list and act on SEVs and print the SLA ledger, and "vigil
// version" prints what was built.
//
// Run "vigil --help", or "vigil COMMAND --help", for the details.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitCoder is an error that chooses the process exit code.
type exitCoder interface{ ExitCode() int }

// run executes one command line and returns the process exit code: 0 on
// success, 2 for a command line that does not parse, the code of an error
// that has one (exitCoder), 1 for any other error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "vigil: %v\n", err)
	if errors.As(err, new(*usageError)) {
		return 2
	}
	var ec exitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}
