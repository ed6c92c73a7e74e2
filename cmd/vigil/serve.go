package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// serveFlags are the flags of "vigil serve".
type serveFlags struct {
	config   string // --config
	listen   string // --listen, overrides server.listen
	dataDir  string // --data-dir, overrides storage.data_dir
	addrFile string // --listen-addr-file
}

// newServeCmd builds "vigil serve".
func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Vigil server: push endpoints, the store, the PromQL API and alerting",
		Long: `Run the Vigil server. It listens on one HTTP address for:

  POST /api/v1/write               Prometheus remote write 1.0 (snappy protobuf)
  POST /api/v1/import/prometheus   text exposition format
  GET  /api/v1/query, /api/v1/query_range, /api/v1/series, /api/v1/labels,
       /api/v1/label/NAME/values, /api/v1/status/buildinfo   (Prometheus HTTP API)
  GET  /api/v1/rules, /api/v1/alerts   alerting and recording rules, active alerts
  GET  /api/v1/deps, /api/v1/deps/explain?alert=NAME&labels={...}
                    the dependency graph with each node's state; why an
                    alert is (or would be) suppressed, or not
  GET  /api/v1/sevs, /api/v1/sevs/ID, /api/v1/sla?month=YYYY-MM
                    the SEVs, newest first, and the SLA ledger (with a
                    SEV policy, sev.policy_file)
  POST /api/v1/sevs, /api/v1/sevs/ID/ACTION
                    declare a SEV; ack, diagnose, mitigate, resolve or
                    set-level one
  GET  /api/v1/oncall
                    the on-call readiness checks of the PagerDuty set-up:
                    the violations of the last successful check (with an
                    oncall section)
  POST /api/v1/admin/flush
                    cut the in-memory head into a block on disk now
                    (for backups and tests); answers once it is durable
  POST /-/reload    re-read the rule and services files and the SEV
                    policy (as SIGHUP does)
  GET  /-/healthy   200 while the process is up
  GET  /-/ready     503 until the write-ahead log is replayed and the rule
                    and services files are loaded, then 200
  GET  /metrics     Vigil's own metrics

The listener opens before the store, so /-/healthy answers at once; the push
and query endpoints answer 503 "starting: replaying WAL" until the store is
open and the rules are loaded. The rule files (rules.files) are evaluated
every rules.evaluation_interval; alerts go to the receivers of the notify
section, except those a firing alert they depend on explains (depends_on
in the rules, services files in dependencies.files): these are suppressed,
and the cause's owner is paged. With a SEV policy (sev.policy_file) the SEV
bridge evaluates the availability SLIs every policy interval and files,
pages and resolves SEVs by itself, and files SEVs from firing alerts
labelled sev_type and sev_level; SEVs are kept in DATA_DIR/sev/sevs.db.
SIGHUP or POST /-/reload re-read the rule and services files and the SEV
policy: all or nothing, a bad file keeps the running rules, graph and
policy (POST /-/reload answers 500 with the problem, SIGHUP logs it).
SIGINT or SIGTERM stop the server gracefully: evaluation stops, the SEV
bridge stops and closes its store, in-flight requests finish, the
write-ahead log is synced and the store closed, exit code 0.

Without --config Vigil runs on built-in defaults (listen :9096, data dir
./data, no rules, no SEV policy). Problems in the configuration, in a rule
file, in a services file or in the SEV policy are reported as FILE:LINE:
problem (a dependency cycle as the cycle), and the server does not start
(exit 1).`,
		Example: `  # The example configuration, with the data directory ./data:
  vigil serve --config examples/vigil.yml

  # Defaults, a chosen address and data directory:
  vigil serve --listen 127.0.0.1:9096 --data-dir /var/lib/vigil

  # Any free port; the bound address is logged and written to a file:
  vigil serve --listen 127.0.0.1:0 --listen-addr-file /tmp/vigil.addr

  # After editing a rule or services file, reload it without a restart:
  curl -X POST http://localhost:9096/-/reload    # or: kill -HUP <pid>`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.load(cmd.Flags())
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			context.AfterFunc(ctx, stop) // a second signal kills at once
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			return serve(ctx, cfg, serveEnv{logs: cmd.ErrOrStderr(), addrFile: f.addrFile, open: openTSDB, hup: hup})
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// register defines the flags of f on fs.
func (f *serveFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration file (YAML); without it Vigil runs on the defaults")
	fs.StringVar(&f.listen, "listen", "", `address to listen on, HOST:PORT; overrides server.listen (default ":9096")`)
	fs.StringVar(&f.dataDir, "data-dir", "", `data directory; overrides storage.data_dir (default "data")`)
	fs.StringVar(&f.addrFile, "listen-addr-file", "", "once listening, write the bound address (HOST:PORT) to this file; for scripts and tests using port 0")
}

// load reads the configuration file (or takes the defaults) and applies the
// flags that override it. fs tells which flags were set.
func (f *serveFlags) load(fs *pflag.FlagSet) (Config, error) {
	cfg := DefaultConfig()
	if f.config != "" {
		var err error
		if cfg, err = ParseFile(f.config); err != nil {
			return Config{}, configError(err, "nothing was started")
		}
	}
	if fs.Changed("listen") {
		if err := checkListen(f.listen); err != nil {
			return Config{}, &usageError{path: "vigil serve", err: fmt.Errorf("--listen: %w", err)}
		}
		cfg.Server.Listen = f.listen
	}
	if fs.Changed("data-dir") {
		if f.dataDir == "" {
			return Config{}, &usageError{path: "vigil serve", err: errors.New("--data-dir: must not be empty")}
		}
		cfg.Storage.DataDir = f.dataDir
	}
	return cfg, nil
}

// configError introduces the problems of a configuration file, one per line
// in FILE:LINE: KEY: problem form, under a first line that says what failed
// and its consequence, such as "nothing was started".
func configError(err error, consequence string) error {
	var ce *ConfigError
	if !errors.As(err, &ce) {
		return err // the file could not be read; the error says which
	}
	return fmt.Errorf("invalid configuration; %s:\n%w", consequence, err)
}
