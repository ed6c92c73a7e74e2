package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
	"github.com/vigilsre/vigil/query"
)

// newDepsCmd builds "vigil deps", the parent of the dependency graph
// commands.
func newDepsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deps",
		Short: "Check and print the alert dependency graph",
		Long: `Work with the alert dependency graph: the alerts of the rule files
(rules.files), the services of the services files (dependencies.files), and
what depends on what -- a rule's depends_on, a service's depends_on, and the
alerts that belong to each service. "vigil serve" suppresses an alert that
a firing alert it depends on explains, and pages the cause's owner instead.`,
		Example: `  vigil deps check --config examples/vigil.yml
  vigil deps graph --config examples/vigil.yml | dot -Tsvg > deps.svg`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDepsCheckCmd(), newDepsGraphCmd())
	return cmd
}

// depsFlags are the flags of "vigil deps check" and "vigil deps graph".
type depsFlags struct {
	config string // --config
	format string // --format, graph only
}

// registerConfig defines --config on fs.
func (f *depsFlags) registerConfig(fs *pflag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration file (YAML) naming the rule files (rules.files) and services files (dependencies.files); required")
}

// newDepsCheckCmd builds "vigil deps check".
func newDepsCheckCmd() *cobra.Command {
	var f depsFlags
	cmd := &cobra.Command{
		Use:   "check --config FILE",
		Short: "Check the dependency graph of a configuration's rule and services files",
		Long: `Check, without a server, the rule files and the services files that a
configuration names, and the dependency graph they make, exactly as "vigil
serve" checks them at start and on reload: every rule file and services
file, every depends_on (each names a known alert or service), and the graph
as a whole (no cycle, through any mix of alerts and services).

When all is well it prints "ok: N alerts, M services, E edges" on standard
output. Otherwise it prints every problem on standard error, one a line:
"FILE:LINE: reason", or the cycle, as in

  dependency cycle: WebErrors -> web -> metadata-db -> WebErrors

The exit code is 0 when the graph is good, 1 when there is a problem and 2
for a command line that does not parse, so it fits in CI before a reload.`,
		Example: `  # The example configuration:
  vigil deps check --config examples/vigil.yml

  # In CI, before reloading a running server:
  vigil deps check --config vigil.yml && curl -fsS -X POST http://vigil:9096/-/reload`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := f.graph(cmd)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s\n", countGraph(g))
			return nil
		},
	}
	f.registerConfig(cmd.Flags())
	return cmd
}

// Formats of "vigil deps graph".
const (
	graphFormatDOT  = "dot"
	graphFormatJSON = "json"
)

// newDepsGraphCmd builds "vigil deps graph".
func newDepsGraphCmd() *cobra.Command {
	var f depsFlags
	cmd := &cobra.Command{
		Use:   "graph --config FILE [--format dot|json]",
		Short: "Print the dependency graph of a configuration's rule and services files",
		Long: `Print the dependency graph of the rule files and services files a
configuration names, after checking them as "vigil deps check" does (a
problem is printed instead, exit code 1).

--format dot (the default) prints a Graphviz digraph: one node per alert and
per service, an edge from each dependent to what it depends on, labelled
with the labels that must match. --format json prints the nodes (name,
kind "alert" or "service", file, line) and the edges (from, to, kind
"depends_on", "member" or "service", match, all_of), the shape of
GET /api/v1/deps without the live state.`,
		Example: `  # Draw it:
  vigil deps graph --config examples/vigil.yml | dot -Tsvg > deps.svg

  # The services the alert HighErrorRate depends on:
  vigil deps graph --config examples/vigil.yml --format json |
    jq -r '.edges[] | select(.from == "HighErrorRate") | .to'`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.checkFormat(cmd); err != nil {
				return err
			}
			g, err := f.graph(cmd)
			if err != nil {
				return err
			}
			return printGraph(cmd.OutOrStdout(), g, f.format)
		},
	}
	f.registerConfig(cmd.Flags())
	cmd.Flags().StringVar(&f.format, "format", graphFormatDOT, "output format: dot (Graphviz) or json")
	return cmd
}

// checkFormat refuses a --format other than dot and json.
func (f *depsFlags) checkFormat(cmd *cobra.Command) error {
	if f.format == graphFormatDOT || f.format == graphFormatJSON {
		return nil
	}
	return &usageError{path: cmd.CommandPath(), err: fmt.Errorf("--format: invalid format %q: want dot or json", f.format)}
}

// graph reads the configuration, checks its rule and services files and
// returns their graph. Problems are printed on cmd's stderr, one a line;
// the error then counts them.
func (f *depsFlags) graph(cmd *cobra.Command) (*depgraph.Graph, error) {
	if f.config == "" {
		return nil, &usageError{path: cmd.CommandPath(), err: errors.New("--config is required: the configuration file naming the rule and services files")}
	}
	cfg, err := ParseFile(f.config)
	if err != nil {
		return nil, configError(err, "nothing was checked")
	}
	spec, err := expandLoadSpec(cfg.Rules.Files, cfg.Dependencies.Files)
	if err != nil {
		return nil, err
	}
	if errs := alerting.CheckFiles(spec); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintln(cmd.ErrOrStderr(), err)
		}
		return nil, fmt.Errorf("%s in the rule and services files of %s", plural(len(errs), "problem"), f.config)
	}
	return loadGraph(spec)
}

// loadGraph builds the graph of files CheckFiles accepted: it loads them
// into a Manager that never evaluates, which builds the graph as the
// server's does.
func loadGraph(spec alerting.LoadSpec) (*depgraph.Graph, error) {
	m, err := alerting.NewManager(alerting.Options{
		Query:  noQuery{},
		Writer: noWriter{},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, fmt.Errorf("build dependency graph: %w", err)
	}
	if err := m.Load(spec); err != nil {
		return nil, err // a file changed since it was checked
	}
	return m.Graph(), nil
}

// noQuery is the querier of a Manager that only loads files.
type noQuery struct{}

// Instant refuses: nothing is evaluated.
func (noQuery) Instant(context.Context, string, time.Time) (*query.Result, error) {
	return nil, errors.New("BUG: a graph-only manager evaluated a rule")
}

// noWriter is the writer of a Manager that only loads files.
type noWriter struct{}

// WriteSamples discards samples; nothing is evaluated, so none come.
func (noWriter) WriteSamples([]alerting.Sample) error { return nil }

// printGraph writes g in format: DOT as the graph gives it, JSON indented.
func printGraph(w io.Writer, g *depgraph.Graph, format string) error {
	var out string
	switch format {
	case graphFormatJSON:
		raw, err := g.MarshalJSON()
		if err != nil {
			return fmt.Errorf("encode graph: %w", err)
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return fmt.Errorf("encode graph: %w", err)
		}
		out = buf.String()
	default:
		out = g.DOT()
	}
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

// graphCounts is the size of a dependency graph.
type graphCounts struct {
	alerts, services, edges int
}

// String reads "5 alerts, 3 services, 7 edges".
func (c graphCounts) String() string {
	return fmt.Sprintf("%s, %s, %s", plural(c.alerts, "alert"), plural(c.services, "service"), plural(c.edges, "edge"))
}

// countGraph counts the alert and service nodes and the edges of g.
func countGraph(g *depgraph.Graph) graphCounts {
	var c graphCounts
	for _, n := range g.Nodes() {
		switch n.Kind {
		case depgraph.KindAlert:
			c.alerts++
		case depgraph.KindService:
			c.services++
		}
	}
	c.edges = len(g.Edges())
	return c
}
