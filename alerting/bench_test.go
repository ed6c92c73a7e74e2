package alerting_test

import (
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
// apart from a minute before benchStart to benchAhead after it. Every
// alerting rule selects its own service's 100 series.
const (
	benchServices  = 1000
	benchInstances = 50
	benchRules     = benchServices // one group, evaluated in order
	benchStep      = 10 * time.Second
	benchBehind    = time.Minute // enough for rate(...[1m]) at the start
	benchAhead     = time.Minute // the evaluations stay within the data
	// Every benchFailingEvery-th service answers 10% errors, so its rule
	// has a firing alert per instance.
	benchFailingEvery = 20
	benchAlerts       = benchServices / benchFailingEvery * benchInstances
	// benchTick is how far each evaluation's timestamp is after the
	// previous one: later, so that ALERTS and ALERTS_FOR_STATE are real
	// appends (as under Run), and close enough that benchAhead holds
	// 60,000 evaluations with the same answers.
	benchTick = time.Millisecond
)

// benchStart is the fixed time the benchmark data is around; evaluation
// times are benchStart + i·benchTick, whatever the real clock says.
var benchStart = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

// BenchmarkEvaluate1000Rules is the evaluation time of 1,000 alerting rules
// over 100k series, reported per rule. The rules are one group of a
// Manager; one iteration is one Manager.Eval: 1,000 queries through
// query.Engine over a tsdb.DB, the state machine of 2,500 firing alerts,
// the dependency decision for each, their annotations, and ALERTS and
// ALERTS_FOR_STATE written back into the DB. The first evaluation, which
// also restores from ALERTS_FOR_STATE, is not measured.
//
//	go test ./alerting -run '^$' -bench Evaluate1000Rules -benchtime 3x -count 6 > new.txt
//	benchstat old.txt new.txt
func BenchmarkEvaluate1000Rules(b *testing.B) {
	db := newBenchDB(b, benchStart)
	notified := 0
	m := newBenchManager(b, db, notifierFunc(func(ns []alerting.Notification) { notified = len(ns) }))
	ts := benchStart
	m.Eval(b.Context(), ts)
	if notified != benchAlerts {
		b.Fatalf("first evaluation notified %d alerts, want %d", notified, benchAlerts)
	}
	b.ReportAllocs()
	for b.Loop() {
		ts = ts.Add(benchTick)
		m.Eval(b.Context(), ts)
	}
	perRule := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / benchRules
	b.ReportMetric(perRule, "ns/rule")
	b.ReportMetric(1e9/perRule, "rules/s")
	if notified != benchAlerts {
		b.Fatalf("last evaluation notified %d alerts, want %d", notified, benchAlerts)
	}
	checkBenchRun(b, m, ts)
}

// checkBenchRun fails the benchmark if a rule failed or the evaluations
// went past the data.
func checkBenchRun(b *testing.B, m *alerting.Manager, last time.Time) {
	if last.After(benchStart.Add(benchAhead)) {
		b.Fatalf("the benchmark evaluated past its data (%v); use a shorter -benchtime", benchAhead)
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
		Query:    query.New(db, query.Options{}),
		Writer:   &dbWriter{db: db},
		Notifier: n,
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Load(alerting.LoadSpec{RuleFiles: []string{path}}); err != nil {
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
