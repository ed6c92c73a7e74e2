package storagecmp

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"
)

// tableEnv turns TestComparisonTable on.
const tableEnv = "VIGIL_BENCH_TABLE"

// queryRuns is how many times the table runs the query on each store.
const queryRuns = 3

// TestComparisonTable runs comparisons (a) to (e) once each and prints
// their figures as a markdown table on stdout. It runs only with
// VIGIL_BENCH_TABLE=1; -long gives the sizes of issue 6.
func TestComparisonTable(t *testing.T) {
	if os.Getenv(tableEnv) != "1" {
		t.Skipf("set %s=1 to run the comparisons (minutes; -long: much longer)", tableEnv)
	}
	ctx := context.Background()
	s := currentSizes()
	var tab table
	disk, diskData := runDisk(ctx, t, s)
	vm := runVM(ctx, t, diskData)
	tab.disk(disk, vm)
	tab.memory(runMemory(t, s))
	tab.restart(runRestart(t, s))
	tab.query(runQuery(ctx, t, s))
	tab.print(os.Stdout)
}

func runDisk(ctx context.Context, t *testing.T, s sizes) (diskResult, *dataset) {
	d, err := fleetData(s.DiskSeries, s.DiskSpan)
	must(t, err)
	r, err := measureDisk(ctx, t.TempDir(), d)
	must(t, err)
	return r, d
}

// runVM returns nil without a victoria-metrics binary.
func runVM(ctx context.Context, t *testing.T, d *dataset) *vmResult {
	bin := os.Getenv(vmEnv)
	if bin == "" {
		t.Logf("%s is not set: no VictoriaMetrics figure", vmEnv)
		return nil
	}
	r, err := measureVM(ctx, bin, t.TempDir(), d)
	must(t, err)
	return &r
}

func runMemory(t *testing.T, s sizes) memoryResult {
	d, err := fleetData(s.MemSeries, memSpan(s.MemSamples))
	must(t, err)
	r, err := measureMemory(t.TempDir(), d)
	must(t, err)
	return r
}

func runRestart(t *testing.T, s sizes) restartResult {
	d, err := fleetData(s.RestartSeries, memSpan(s.RestartSamples))
	must(t, err)
	r, err := measureRestart(t.TempDir(), d)
	must(t, err)
	return r
}

func runQuery(ctx context.Context, t *testing.T, s sizes) queryResult {
	d, err := metricData("http_requests_total", s.QuerySeries, s.QuerySpan)
	must(t, err)
	r, err := measureQuery(ctx, t.TempDir(), d, queryRuns)
	must(t, err)
	return r
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// table is the markdown table of the figures.
type table struct{ rows [][6]string }

func (t *table) add(row ...string) { t.rows = append(t.rows, [6]string(row)) }

func (t *table) disk(r diskResult, vm *vmResult) {
	vmFig := "—"
	if vm != nil {
		vmFig = fmt.Sprintf("%.3f", vm.perSample())
	}
	t.add(fmt.Sprintf("bytes per sample on disk, compacted (%s series × 24 h at 10 s, %s samples)", count(r.Series), count(r.Samples)),
		fmt.Sprintf("%.3f", r.vigilPerSample()), fmt.Sprintf("%.3f", r.promPerSample()), vmFig,
		fmt.Sprintf("%.2f", r.vigilPerSample()/r.promPerSample()), "≤ 0.5, and ≤ VictoriaMetrics")
	t.add("ingest of the same samples (samples/s, one appender)",
		count(int(float64(r.Samples)/r.VigilIngest.Seconds())), count(int(float64(r.Samples)/r.PromIngest.Seconds())), "—",
		fmt.Sprintf("%.2f", r.PromIngest.Seconds()/r.VigilIngest.Seconds()), "(for information)")
}

func (t *table) memory(r memoryResult) {
	t.add(fmt.Sprintf("head memory per series (%s series × %d samples, heap in use after GC)", count(r.Series), r.Samples/r.Series),
		fmt.Sprintf("%.0f B", r.vigilPerSeries()), fmt.Sprintf("%.0f B", r.promPerSeries()), "—",
		fmt.Sprintf("%.2f", r.vigilPerSeries()/r.promPerSeries()), "≤ 0.5")
}

func (t *table) restart(r restartResult) {
	t.add(fmt.Sprintf("restart after a clean stop, open to ready (%s series, %s samples)", count(r.Series), count(r.Samples)),
		seconds(r.Vigil), seconds(r.Prom), "—",
		fmt.Sprintf("%.2f", r.Vigil.Seconds()/r.Prom.Seconds()), "< 10 s at 1 M series, 100 M samples")
	t.add(fmt.Sprintf("restart after a crash (%s series, %s samples; Vigil replays its WAL)", count(r.Series), count(r.Samples)),
		seconds(r.VigilCrash), seconds(r.Prom), "—",
		fmt.Sprintf("%.2f", r.VigilCrash.Seconds()/r.Prom.Seconds()), "for information")
}

func (t *table) query(r queryResult) {
	t.add(fmt.Sprintf("`%s`, %s series, 24 h at a 1 m step, blocks (fastest of %d)", queryExpr, count(r.Series), queryRuns),
		seconds(r.Vigil), seconds(r.Prom), "—",
		fmt.Sprintf("%.2f", r.Vigil.Seconds()/r.Prom.Seconds()), "≤ 1")
}

func (t *table) print(w io.Writer) {
	fmt.Fprintln(w, "| figure | Vigil | Prometheus | VictoriaMetrics | ratio (Vigil / Prometheus) | target |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---|")
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3], r[4], r[5])
	}
}

// count formats n with a k or M suffix.
func count(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%.3g M", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.3g k", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
