package loadgen

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Result is what Run measured. Its JSON field names are stable: scripts and
// BENCHMARKS.md read them.
type Result struct {
	// Mode, URL and the rest describe the run.
	Mode            Mode    `json:"mode"`
	URL             string  `json:"url"`
	Series          int     `json:"series"`
	Hosts           int     `json:"hosts"`
	Steps           int     `json:"steps"`
	IntervalSeconds float64 `json:"interval_seconds"`
	Concurrency     int     `json:"concurrency"`
	BatchSize       int     `json:"batch_size"`
	Seed            int64   `json:"seed"`
	// Ingest is the backfill or live push.
	Ingest Phase `json:"ingest"`
	// Server is what the server spent on Ingest; nil without Options.PID.
	Server *ServerUsage `json:"server,omitempty"`
	// Latency is the push → queryable latency; nil when not measured.
	Latency *LatencyResult `json:"latency,omitempty"`
}

// Phase is what was pushed in one phase of a run, and how fast.
type Phase struct {
	Counts
	// DurationSeconds is the wall time of the phase.
	DurationSeconds float64 `json:"duration_seconds"`
	// SamplesPerSecond is SamplesAccepted per second of the phase.
	SamplesPerSecond float64 `json:"samples_per_second"`
}

// newPhase returns the phase of counts c that took d.
func newPhase(c Counts, d time.Duration) Phase {
	p := Phase{Counts: c, DurationSeconds: d.Seconds()}
	if d > 0 {
		p.SamplesPerSecond = float64(c.SamplesAccepted) / d.Seconds()
	}
	return p
}

// LatencyResult is the push → queryable latency, idle and under load.
type LatencyResult struct {
	// Idle is measured with nothing else pushed.
	Idle *Latency `json:"idle,omitempty"`
	// UnderLoad is measured while Background was pushed.
	UnderLoad *Latency `json:"under_load,omitempty"`
	// BackgroundRate is the background load asked for, samples/s.
	BackgroundRate float64 `json:"background_rate,omitempty"`
	// Background is the background load pushed during UnderLoad.
	Background *Phase `json:"background,omitempty"`
}

// WriteTable writes the result as a table, for people.
func (r *Result) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%s of %d series (%d hosts) × %d steps of %gs to %s: %d workers, at most %d samples per request\n",
		r.Mode, r.Series, r.Hosts, r.Steps, r.IntervalSeconds, r.URL, r.Concurrency, r.BatchSize)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writePhase(tw, &r.Ingest)
	if s := r.Server; s != nil {
		fmt.Fprintf(tw, "server CPU\t%.2f s\t%.3f s per million samples\n", s.CPUSeconds, s.CPUSecondsPerMillion)
		fmt.Fprintf(tw, "server peak RSS\t%s\tVmHWM; %s the most sampled\n", mib(s.PeakRSS), mib(s.MaxSampledRSS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Latency != nil {
		writeLatency(w, r.Latency)
	}
	return nil
}

// writePhase writes the rows of a phase.
func writePhase(w io.Writer, p *Phase) {
	fmt.Fprintf(w, "samples accepted\t%d\tof %d sent, %d failed\n", p.SamplesAccepted, p.SamplesSent, p.SamplesFailed)
	fmt.Fprintf(w, "samples/s accepted\t%.0f\tin %.2f s\n", p.SamplesPerSecond, p.DurationSeconds)
	fmt.Fprintf(w, "requests\t%d\t%d errors, %d throttled (429), %d server errors (5xx), %d retries\n",
		p.Requests, p.Errors, p.Throttled, p.ServerErrors, p.Retries)
	if p.FirstError != "" {
		fmt.Fprintf(w, "first error\t%s\n", p.FirstError)
	}
}

// writeLatency writes the latency table.
func writeLatency(w io.Writer, l *LatencyResult) {
	const row = "%-24s %9s %9s %9s %9s %8v %8v\n"
	fmt.Fprintf(w, row, "push → queryable", "p50", "p90", "p99", "max", "markers", "timeouts")
	line := func(name string, x *Latency) {
		fmt.Fprintf(w, row, name, ms(x.P50), ms(x.P90), ms(x.P99), ms(x.Max), x.Markers, x.Timeouts)
	}
	if l.Idle != nil {
		line("  idle", l.Idle)
	}
	if l.UnderLoad != nil {
		line(fmt.Sprintf("  under %.0f samples/s", l.BackgroundRate), l.UnderLoad)
	}
	if b := l.Background; b != nil {
		fmt.Fprintf(w, "background load: %.0f samples/s accepted (%d of %d samples, %d errors, %d throttled)\n",
			b.SamplesPerSecond, b.SamplesAccepted, b.SamplesSent, b.Errors, b.Throttled)
	}
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// mib formats bytes in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
