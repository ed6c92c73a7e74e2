package ingestcmp

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsre/vigil/bench/loadgen"
)

func TestCount(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 36_000_000: "36,000,000", -1234: "-1,234"} {
		if got := count(v); got != want {
			t.Errorf("count(%v) = %q, want %q", v, got, want)
		}
	}
}

// fakeRun is a run with the figures that the table reads.
func fakeRun(name string, cpu float64, rss int64, p99 time.Duration) run {
	k, _ := kindOf(name)
	lat := &loadgen.Latency{Markers: 100, P50: p99 / 2, P99: p99, Max: p99}
	return run{Kind: k, Result: loadgen.Result{
		Ingest:  loadgen.Phase{Counts: loadgen.Counts{SamplesSent: 1000, SamplesAccepted: 1000}, SamplesPerSecond: 5000},
		Server:  &loadgen.ServerUsage{CPUSecondsPerMillion: cpu, PeakRSS: rss << 20},
		Latency: &loadgen.LatencyResult{Idle: lat, UnderLoad: lat, Background: &loadgen.Phase{SamplesPerSecond: 100_000}},
	}}
}

func TestPrintTable(t *testing.T) {
	runs := []run{fakeRun("vigil", 1, 100, 40*time.Millisecond), fakeRun("prometheus", 6, 600, 44*time.Millisecond),
		fakeRun("victoriametrics", 2, 400, 6*time.Second)}
	var b strings.Builder
	printTable(&b, runs)
	for _, want := range []string{
		"| figure | Vigil | Prometheus | VictoriaMetrics | Vigil/VM | target |",
		"| server CPU-seconds per million samples ingested | 1.000 | 6.000 | 2.000 | 0.50× | ≤ 0.8×: met |",
		"| peak memory (VmHWM, MiB) | 100.0 | 600.0 | 400.0 | 0.25× | ≤ 0.8×: met |",
		"| push → queryable p99 under load (ms) | 40.0 | 44.0 | 6000.0 |  | < 50 ms: met |",
		"| samples accepted (backfill) | 1,000 | 1,000 | 1,000 |  |  |",
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("table lacks the line\n%s\ntable:\n%s", want, b.String())
		}
	}
}

func TestPrintTableWithoutVM(t *testing.T) {
	var b strings.Builder
	printTable(&b, []run{fakeRun("vigil", 1, 100, 60*time.Millisecond)})
	if want := "| push → queryable p99 under load (ms) | 60.0 |\n"; !strings.Contains(b.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, b.String())
	}
}
