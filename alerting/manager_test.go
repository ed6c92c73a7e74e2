package alerting

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// runHarness is a Manager under Run in a synctest bubble, over fakes; time
// is the bubble's.
type runHarness struct {
	q    *fakeQuerier
	m    *Manager
	path string
	reg  *prometheus.Registry
}

func newRunHarness(t *testing.T, rules string) *runHarness {
	h := &runHarness{q: newFakeQuerier(), path: filepath.Join(t.TempDir(), "rules.yml"), reg: prometheus.NewRegistry()}
	m, err := NewManager(Options{Query: h.q, Writer: &fakeWriter{}, Registerer: h.reg, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	h.load(t, rules)
	return h
}

func (h *runHarness) load(t *testing.T, rules string) {
	if err := os.WriteFile(h.path, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Load(LoadSpec{RuleFiles: []string{h.path}}); err != nil {
		t.Fatal(err)
	}
}

// evaluations returns the times each query was evaluated at, as offsets
// from the group's first slot after start.
func (h *runHarness) evaluations(first time.Time) map[string][]time.Duration {
	out := map[string][]time.Duration{}
	h.q.mu.Lock()
	defer h.q.mu.Unlock()
	for _, c := range h.q.calls {
		expr, ts, _ := strings.Cut(c, " @ ")
		d, _ := time.ParseDuration(ts)
		out[expr] = append(out[expr], t0.Add(d).Sub(first))
	}
	h.q.calls = nil
	return out
}

const runRules = `
groups:
  - name: fast
    interval: 10s
    rules:
      - record: fast_out
        expr: vector(1)
`

func TestRunEvaluatesOnSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRunHarness(t, runRules)
		h.q.vector(`vector(1)`, promql.Sample{F: 1})
		g := h.m.current()[0]
		first := g.slot(time.Now()).Add(g.interval)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			h.m.Run(ctx)
			close(done)
		}()
		time.Sleep(first.Sub(time.Now()) + 25*time.Second)
		synctest.Wait()
		if got := h.evaluations(first)["vector(1)"]; !equalDurations(got, 0, 10*time.Second, 20*time.Second) {
			t.Fatalf("evaluated at %v after the first slot", got)
		}
		if got := h.m.Groups()[0].LastEvaluation; !got.Equal(first.Add(20 * time.Second)) {
			t.Fatalf("last evaluation %s, want %s", got, first.Add(20*time.Second))
		}
		cancel()
		<-done
	})
}

func TestRunCountsMissedIterations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRunHarness(t, runRules)
		slow := true
		h.q.set(`vector(1)`, func(time.Time) (parser.Value, error) {
			if slow {
				slow = false
				time.Sleep(25 * time.Second) // the first evaluation overruns two slots
			}
			return promql.Vector{{F: 1}}, nil
		})
		g := h.m.current()[0]
		first := g.slot(time.Now()).Add(g.interval)
		ctx, cancel := context.WithCancel(t.Context())
		go h.m.Run(ctx)
		time.Sleep(first.Sub(time.Now()) + 35*time.Second)
		synctest.Wait()
		cancel()
		if got := h.evaluations(first)["vector(1)"]; !equalDurations(got, 0, 20*time.Second, 30*time.Second) {
			t.Fatalf("evaluated at %v after the first slot", got)
		}
		if err := testutil.GatherAndCompare(h.reg, strings.NewReader(`
# HELP vigil_rule_group_iterations_missed_total Rule group evaluations skipped because the previous one ran past its slot.
# TYPE vigil_rule_group_iterations_missed_total counter
vigil_rule_group_iterations_missed_total{group="`+g.key()+`"} 1
`), "vigil_rule_group_iterations_missed_total"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRunReloadSwapsGroups(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRunHarness(t, runRules)
		h.q.vector(`vector(1)`, promql.Sample{F: 1})
		h.q.vector(`vector(2)`, promql.Sample{F: 2})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			h.m.Run(ctx)
			close(done)
		}()
		time.Sleep(time.Minute)
		h.load(t, `
groups:
  - name: other
    interval: 10s
    rules:
      - record: other_out
        expr: vector(2)
`)
		h.q.takeCalls()
		time.Sleep(time.Minute)
		synctest.Wait()
		calls := strings.Join(h.q.takeCalls(), "\n")
		if strings.Contains(calls, "vector(1)") || strings.Count(calls, "vector(2)") != 6 {
			t.Fatalf("after the reload:\n%s", calls)
		}
		if gs := h.m.Groups(); len(gs) != 1 || gs[0].Name != "other" {
			t.Fatalf("groups %+v", gs)
		}
		cancel()
		<-done
		// Not running: a Load swaps the rules by itself.
		h.load(t, runRules)
		if gs := h.m.Groups(); len(gs) != 1 || gs[0].Name != "fast" {
			t.Fatalf("groups %+v", gs)
		}
	})
}

func TestRunTwiceReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newRunHarness(t, runRules)
		h.q.vector(`vector(1)`, promql.Sample{F: 1})
		ctx, cancel := context.WithCancel(t.Context())
		go h.m.Run(ctx)
		synctest.Wait()
		h.m.Run(ctx) // returns at once: already running
		cancel()
	})
}

func equalDurations(got []time.Duration, want ...time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestOptionsValidate(t *testing.T) {
	err := Options{EvaluationInterval: -1, MissingDataTimeout: -time.Second, ExternalURL: "http://a b:%"}.Validate()
	want := "alerting: a querier is required\n" +
		"alerting: a writer is required\n" +
		"alerting: evaluation interval -1ns is negative\n" +
		"alerting: missing data timeout -1s is negative\n" +
		`alerting: external URL: parse "http://a b:%": invalid port ":%" after host`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	if _, err := NewManager(Options{}); err == nil {
		t.Fatal("NewManager accepted options without querier and writer")
	}
}

func TestNewManagerRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := Options{Query: newFakeQuerier(), Writer: &fakeWriter{}, Registerer: reg}
	if _, err := NewManager(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := NewManager(opts); err == nil {
		t.Fatal("a second Manager registered the same metrics")
	}
}

func TestDedupKey(t *testing.T) {
	a := DedupKey(ls(t, `{alertname="HighErrors", job="api"}`))
	if a != "vigil-21a3392fb932595c" || len(a) != len("vigil-")+16 {
		t.Fatalf("DedupKey = %s", a)
	}
	if b := DedupKey(ls(t, `{alertname="HighErrors", job="web"}`)); b == a {
		t.Fatal("two alerts share a dedup key")
	}
}
