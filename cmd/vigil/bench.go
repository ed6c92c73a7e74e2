package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigilsre/vigil/bench/fleet"
	"github.com/vigilsre/vigil/bench/loadgen"
)

// newBenchCmd builds "vigil bench" and its subcommands.
func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure a metrics server: ingest rate, cost and freshness",
		Long: `Benchmarks against a running server. "vigil bench ingest" pushes a
realistic fleet's metrics by Prometheus remote write to Vigil, Prometheus or
VictoriaMetrics and measures what the server takes and how soon a pushed
sample can be queried.`,
		Example: `  vigil bench ingest --url http://localhost:9096 --series 10000 --duration 1h`,
		Args:    argsError(cobra.NoArgs),
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBenchIngestCmd())
	return cmd
}

// benchFlags are the flags of "vigil bench ingest".
type benchFlags struct {
	opts     loadgen.Options
	mode     string    // --mode
	output   string    // --output
	rate     rateValue // --background-rate
	progress time.Duration
}

// newBenchIngestCmd builds "vigil bench ingest".
func newBenchIngestCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "ingest --url URL",
		Short: "Push a fleet's metrics by remote write and measure the server",
		Long: `Push the metrics of a realistic fleet (hosts × node, HTTP and RPC metrics:
counters, gauges, constants and classic histograms on a 10 s grid, the same
for the same --seed) to URL/api/v1/write, Prometheus remote write 1.0, which
Vigil, Prometheus (--web.enable-remote-write-receiver) and VictoriaMetrics
all take.

In backfill mode (the default) it pushes --duration of data, starting
--start ago, as fast as the server takes it; in live mode it pushes one step
of every series every --interval, at real time, for --duration. Requests of
at most --batch-size samples go out --concurrency at a time; a 429 or 5xx
answer is retried after its Retry-After, or after a backoff.

Then it measures push → queryable latency: it pushes a marker sample and
polls GET /api/v1/query (on --query-url, default --url) until the marker
shows, --latency-samples times on the idle server, then as many times while
a background load of --background-rate samples/s is pushed (a live fleet of
the same size, labelled loadgen="background").

It prints the samples/s the server accepted, the requests, errors and 429s,
and the latency percentiles; with --pid, the server's PID on this machine,
also the server's CPU-seconds per million samples during the push and its
peak resident memory since it started (VmHWM), from /proc. A progress line goes to standard error
every few seconds. With --output json the result is one JSON object with
stable field names. It exits 1 when the server accepted no sample.

The series' labels do not depend on --seed: run a backfill against a fresh
server, or with a --start that does not overlap an earlier run, or the
server refuses the samples as out of order.`,
		Example: `  # Start a server with a fresh data directory, then benchmark it
  # (10,000 series, one hour of data, then latency idle and under 100k samples/s):
  vigil serve --listen 127.0.0.1:9096 --data-dir /tmp/vigil-bench &
  vigil bench ingest --url http://127.0.0.1:9096 --pid $! --series 10000 --duration 1h

  # Prometheus or VictoriaMetrics, JSON for a script:
  vigil bench ingest --url http://127.0.0.1:8428 --pid 4242 --output json > vm.json

  # Live: one step of 100 hosts every 10 s for 10 minutes, no latency measurement:
  vigil bench ingest --url http://127.0.0.1:9096 --mode live --hosts 100 --duration 10m --latency-samples 0`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchIngest(cmd.Context(), &f, cmd.Flags(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// register defines the flags of f on fs.
func (f *benchFlags) register(fs *pflag.FlagSet) {
	o := &f.opts
	fs.StringVar(&o.URL, "url", "http://localhost:9096", "base URL of the server; remote write goes to URL"+loadgen.DefaultWritePath)
	fs.StringVar(&o.QueryURL, "query-url", "", "base URL of the Prometheus query API (default --url)")
	fs.StringVar(&f.mode, "mode", string(loadgen.Backfill), "backfill (push the data as fast as possible) or live (one step every --interval)")
	fs.IntVar(&o.Series, "series", loadgen.DefaultSeries, fmt.Sprintf("number of series (%d per host)", fleet.SeriesPerHost()))
	fs.IntVar(&o.Hosts, "hosts", 0, "number of whole hosts, instead of --series")
	fs.DurationVar(&o.Duration, "duration", 0, "backfill: span of the data (default 1h); live: how long to push (default 1m)")
	fs.DurationVar(&o.Start, "start", 0, "backfill: the data starts this long ago (default --duration)")
	fs.DurationVar(&o.Interval, "interval", loadgen.DefaultInterval, "time between two samples of a series")
	fs.IntVar(&o.Concurrency, "concurrency", loadgen.DefaultConcurrency, "requests in flight")
	fs.IntVar(&o.BatchSize, "batch-size", loadgen.DefaultBatchSize, "most samples per request")
	fs.Int64Var(&o.Seed, "seed", 0, "seed of the generated values")
	fs.IntVar(&o.PID, "pid", 0, "the server's process ID, to read its CPU time and memory from /proc")
	fs.IntVar(&o.LatencySamples, "latency-samples", loadgen.DefaultLatencySamples, "markers per latency measurement; 0 for none")
	f.rate = loadgen.DefaultBackgroundRate
	fs.Var(&f.rate, "background-rate", "samples/s pushed during the loaded latency measurement, such as 100k; 0 to measure idle only")
	fs.IntVar(&o.MaxRetries, "retries", loadgen.DefaultMaxRetries, "times a request is retried after a 429, a 5xx or a connection error")
	fs.DurationVar(&o.RequestTimeout, "timeout", loadgen.DefaultRequestTimeout, "give up on one request after this long")
	fs.DurationVar(&f.progress, "progress", loadgen.DefaultProgressInterval, "time between progress lines on standard error; 0 for none")
	fs.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
}

// options checks the flags and returns the load generator's options.
func (f *benchFlags) options(fs *pflag.FlagSet, stderr io.Writer) (loadgen.Options, error) {
	o := f.opts
	var errs []error
	if f.mode != string(loadgen.Backfill) && f.mode != string(loadgen.Live) {
		errs = append(errs, fmt.Errorf("--mode %q: want backfill or live", f.mode))
	}
	if f.output != "text" && f.output != "json" {
		errs = append(errs, fmt.Errorf("--output %q: want text or json", f.output))
	}
	if o.Hosts > 0 {
		if fs.Changed("series") {
			errs = append(errs, errors.New("--series and --hosts: give one"))
		}
		o.Series = 0
	}
	o.Mode = loadgen.Mode(f.mode)
	o.LatencySamples = negativeIfZero(o.LatencySamples)
	o.MaxRetries = negativeIfZero(o.MaxRetries)
	o.BackgroundRate = float64(f.rate)
	if f.rate == 0 {
		o.BackgroundRate = -1
	}
	if f.progress > 0 {
		o.Progress, o.ProgressInterval = stderr, f.progress
	}
	if err := errors.Join(errs...); err != nil {
		return o, err
	}
	return o, o.Validate()
}

// negativeIfZero maps the command line's 0 ("none") to the library's -1.
func negativeIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// runBenchIngest runs the benchmark and prints the result.
func runBenchIngest(ctx context.Context, f *benchFlags, fs *pflag.FlagSet, stdout, stderr io.Writer) error {
	o, err := f.options(fs, stderr)
	if err != nil {
		return &usageError{path: "vigil bench ingest", err: err}
	}
	res, err := loadgen.Run(ctx, o)
	if res.Steps == 0 {
		return err // nothing ran
	}
	if perr := printBench(stdout, f.output, &res); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

// printBench prints the result as a table or as JSON.
func printBench(w io.Writer, output string, res *loadgen.Result) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return res.WriteTable(w)
}

// rateValue is a samples/s flag: a number, or one with the suffix k or M.
type rateValue float64

// String implements pflag.Value.
func (r *rateValue) String() string {
	switch v := float64(*r); {
	case v >= 1e6 && math.Mod(v, 1e6) == 0:
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case v >= 1e3 && math.Mod(v, 1e3) == 0:
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	default:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
}

// Set implements pflag.Value.
func (r *rateValue) Set(s string) error {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		s, mult = strings.TrimSuffix(s, "k"), 1e3
	case strings.HasSuffix(s, "M"):
		s, mult = strings.TrimSuffix(s, "M"), 1e6
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Errorf("want samples per second, such as 100000 or 100k")
	}
	*r = rateValue(v * mult)
	return nil
}

// Type implements pflag.Value.
func (r *rateValue) Type() string { return "rate" }
