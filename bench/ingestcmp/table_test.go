package ingestcmp

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigilsre/vigil/bench/loadgen"
)

// p99Target is issue 7's bound on Vigil's push → queryable p99 under load.
const p99Target = 50 * time.Millisecond

// cpuRSSTarget is issue 7's bound on Vigil's CPU per sample and peak RSS,
// as a fraction of VictoriaMetrics'.
const cpuRSSTarget = 0.8

// row is one figure of the table. value returns the figure of a run and
// whether it was measured.
type row struct {
	name   string
	unit   func(float64) string
	value  func(*loadgen.Result) (float64, bool)
	ratio  bool                              // show Vigil/VictoriaMetrics
	target func(vigil, ratio float64) string // the target and whether it is met; nil: none
}

// rows are the figures of the table, in order.
func rows() []row {
	return []row{
		{name: "samples accepted (backfill)", unit: count, value: func(r *loadgen.Result) (float64, bool) {
			return float64(r.Ingest.SamplesAccepted), true
		}},
		{name: "server CPU-seconds per million samples ingested", unit: fixed(3), ratio: true, target: ratioTarget, value: func(r *loadgen.Result) (float64, bool) {
			return serverFig(r, func(u *loadgen.ServerUsage) float64 { return u.CPUSecondsPerMillion })
		}},
		{name: "ingest rate reached (samples/s)", unit: count, ratio: true, value: func(r *loadgen.Result) (float64, bool) {
			return r.Ingest.SamplesPerSecond, true
		}},
		{name: "peak memory (VmHWM, MiB)", unit: fixed(1), ratio: true, target: ratioTarget, value: func(r *loadgen.Result) (float64, bool) {
			return serverFig(r, func(u *loadgen.ServerUsage) float64 { return float64(u.PeakRSS) / (1 << 20) })
		}},
		latencyRow("push → queryable p50, idle (ms)", idle, func(l *loadgen.Latency) time.Duration { return l.P50 }, nil),
		latencyRow("push → queryable p99, idle (ms)", idle, func(l *loadgen.Latency) time.Duration { return l.P99 }, nil),
		latencyRow("push → queryable p50 under load (ms)", loaded, func(l *loadgen.Latency) time.Duration { return l.P50 }, nil),
		latencyRow("push → queryable p99 under load (ms)", loaded, func(l *loadgen.Latency) time.Duration { return l.P99 }, p99Met),
		latencyRow("push → queryable max under load (ms)", loaded, func(l *loadgen.Latency) time.Duration { return l.Max }, nil),
		{name: "markers timed out (idle + under load)", unit: count, value: timeouts},
		{name: "background load accepted (samples/s)", unit: count, value: func(r *loadgen.Result) (float64, bool) {
			if r.Latency == nil || r.Latency.Background == nil {
				return 0, false
			}
			return r.Latency.Background.SamplesPerSecond, true
		}},
	}
}

// serverFig returns a figure of the server's usage, when measured.
func serverFig(r *loadgen.Result, f func(*loadgen.ServerUsage) float64) (float64, bool) {
	if r.Server == nil {
		return 0, false
	}
	return f(r.Server), true
}

// idle and loaded pick one latency measurement of a result.
func idle(l *loadgen.LatencyResult) *loadgen.Latency   { return l.Idle }
func loaded(l *loadgen.LatencyResult) *loadgen.Latency { return l.UnderLoad }

// latencyRow is a row of one latency figure, in milliseconds.
func latencyRow(name string, pick func(*loadgen.LatencyResult) *loadgen.Latency, f func(*loadgen.Latency) time.Duration, target func(float64, float64) string) row {
	return row{name: name, unit: fixed(1), target: target, value: func(r *loadgen.Result) (float64, bool) {
		if r.Latency == nil || pick(r.Latency) == nil || pick(r.Latency).Markers == 0 {
			return 0, false
		}
		return float64(f(pick(r.Latency)).Microseconds()) / 1000, true
	}}
}

// timeouts is the number of markers that never showed.
func timeouts(r *loadgen.Result) (float64, bool) {
	if r.Latency == nil {
		return 0, false
	}
	n := 0
	for _, l := range []*loadgen.Latency{r.Latency.Idle, r.Latency.UnderLoad} {
		if l != nil {
			n += l.Timeouts
		}
	}
	return float64(n), true
}

// ratioTarget is the target of CPU and memory: at most 0.8× VictoriaMetrics.
func ratioTarget(_, ratio float64) string {
	return fmt.Sprintf("≤ %.1f×: %s", cpuRSSTarget, met(ratio <= cpuRSSTarget))
}

// p99Met is the target of the p99 under load: under 50 ms.
func p99Met(vigil, _ float64) string {
	return fmt.Sprintf("< %d ms: %s", p99Target.Milliseconds(), met(vigil < float64(p99Target.Milliseconds())))
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// count formats a number with thousands separators.
func count(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fixed formats a number with prec decimals.
func fixed(prec int) func(float64) string {
	return func(v float64) string { return fmt.Sprintf("%.*f", prec, v) }
}

// printTable writes the runs as a markdown table: a column per server,
// then Vigil/VictoriaMetrics and the target when both ran.
func printTable(w io.Writer, runs []run) {
	vigil, vm := find(runs, "vigil"), find(runs, "victoriametrics")
	head := []string{"figure"}
	for _, r := range runs {
		head = append(head, r.Kind.Title)
	}
	both := vigil != nil && vm != nil
	if both {
		head = append(head, "Vigil/VM", "target")
	}
	writeRow(w, head)
	writeRow(w, strings.Split(strings.Repeat("---,", len(head)-1)+"---", ","))
	for _, rw := range rows() {
		writeRow(w, cells(rw, runs, vigil, vm, both))
	}
	fmt.Fprintf(w, "\nshutdown (SIGINT → exit):")
	for _, r := range runs {
		fmt.Fprintf(w, " %s %.1f s;", r.Kind.Title, r.Shutdown.Seconds())
	}
	fmt.Fprintln(w)
}

// cells returns the cells of one row.
func cells(rw row, runs []run, vigil, vm *run, both bool) []string {
	c := []string{rw.name}
	for _, r := range runs {
		c = append(c, cell(rw, &r.Result))
	}
	if !both {
		return c
	}
	v, vok := rw.value(&vigil.Result)
	m, mok := rw.value(&vm.Result)
	ratio, target := "", ""
	if rw.ratio && vok && mok && m != 0 {
		ratio = fmt.Sprintf("%.2f×", v/m)
	}
	if rw.target != nil && vok && (!rw.ratio || ratio != "") {
		target = rw.target(v, v/m)
	}
	return append(c, ratio, target)
}

// cell formats one figure, or "–" when it was not measured.
func cell(rw row, r *loadgen.Result) string {
	v, ok := rw.value(r)
	if !ok {
		return "–"
	}
	return rw.unit(v)
}

// find returns the run of the named server, or nil.
func find(runs []run, name string) *run {
	for i := range runs {
		if runs[i].Kind.Name == name {
			return &runs[i]
		}
	}
	return nil
}

func writeRow(w io.Writer, cells []string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}
