package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// queryFlags are the flags of "vigil query".
type queryFlags struct {
	clientFlags
	time   string // --time: evaluation time of an instant query
	start  string // --start, --end, --step: a range query
	end    string
	step   string
	output string // -o: table or json
}

// newQueryCmd builds "vigil query".
func newQueryCmd() *cobra.Command {
	var f queryFlags
	cmd := &cobra.Command{
		Use:   "query EXPR",
		Short: "Evaluate a PromQL expression on a Vigil server and print the answer",
		Long: `Evaluate a PromQL expression through the Prometheus HTTP API of a Vigil
server and print the answer as a table: one row per series (instant query)
or per point (range query), with the series' labels, the time (UTC) and the
value.

Without --start, --end or --step the query is an instant query
(/api/v1/query) at --time, default now. With any of them it is a range query
(/api/v1/query_range): --end defaults to now, --start to one hour before
--end, and --step to the range divided into about 250 points (at least 1s).

Times are RFC 3339 (2025-01-02T15:04:05Z), Unix seconds (1735830245.5), or
relative to now (now, now-1h, now-90m). Steps are durations (15s, 1m) or
seconds (15).

An error answer (a bad expression, a timeout) is printed as
"server answered STATUS: TYPE: MESSAGE" and the exit code is 1. With
-o json the server's JSON is printed as it came, errors included.`,
		Example: `  # The latest value of every series of a metric:
  vigil query 'up'

  # Per-second request rate over the last 5 minutes, an hour ago:
  vigil query --time now-1h 'rate(http_requests_total[5m])'

  # The last 30 minutes, one point a minute:
  vigil query --start now-30m --step 1m 'sum by (job) (rate(http_requests_total[5m]))'

  # Raw Prometheus JSON, for jq:
  vigil query -o json 'up' | jq '.data.result[].metric'`,
		Args: argsError(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd.Context(), &f, args[0], time.Now(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.clientFlags.register(fs, "vigil query")
	fs.StringVar(&f.time, "time", "", "evaluation time of an instant query (default now)")
	fs.StringVar(&f.start, "start", "", "start of a range query (default one hour before --end)")
	fs.StringVar(&f.end, "end", "", "end of a range query (default now)")
	fs.StringVar(&f.step, "step", "", "resolution of a range query (default: about 250 points)")
	fs.StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

// runQuery sends the query, evaluated relative to now, and prints the answer.
func runQuery(ctx context.Context, f *queryFlags, expr string, now time.Time, stdout, stderr io.Writer) error {
	if f.output != "table" && f.output != "json" {
		return &usageError{path: "vigil query", err: fmt.Errorf("--output %q: want table or json", f.output)}
	}
	path, params, err := f.request(expr, now)
	if err != nil {
		return &usageError{path: "vigil query", err: err}
	}
	endpoint, err := f.endpoint(path)
	if err != nil {
		return err
	}
	status, body, err := get(ctx, f.client(), endpoint+"?"+params.Encode())
	if err != nil {
		return err
	}
	if f.output == "json" {
		return printJSON(stdout, status, body)
	}
	return printAnswer(stdout, stderr, status, body)
}

// request returns the API path and parameters for expr.
func (f *queryFlags) request(expr string, now time.Time) (string, url.Values, error) {
	params := url.Values{"query": {expr}}
	if f.start == "" && f.end == "" && f.step == "" {
		if f.time != "" {
			t, err := parseTime(f.time, now)
			if err != nil {
				return "", nil, fmt.Errorf("--time: %w", err)
			}
			params.Set("time", formatTime(t))
		}
		return "/api/v1/query", params, nil
	}
	if f.time != "" {
		return "", nil, fmt.Errorf("--time is for instant queries; a range query takes --start, --end and --step")
	}
	r, err := parseRange(f.start, f.end, f.step, now)
	if err != nil {
		return "", nil, err
	}
	params.Set("start", formatTime(r.start))
	params.Set("end", formatTime(r.end))
	params.Set("step", formatSeconds(r.step))
	return "/api/v1/query_range", params, nil
}

// get fetches url and returns the status and the body.
func get(ctx context.Context, c *http.Client, url string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp, body, nil
}

// printJSON prints the answer as it came; a failed answer still exits 1.
func printJSON(stdout io.Writer, resp *http.Response, body []byte) error {
	if _, err := stdout.Write(body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{status: resp.Status}
	}
	return nil
}

// apiResponse is the envelope of every Prometheus API answer.
type apiResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
	Infos     []string        `json:"infos"`
}

// printAnswer prints the warnings and infos of an answer to stderr and its
// result as a table to stdout, or returns its error.
func printAnswer(stdout, stderr io.Writer, resp *http.Response, body []byte) error {
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil || r.Status == "" {
		if resp.StatusCode/100 != 2 {
			return &statusError{status: resp.Status, msg: trimBody(body)}
		}
		return fmt.Errorf("answer is not a Prometheus API response: %s", trimBody(body))
	}
	for _, w := range r.Warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	for _, i := range r.Infos {
		fmt.Fprintln(stderr, "info:", i)
	}
	if r.Status != "success" {
		return &statusError{status: resp.Status, msg: r.ErrorType + ": " + r.Error}
	}
	return writeResult(stdout, stderr, r.Data)
}

// trimBody returns the start of a body, for messages.
func trimBody(body []byte) string {
	const limit = 512
	s := strings.TrimSpace(string(body))
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
