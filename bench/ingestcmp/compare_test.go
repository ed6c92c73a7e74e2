package ingestcmp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsre/vigil/bench/loadgen"
)

// ingestEnv turns TestIngestComparison on.
const ingestEnv = "VIGIL_BENCH_INGEST"

// run is what one server did in the comparison.
type run struct {
	Kind     kind
	Result   loadgen.Result
	Shutdown time.Duration // from SIGINT to exit
}

// TestIngestComparison pushes the same fleet into Vigil, Prometheus and
// VictoriaMetrics, one after the other, and prints their figures and the
// ratios of issue 7 as a markdown table on stdout. It runs only with
// VIGIL_BENCH_INGEST=1.
func TestIngestComparison(t *testing.T) {
	if os.Getenv(ingestEnv) != "1" {
		t.Skipf("set %s=1 to run the ingest comparison (real servers; minutes per server at the default 100k series × 1h)", ingestEnv)
	}
	names, err := serverNames()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	bins, err := findBinaries(ctx, names, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var runs []run
	for _, n := range names {
		k, _ := kindOf(n) // checked by serverNames
		r, err := runServer(ctx, t, k, bins[n])
		if err != nil {
			t.Fatalf("%s: %v", k.Title, err)
		}
		checkCounts(t, r)
		runs = append(runs, r)
	}
	fmt.Printf("\n%s\n", describeRun())
	printTable(os.Stdout, runs)
}

// runServer starts one server, pushes the fleet into it and measures its
// latency, then stops it.
func runServer(ctx context.Context, t *testing.T, k kind, bin string) (run, error) {
	dir := t.TempDir()
	s, err := startServer(ctx, k, bin, dir)
	if err != nil {
		return run{}, err
	}
	t.Logf("%s: %s started (pid %d) on %s, data in %s", k.Title, bin, s.PID(), s.url, dir)
	opts := loadOptions(k, s)
	if k.QueryParams != nil {
		p, err := queryProxy(s.url, k.QueryParams)
		if err != nil {
			return run{}, errors.Join(err, s.stop())
		}
		defer p.Close()
		opts.QueryURL = p.URL
	}
	res, runErr := loadgen.Run(ctx, opts)
	shutdown, stopErr := s.stopTimed()
	if runErr != nil {
		return run{}, fmt.Errorf("loadgen: %w (%s)", runErr, s.logTail())
	}
	if stopErr != nil {
		return run{}, stopErr
	}
	if err := res.WriteTable(os.Stderr); err != nil {
		return run{}, err
	}
	return run{Kind: k, Result: res, Shutdown: shutdown}, saveResult(k, &res)
}

// loadOptions are the loadgen options of a run against s.
func loadOptions(k kind, s *server) loadgen.Options {
	return loadgen.Options{
		URL:            s.url,
		PID:            s.PID(),
		Mode:           loadgen.Backfill,
		Series:         *seriesFlag,
		Duration:       *durationFlag,
		Concurrency:    *concFlag,
		LatencySamples: cmp.Or(k.Markers, *markersFlag),
		BackgroundRate: *bgRateFlag,
		Latency:        loadgen.LatencyOptions{Timeout: k.MarkerTimeout, Gap: *gapFlag},
		Progress:       os.Stderr,
	}
}

// checkCounts fails the test unless the server took every sample sent.
func checkCounts(t *testing.T, r run) {
	t.Helper()
	in := r.Result.Ingest
	want := int64(r.Result.Series) * int64(r.Result.Steps)
	if in.SamplesSent != want || in.SamplesAccepted != want || in.SamplesFailed != 0 || in.Errors != 0 {
		t.Errorf("%s: %d samples accepted of %d sent (%d failed, %d requests given up on); want all %d (%d series × %d steps) accepted; first error: %s",
			r.Kind.Title, in.SamplesAccepted, in.SamplesSent, in.SamplesFailed, in.Errors, want, r.Result.Series, r.Result.Steps, in.FirstError)
	}
	if l := r.Result.Latency; l != nil && l.Background != nil && l.Background.Errors != 0 {
		t.Errorf("%s: background load: %d requests given up on; first error: %s", r.Kind.Title, l.Background.Errors, l.Background.FirstError)
	}
}

// saveResult writes the result as JSON into -results-dir, when set.
func saveResult(k kind, res *loadgen.Result) error {
	if *resultsDirFlag == "" {
		return nil
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s result: %w", k.Name, err)
	}
	if err := os.WriteFile(filepath.Join(*resultsDirFlag, k.Name+".json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s result: %w", k.Name, err)
	}
	return nil
}

// describeRun says what was run, for the line above the table.
func describeRun() string {
	vmQuery := "its default -search.latencyOffset"
	if *vmOffsetFlag != "" {
		vmQuery = "latency_offset=" + *vmOffsetFlag
	}
	return fmt.Sprintf("%d series × %v at 10 s, backfilled by %d workers; %d latency markers %v apart idle and under %.0f samples/s "+
		"(VictoriaMetrics: %d, queried with %s); Vigil wal_sync: %s",
		*seriesFlag, *durationFlag, *concFlag, *markersFlag, *gapFlag, *bgRateFlag, *vmMarkersFlag, vmQuery, *walSyncFlag)
}
