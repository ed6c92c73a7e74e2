package alerting_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/query"
	"github.com/vigilsre/vigil/tsdb"
)

// The benchmark store: benchServices services × benchInstances instances ×
// 2 status codes of a request counter = 100,000 series, with samples 10 s
// apart from a minute before the benchmark starts to benchAhead after it
// (evaluation runs on the real clock, so the data must cover the run).
// Every alerting rule selects its own service's 100 series.
const (
	benchServices  = 1000
	benchInstances = 50
	benchRules     = benchServices // one group, evaluated in order
	benchStep      = 10 * time.Second
	benchBehind    = time.Minute // enough for rate(...[1m]) at the start
	benchAhead     = time.Minute // the longest the benchmark may run
	// Every benchFailingEvery-th service answers 10% errors, so its rule
	// has a firing alert per instance.
	benchFailingEvery = 20
	benchAlerts       = benchServices / benchFailingEvery * benchInstances
)

// BenchmarkEvaluate1000Rules is the evaluation time of 1,000 alerting rules
// over 100k series, reported per rule. The rules are one group of a
// Manager, run (Run) with a 1 ms evaluation interval so that evaluations
// follow each other back to back; one iteration is one evaluation of the
// whole group: 1,000 queries through query.Engine over a tsdb.DB, the state
// machine of 2,500 firing alerts, their annotations, and ALERTS and
// ALERTS_FOR_STATE written back into the DB. The end of an evaluation is
// when the group hands its notifications over. allocs/op counts every
// goroutine's allocations.
//
//	go test ./alerting -run '^$' -bench Evaluate1000Rules -benchtime 3x -count 6 > new.txt
//	benchstat old.txt new.txt
func BenchmarkEvaluate1000Rules(b *testing.B) {
	start := time.Now().Truncate(benchStep)
	db := newBenchDB(b, start)
	evaluated := make(chan int, 1)
	m := newBenchManager(b, db, notifierFunc(func(ns []alerting.Notification) {
		select {
		case evaluated <- len(ns):
		default:
		}
	}))
	ctx, cancel := context.WithCancel(b.Context())
	var wg sync.WaitGroup
	wg.Go(func() { m.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	if n := nextEvaluation(b, evaluated); n != benchAlerts { // the first one also restores
		b.Fatalf("first evaluation notified %d alerts, want %d", n, benchAlerts)
	}
	for len(evaluated) > 0 {
		<-evaluated
	}
	nextEvaluation(b, evaluated) // the next evaluation starts now
	b.ReportAllocs()
	for b.Loop() {
		nextEvaluation(b, evaluated)
	}
	perRule := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / benchRules
	b.ReportMetric(perRule, "ns/rule")
	b.ReportMetric(1e9/perRule, "rules/s")
	checkBenchRun(b, m, start)
}

// nextEvaluation waits for the end of the next evaluation and returns the
// number of alerts it notified.
func nextEvaluation(b *testing.B, evaluated <-chan int) int {
	select {
	case n := <-evaluated:
		return n
	case <-time.After(benchAhead):
		b.Fatalf("no evaluation ended within %v", benchAhead)
		return 0
	}
}

// checkBenchRun fails the benchmark if a rule failed or the run outlived
// its data.
func checkBenchRun(b *testing.B, m *alerting.Manager, start time.Time) {
	if time.Now().After(start.Add(benchAhead)) {
		b.Fatalf("the benchmark ran past its data (%v); use a shorter -benchtime", benchAhead)
	}
	for _, g := range m.Groups() {
		b.Logf("group %s: %d rules, last evaluation took %v by the Manager's own measure", g.Name, len(g.Rules), g.EvaluationTime)
		for _, r := range g.Rules {
			if r.Health != "ok" || r.State != "firing" && r.State != "inactive" {
				b.Fatalf("rule %s: health %q state %q error %q", r.Name, r.Health, r.State, r.LastError)
			}
		}
	}
	if got := len(m.Alerts()); got != benchAlerts {
		b.Fatalf("%d alerts, want %d", got, benchAlerts)
	}
}

// notifierFunc is an alerting.Notifier calling a function.
type notifierFunc func([]alerting.Notification)

func (f notifierFunc) Notify(ns []alerting.Notification) { f(ns) }

// newBenchDB opens a DB in a temporary directory and loads the benchmark
// series into it, one batch per service, with samples from start -
// benchBehind to start + benchAhead.
func newBenchDB(b *testing.B, start time.Time) *tsdb.DB {
	b.Helper()
	db, err := tsdb.Open(tsdb.Options{Dir: b.TempDir(), WALSyncInterval: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	var batch tsdb.Batch
	for svc := range benchServices {
		fillServiceBatch(&batch, svc, start)
		res, err := db.AppendBatch(&batch)
		if err != nil || res.Appended != batch.Samples() {
			b.Fatalf("append service %d: %+v, %v", svc, res, err)
		}
	}
	if n := db.NumSeries(); n != benchServices*benchInstances*2 {
		b.Fatalf("%d series, want %d", n, benchServices*benchInstances*2)
	}
	return db
}

// fillServiceBatch resets batch to the series of one service: per instance,
// http_requests_total with code 200 growing 10/s and code 500 growing
// 1.2/s on failing services (10.7% errors), 0.01/s on the others.
func fillServiceBatch(batch *tsdb.Batch, svc int, start time.Time) {
	batch.Reset()
	errRate := 0.01
	if svc%benchFailingEvery == 0 {
		errRate = 1.2
	}
	for inst := range benchInstances {
		for _, c := range []struct {
			code string
			rate float64
		}{{"200", 10}, {"500", errRate}} {
			s := batch.Next()
			s.Labels = labels.FromStrings("__name__", "http_requests_total", "code", c.code,
				"instance", fmt.Sprintf("10.%d.%d.%d:8080", svc/250, svc%250, inst),
				"job", "api", "service", benchService(svc))
			for t := start.Add(-benchBehind); !t.After(start.Add(benchAhead)); t = t.Add(benchStep) {
				v := c.rate * t.Sub(start.Add(-benchBehind)).Seconds()
				s.Samples = append(s.Samples, tsdb.Sample{T: t.UnixMilli(), V: v})
			}
		}
	}
}

func benchService(svc int) string { return fmt.Sprintf("svc-%03d", svc) }

// newBenchManager writes the 1,000 rules to a file and loads them into a
// Manager querying db, writing its results back into it and notifying n.
func newBenchManager(b *testing.B, db *tsdb.DB, n alerting.Notifier) *alerting.Manager {
	b.Helper()
	path := filepath.Join(b.TempDir(), "rules.yml")
	if err := os.WriteFile(path, []byte(benchRuleFile()), 0o644); err != nil {
		b.Fatal(err)
	}
	m, err := alerting.NewManager(alerting.Options{
		Query:              query.New(db, query.Options{}),
		Writer:             &dbWriter{db: db},
		Notifier:           n,
		EvaluationInterval: time.Millisecond,
		Logger:             slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Load([]string{path}); err != nil {
		b.Fatal(err)
	}
	return m
}

// benchRuleFile is one group of alerting rules, one rule per service, as a
// service owner would write an error-ratio alert.
func benchRuleFile() string {
	var sb strings.Builder
	sb.WriteString("groups:\n  - name: services\n    rules:\n")
	for svc := range benchRules {
		fmt.Fprintf(&sb, `      - alert: HighErrorRatio
        expr: |
          sum by (instance) (rate(http_requests_total{service=%[1]q,code=~"5.."}[1m]))
            /
          sum by (instance) (rate(http_requests_total{service=%[1]q}[1m]))
            > 0.05
        labels:
          severity: critical
          service: %[1]s
        annotations:
          summary: "{{ $labels.instance }} of {{ $labels.service }} answers {{ $value | humanizePercentage }} errors"
          runbook_url: https://runbooks.example.com/%[1]s
`, benchService(svc))
	}
	return sb.String()
}

// dbWriter is alerting.Writer over tsdb.DB, as cmd/vigil wires it: one
// batch per call. Safe for concurrent use.
type dbWriter struct {
	db    *tsdb.DB
	mu    sync.Mutex // guards batch
	batch tsdb.Batch
}

func (w *dbWriter) WriteSamples(samples []alerting.Sample) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.batch.Reset()
	for _, s := range samples {
		bs := w.batch.Next()
		bs.Labels = s.Labels
		bs.Samples = append(bs.Samples, tsdb.Sample{T: s.T, V: s.V})
	}
	res, err := w.db.AppendBatch(&w.batch)
	if err != nil {
		return err
	}
	if res.Rejected() > 0 {
		return fmt.Errorf("%d of %d rule samples rejected: %w", res.Rejected(), len(samples), res.FirstError)
	}
	return nil
}
