package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/bench/loadgen"
)

// TestBenchIngestVigil runs "vigil bench ingest" against a Vigil server
// with a real store, in this process: every sample lands, the markers show,
// and the server's usage is read from /proc (the server is this process).
func TestBenchIngestVigil(t *testing.T) {
	s := startTestServer(t, DefaultConfig())
	db, err := openTSDB(<-s.gotOpts)
	require.NoError(t, err)
	s.opened <- openResult{db: db}
	s.waitReady()

	args := []string{"bench", "ingest", "--url", s.base, "--series", "200", "--duration", "5m", "--batch-size", "500",
		"--latency-samples", "3", "--background-rate", "20k", "--progress", "0", "--output", "json"}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		args = append(args, "--pid", strconv.Itoa(os.Getpid()))
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, nil, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	var res loadgen.Result
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), stdout.String())
	require.Equal(t, loadgen.Counts{SamplesSent: 6000, SamplesAccepted: 6000, Requests: res.Ingest.Requests}, res.Ingest.Counts)
	require.Equal(t, 30, res.Steps)
	require.Equal(t, 3, res.Latency.Idle.Markers)
	require.Equal(t, 3, res.Latency.UnderLoad.Markers)
	require.Positive(t, res.Latency.Background.SamplesAccepted)
	require.Zero(t, res.Latency.Background.Errors)
	if res.Server != nil {
		require.Positive(t, res.Server.PeakRSS)
	}

	code2, body := s.do("GET", `/api/v1/query?query=count(%7Bregion!=%22%22,loadgen=%22%22%7D)`, "")
	require.Equal(t, 200, code2, body)
	require.Contains(t, body, `"200"]`, "every series of the backfill is queryable")
	s.cancel()
	require.NoError(t, s.wait())
}

// TestBenchIngestRefused checks the table when no server answers: the run
// fails, and says why.
func TestBenchIngestRefused(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "ingest", "--url", "http://127.0.0.1:1", "--series", "3",
		"--duration", "10s", "--latency-samples", "0", "--progress", "0", "--retries", "0"}, nil, &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), "vigil: the server accepted no sample of 3; first error: remote write: ")
	require.Contains(t, stdout.String(), "\nsamples accepted    0  of 3 sent, 3 failed\n")
	require.Contains(t, stdout.String(), "\nrequests            3  3 errors, 0 throttled (429), 0 server errors (5xx), 0 retries\n")
}

func TestBenchIngestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"mode", []string{"--mode", "fast"}, `--mode "fast": want backfill or live`},
		{"output", []string{"-o", "xml"}, `--output "xml": want text or json`},
		{"series and hosts", []string{"--series", "5", "--hosts", "2"}, "--series and --hosts: give one"},
		{"rate", []string{"--background-rate", "lots"}, `invalid argument "lots" for "--background-rate" flag: want samples per second, such as 100000 or 100k`},
		{"url", []string{"--url", "localhost:9096"}, `URL "localhost:9096": want http://HOST:PORT`},
		{"argument", []string{"x"}, `unknown command "x" for "vigil bench ingest"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"bench", "ingest"}, tt.args...), nil, &stdout, &stderr)
			require.Equal(t, 2, code, stderr.String())
			require.Contains(t, stderr.String(), tt.want)
			require.True(t, strings.HasSuffix(stderr.String(), "(see \"vigil bench ingest --help\")\n"), stderr.String())
			require.Empty(t, stdout.String())
		})
	}
}

func TestBenchHelp(t *testing.T) {
	for _, args := range [][]string{{"bench", "--help"}, {"bench", "ingest", "--help"}} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, run(context.Background(), args, nil, &stdout, &stderr), stderr.String())
		require.Contains(t, stdout.String(), "Examples:")
		require.Contains(t, stdout.String(), "vigil bench ingest --url http://")
	}
}

func TestRateValue(t *testing.T) {
	for in, want := range map[string]float64{"100k": 100_000, "1.5M": 1_500_000, "2500": 2500, "0": 0} {
		var r rateValue
		require.NoError(t, r.Set(in), in)
		require.Equal(t, want, float64(r), in)
	}
	for _, in := range []string{"-1", "k", "1G", "NaN"} {
		var r rateValue
		require.Error(t, r.Set(in), in)
	}
	for v, want := range map[float64]string{100_000: "100k", 2_000_000: "2M", 1500: "1500", 12_345: "12345"} {
		r := rateValue(v)
		require.Equal(t, want, r.String())
	}
}
