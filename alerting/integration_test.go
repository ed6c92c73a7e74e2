package alerting

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/util/teststorage"

	"github.com/vigilsre/vigil/query"
)

// storageWriter appends samples to a Prometheus test storage.
type storageWriter struct{ s *teststorage.TestStorage }

// WriteSamples implements Writer.
func (w storageWriter) WriteSamples(samples []Sample) error {
	app := w.s.Appender(context.Background())
	for _, s := range samples {
		if _, err := app.Append(0, s.Labels, s.T, s.V); err != nil {
			_ = app.Rollback()
			return err
		}
	}
	return app.Commit()
}

// stack is Vigil's evaluation over the real query engine and a store.
type stack struct {
	store *teststorage.TestStorage
	eng   *query.Engine
	w     storageWriter
	rules string // path of the rule file
}

func newStack(t *testing.T, rules string) *stack {
	s := teststorage.New(t)
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	return &stack{store: s, eng: query.New(s, query.Options{}), w: storageWriter{s}, rules: path}
}

// push stores one sample of series at second sec.
func (s *stack) push(t *testing.T, series string, sec int, v float64) {
	t.Helper()
	if err := s.w.WriteSamples([]Sample{{Labels: ls(t, series), T: at(sec).UnixMilli(), V: v}}); err != nil {
		t.Fatal(err)
	}
}

// manager starts a Manager ("a Vigil process") over the stack, rules
// loaded, not yet evaluated.
func (s *stack) manager(t *testing.T, n Notifier, clock *fixedClock) *Manager {
	m, err := NewManager(Options{Query: s.eng, Writer: s.w, Notifier: n, Now: clock.now, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Load(LoadSpec{RuleFiles: []string{s.rules}}); err != nil {
		t.Fatal(err)
	}
	return m
}

// evalAll evaluates every group of m at second sec.
func evalAll(m *Manager, clock *fixedClock, sec int) {
	clock.set(at(sec))
	for _, g := range m.current() {
		g.eval(context.Background(), at(sec))
	}
}

const restartRules = `
groups:
  - name: web
    interval: 10s
    rules:
      - alert: HighErrors
        expr: errors > 5
        for: 20s
        labels: {severity: page}
`

func TestRestartKeepsFiringAlert(t *testing.T) {
	s := newStack(t, restartRules)
	clock := &fixedClock{}
	n1 := &fakeNotifier{}
	m1 := s.manager(t, n1, clock)
	for sec := 0; sec <= 40; sec += 10 {
		s.push(t, `errors{job="api"}`, sec, 10)
		evalAll(m1, clock, sec)
	}
	first := m1.Alerts()
	if len(first) != 1 || first[0].State != StateFiring || !first[0].ActiveAt.Equal(at(0)) || !first[0].FiredAt.Equal(at(20)) {
		t.Fatalf("before restart: %+v", first)
	}
	// Restart: a new process over the same store, 30s later.
	n2 := &fakeNotifier{}
	m2 := s.manager(t, n2, clock)
	s.push(t, `errors{job="api"}`, 70, 10)
	evalAll(m2, clock, 70)
	after := m2.Alerts()
	if len(after) != 1 || after[0].State != StateFiring || !after[0].ActiveAt.Equal(at(0)) || !after[0].FiredAt.Equal(at(20)) {
		t.Fatalf("after restart: %+v", after)
	}
	want := `{alertname="HighErrors", job="api", severity="page"} starts=20s value=10` + "\n"
	if got := joinLines(n2.take()); got != want {
		t.Fatalf("notified after restart:\n%s\nwant:\n%s", got, want)
	}
}

func TestRestartResolvesAlertThatClearedDuringOutage(t *testing.T) {
	s := newStack(t, restartRules)
	clock := &fixedClock{}
	m1 := s.manager(t, &fakeNotifier{}, clock)
	for sec := 0; sec <= 20; sec += 10 {
		s.push(t, `errors{job="api"}`, sec, 10)
		evalAll(m1, clock, sec)
	}
	n2 := &fakeNotifier{}
	m2 := s.manager(t, n2, clock)
	s.push(t, `errors{job="api"}`, 60, 1) // recovered while Vigil was down
	evalAll(m2, clock, 60)
	want := `{alertname="HighErrors", job="api", severity="page"} starts=20s ends=1m0s value=0` + "\n"
	if got := joinLines(n2.take()); got != want {
		t.Fatalf("notified after restart:\n%s\nwant:\n%s", got, want)
	}
	if len(m2.Alerts()) != 0 {
		t.Fatalf("alerts %+v", m2.Alerts())
	}
}

func TestRestartDoesNotRestoreAlertThatResolvedBefore(t *testing.T) {
	s := newStack(t, restartRules)
	clock := &fixedClock{}
	m1 := s.manager(t, &fakeNotifier{}, clock)
	for i, v := range []float64{10, 10, 10, 1} {
		s.push(t, `errors{job="api"}`, 10*i, v)
	}
	for sec := 0; sec <= 30; sec += 10 {
		evalAll(m1, clock, sec)
	}
	if len(m1.Alerts()) != 0 {
		t.Fatalf("alerts before restart %+v", m1.Alerts())
	}
	// The condition holds again after the restart: the old ActiveAt (in a
	// series that ended with a stale marker) must not make it fire at once.
	m2 := s.manager(t, &fakeNotifier{}, clock)
	s.push(t, `errors{job="api"}`, 60, 10)
	evalAll(m2, clock, 60)
	after := m2.Alerts()
	if len(after) != 1 || after[0].State != StatePending || !after[0].ActiveAt.Equal(at(60)) {
		t.Fatalf("after restart: %+v", after)
	}
}

func TestMissingDataOverRealStore(t *testing.T) {
	s := newStack(t, `
groups:
  - name: node
    rules:
      - alert: DiskFull
        expr: disk_used_ratio > 0.9
`)
	clock := &fixedClock{}
	n := &fakeNotifier{}
	m := s.manager(t, n, clock)
	s.push(t, `disk_used_ratio{host="a"}`, 0, 0.95)
	s.push(t, `disk_used_ratio{host="b"}`, 0, 0.95)
	evalAll(m, clock, 0)
	// host a recovers; host b stops reporting (its series ends with a stale
	// marker, as when a target disappears).
	s.push(t, `disk_used_ratio{host="a"}`, 10, 0.5)
	if err := s.w.WriteSamples([]Sample{{Labels: labels.FromStrings("__name__", "disk_used_ratio", "host", "b"), T: at(10).UnixMilli(), V: staleNaN()}}); err != nil {
		t.Fatal(err)
	}
	n.take()
	evalAll(m, clock, 10)
	want := `{alertname="DiskFull", host="b"} starts=0s value=0.95` + "\n" +
		`{alertname="DiskFull", host="a"} starts=0s ends=10s value=0.95` + "\n"
	if got := joinLines(n.take()); got != want {
		t.Fatalf("notified:\n%s\nwant:\n%s", got, want)
	}
	if alerts := m.Alerts(); len(alerts) != 1 || alerts[0].State != StateUnknown || !alerts[0].UnknownSince.Equal(at(10)) {
		t.Fatalf("alerts %+v", alerts)
	}
}
