package alerting

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigilsre/vigil/query"
)

// t0 is the time tests start at: a round minute, so slots are easy to read.
var t0 = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

// at returns t0 plus s seconds.
func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// answer is a fake query result at a time.
type answer func(ts time.Time) (parser.Value, error)

// fakeQuerier answers each expression (as printed by the parser) with its
// answer; any other expression is an error. It records every call.
type fakeQuerier struct {
	mu      sync.Mutex
	answers map[string]answer
	calls   []string // "expr @ seconds since t0"
}

func newFakeQuerier() *fakeQuerier { return &fakeQuerier{answers: map[string]answer{}} }

// set makes expr answer with a.
func (q *fakeQuerier) set(expr string, a answer) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.answers[expr] = a
}

// vector makes expr answer the samples at any time.
func (q *fakeQuerier) vector(expr string, samples ...promql.Sample) {
	q.set(expr, func(time.Time) (parser.Value, error) { return promql.Vector(samples), nil })
}

// matrix makes expr answer the series at any time.
func (q *fakeQuerier) matrix(expr string, series ...promql.Series) {
	q.set(expr, func(time.Time) (parser.Value, error) { return promql.Matrix(series), nil })
}

// fail makes expr fail with err.
func (q *fakeQuerier) fail(expr string, err error) {
	q.set(expr, func(time.Time) (parser.Value, error) { return nil, err })
}

// Instant implements Querier.
func (q *fakeQuerier) Instant(_ context.Context, expr string, ts time.Time) (*query.Result, error) {
	q.mu.Lock()
	a, ok := q.answers[expr]
	q.calls = append(q.calls, fmt.Sprintf("%s @ %s", expr, ts.Sub(t0)))
	q.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unexpected query %q", expr)
	}
	v, err := a(ts)
	if err != nil {
		return nil, err
	}
	return &query.Result{Value: v}, nil
}

// takeCalls returns and forgets the calls so far.
func (q *fakeQuerier) takeCalls() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := q.calls
	q.calls = nil
	return c
}

// sample returns a sample of the series written as in PromQL.
func sample(t testing.TB, series string, v float64) promql.Sample {
	t.Helper()
	ls, err := parser.NewParser(parser.Options{}).ParseMetric(series)
	if err != nil {
		t.Fatalf("parse %s: %v", series, err)
	}
	return promql.Sample{Metric: ls, F: v}
}

// fakeWriter records what is written, as lines "T series value", one
// string per call; err makes every call fail.
type fakeWriter struct {
	mu    sync.Mutex
	calls []string
	err   error
}

// WriteSamples implements Writer.
func (w *fakeWriter) WriteSamples(samples []Sample) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.calls = append(w.calls, formatSamples(samples))
	return nil
}

// take returns and forgets the calls so far.
func (w *fakeWriter) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.calls
	w.calls = nil
	return c
}

// formatSamples renders samples one per line, the time in seconds since t0.
func formatSamples(samples []Sample) string {
	var b strings.Builder
	for _, s := range samples {
		v := strconv.FormatFloat(s.V, 'f', -1, 64)
		if math.Float64bits(s.V) == value.StaleNaN {
			v = "stale"
		}
		fmt.Fprintf(&b, "%s %s %s\n", time.UnixMilli(s.T).Sub(t0), s.Labels, v)
	}
	return b.String()
}

// fakeNotifier records every Notify call.
type fakeNotifier struct {
	mu    sync.Mutex
	calls [][]Notification
}

// Notify implements Notifier.
func (n *fakeNotifier) Notify(ns []Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, slices.Clone(ns))
}

// take returns the calls so far, rendered, and forgets them.
func (n *fakeNotifier) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, c := range n.calls {
		var b strings.Builder
		for _, x := range c {
			fmt.Fprintf(&b, "%s starts=%s", x.Labels, x.StartsAt.Sub(t0))
			if x.Resolved() {
				fmt.Fprintf(&b, " ends=%s", x.EndsAt.Sub(t0))
			}
			fmt.Fprintf(&b, " value=%v\n", x.Value)
		}
		out = append(out, b.String())
	}
	n.calls = nil
	return out
}

// fixedClock is a settable clock for Options.Now.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// ls parses a label set written as in PromQL ({a="b"}).
func ls(t testing.TB, s string) labels.Labels {
	t.Helper()
	return sample(t, s, 0).Metric
}

// harness is a Manager over fakes, its groups evaluated by hand.
type harness struct {
	q     *fakeQuerier
	w     *fakeWriter
	n     *fakeNotifier
	clock *fixedClock
	m     *Manager
	dir   string
}

// newHarness returns a Manager over fakes with rules loaded from content
// (written to rules.yml in a temporary directory).
func newHarness(t *testing.T, content string, opts ...func(*Options)) *harness {
	t.Helper()
	h := &harness{q: newFakeQuerier(), w: &fakeWriter{}, n: &fakeNotifier{}, clock: &fixedClock{t: t0}, dir: t.TempDir()}
	o := Options{Query: h.q, Writer: h.w, Notifier: h.n, Now: h.clock.now, ExternalURL: "http://vigil.example:9096",
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	for _, f := range opts {
		f(&o)
	}
	var err error
	if h.m, err = NewManager(o); err != nil {
		t.Fatal(err)
	}
	h.load(t, content)
	return h
}

// load writes content to rules.yml and loads it.
func (h *harness) load(t *testing.T, content string) {
	t.Helper()
	if err := h.loadErr(t, content); err != nil {
		t.Fatal(err)
	}
}

// loadErr writes content to rules.yml and loads it, returning the error.
func (h *harness) loadErr(t *testing.T, content string) error {
	t.Helper()
	path := filepath.Join(h.dir, "rules.yml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return h.m.Load(LoadSpec{RuleFiles: []string{path}})
}

// eval evaluates every group at at(s), the clock set to that time.
func (h *harness) eval(s int) {
	h.clock.set(at(s))
	for _, g := range h.m.current() {
		g.eval(context.Background(), at(s))
	}
}

// rule returns the status of the only rule named name.
func (h *harness) rule(t *testing.T, name string) RuleStatus {
	t.Helper()
	for _, g := range h.m.Groups() {
		for _, r := range g.Rules {
			if r.Name == name {
				return r
			}
		}
	}
	t.Fatalf("no rule %s", name)
	return RuleStatus{}
}

// until answers with the samples from second from until second to (both
// included) and an empty vector at other times.
func until(from, to int, samples ...promql.Sample) answer {
	return func(ts time.Time) (parser.Value, error) {
		if s := secs(ts); s >= from && s <= to {
			return promql.Vector(samples), nil
		}
		return promql.Vector{}, nil
	}
}

// joinLines joins strings into one block, for comparing call lists.
func joinLines(calls []string) string { return strings.Join(calls, "--\n") }

// replaceSecs replaces every time prefix from with to.
func replaceSecs(s, from, to string) string {
	return strings.ReplaceAll(s, from+" ", to+" ")
}

// staleNaN returns a stale marker value.
func staleNaN() float64 { return math.Float64frombits(value.StaleNaN) }

// joinAlertLines joins rendered alerts one per line.
func joinAlertLines(lines []string) string { return strings.Join(lines, "\n") }
