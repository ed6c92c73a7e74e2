package oncall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// testNow is the clock of the runner tests.
var testNow = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// layersConfig is a configuration whose one standard wants two layers.
func layersConfig() *Config {
	return &Config{Interval: time.Hour, Standards: []Standard{{Name: "critical", MinLayers: 2}}}
}

// policyWithLayers is a policy of team with n layers of one user each.
func policyWithLayers(id, name, team string, n int) Policy {
	p := Policy{ID: id, Name: name, Teams: []Ref{{ID: "T" + team, Name: team}}}
	for range n {
		p.Rules = append(p.Rules, Rule{Delay: 10 * time.Minute, Targets: []Target{{Type: TargetUser, Ref: Ref{ID: "U1", Name: "Ana"}}}})
	}
	return p
}

// snapshot is a snapshot of policies and the user they page.
func snapshot(policies ...Policy) *Snapshot {
	return &Snapshot{
		Taken:    testNow,
		Policies: policies,
		Users:    map[string]User{"U1": {Ref: Ref{ID: "U1", Name: "Ana"}, Email: "ana@example.com"}},
	}
}

// readResult is one answer of a scriptedReader.
type readResult struct {
	snap *Snapshot
	err  error
}

// scriptedReader answers each read with the next result queued by answer,
// in order; a read with none queued waits for one, or for its context.
type scriptedReader struct{ results chan readResult }

func newScriptedReader() *scriptedReader { return &scriptedReader{results: make(chan readResult, 16)} }

// answer queues the result of one read.
func (s *scriptedReader) answer(snap *Snapshot, err error) { s.results <- readResult{snap, err} }

func (s *scriptedReader) Read(ctx context.Context, _ time.Duration) (*Snapshot, error) {
	select {
	case r := <-s.results:
		return r.snap, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// syncBuffer is a log buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testLogger logs to buf as text, without times.
func testLogger(buf io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}}))
}

// newTestRunner returns a runner over r with a registry and a log of its
// own.
func newTestRunner(t *testing.T, cfg *Config, r SnapshotReader) (*Runner, *prometheus.Registry, *syncBuffer) {
	t.Helper()
	reg := prometheus.NewRegistry()
	logs := &syncBuffer{}
	run, err := NewRunner(RunnerOptions{
		Config: cfg, Reader: r, Registerer: reg,
		Logger:             testLogger(logs),
		Now:                func() time.Time { return testNow },
		WebhookGiveUpAfter: time.Second,
	})
	require.NoError(t, err)
	return run, reg, logs
}

// requireMetrics compares the named metrics of reg with want, in the text
// exposition format without HELP and TYPE lines.
func requireMetrics(t *testing.T, reg *prometheus.Registry, want string, names ...string) {
	t.Helper()
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(withMeta(t, reg, names)+want), names...))
}

// withMeta returns the HELP and TYPE lines of the named metrics of reg.
func withMeta(t *testing.T, reg *prometheus.Registry, names []string) string {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var b strings.Builder
	for _, mf := range mfs {
		for _, n := range names {
			if mf.GetName() == n {
				fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", n, mf.GetHelp(), n, strings.ToLower(mf.GetType().String()))
			}
		}
	}
	return b.String()
}

func TestRunnerCheckNow(t *testing.T) {
	reader := newScriptedReader()
	cfg := layersConfig()
	run, reg, logs := newTestRunner(t, cfg, reader)

	first := snapshot(policyWithLayers("PWEB", "Web", "web", 1), policyWithLayers("PDB", "Database", "storage", 2))
	reader.answer(first, nil)
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Equal(t, Check(first, cfg.Standards), rep)
	require.Len(t, rep.Violations, 1)
	require.Equal(t, Status{Report: rep, LastSuccess: testNow, LastAttempt: testNow}, run.Status())
	requireMetrics(t, reg, `
vigil_oncall_violations{check="layers",policy="Web",team="web"} 1
vigil_oncall_policies_checked 2
vigil_oncall_up 1
vigil_oncall_last_success_timestamp_seconds 1.7951616e+09
`, "vigil_oncall_violations", "vigil_oncall_policies_checked", "vigil_oncall_up", "vigil_oncall_last_success_timestamp_seconds")
	require.Equal(t, rep.Violations, run.ViolationsOf("Web"))
	require.Equal(t, rep.Violations, run.ViolationsOf("PWEB"))
	require.Empty(t, run.ViolationsOf("Database"))
	require.Empty(t, logs.String())

	// Web is fixed, Database loses a layer: Web's series goes.
	reader.answer(snapshot(policyWithLayers("PWEB", "Web", "web", 2), policyWithLayers("PDB", "Database", "storage", 1)), nil)
	_, err = run.CheckNow(t.Context())
	require.NoError(t, err)
	requireMetrics(t, reg, `
vigil_oncall_violations{check="layers",policy="Database",team="storage"} 1
`, "vigil_oncall_violations")
	require.Empty(t, run.ViolationsOf("Web"))
}

// TestRunnerViolationsOfMatchesAsStandardsDo: a policy's name in any case,
// its ID exactly, as Standard.Selects matches them; a name that matches no
// policy is logged once per check.
func TestRunnerViolationsOfMatchesAsStandardsDo(t *testing.T) {
	reader := newScriptedReader()
	run, _, logs := newTestRunner(t, layersConfig(), reader)
	require.Empty(t, run.ViolationsOf("Nope"), "before a check")
	snap := snapshot(policyWithLayers("PWEB", "Web Frontend", "web", 1))
	reader.answer(snap, nil)
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Len(t, rep.Violations, 1)
	require.Equal(t, rep.Violations, run.ViolationsOf("web frontend"))
	require.Equal(t, rep.Violations, run.ViolationsOf("WEB FRONTEND"))
	require.Empty(t, run.ViolationsOf("pweb"), "IDs match exactly")
	require.Empty(t, run.ViolationsOf("Web frontnd"))
	require.Empty(t, run.ViolationsOf("Web frontnd"))
	reader.answer(snap, nil)
	_, err = run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Empty(t, run.ViolationsOf("Web frontnd"))
	line := "level=WARN msg=\"on-call: no escalation policy has this name or ID\" policy=%s\n"
	require.Equal(t, fmt.Sprintf(line, "pweb")+strings.Repeat(fmt.Sprintf(line, `"Web frontnd"`), 2), logs.String())
}

func TestRunnerFailures(t *testing.T) {
	reader := newScriptedReader()
	run, reg, _ := newTestRunner(t, layersConfig(), reader)
	reader.answer(snapshot(policyWithLayers("PWEB", "Web", "web", 1)), nil)
	ok, err := run.CheckNow(t.Context())
	require.NoError(t, err)

	for _, cause := range []error{ErrNoToken, ErrUnauthorized, ErrUnavailable, errors.New("decode escalation policies: bad JSON"), ErrUnavailable} {
		reader.answer(nil, fmt.Errorf("read PagerDuty: %w", cause))
		_, err := run.CheckNow(t.Context())
		require.ErrorIs(t, err, cause)
	}
	require.Equal(t, Status{Report: ok, LastSuccess: testNow, LastAttempt: testNow, LastError: "read PagerDuty: " + ErrUnavailable.Error()}, run.Status())
	require.Equal(t, ok.Violations, run.ViolationsOf("Web"), "the last successful check still counts")
	requireMetrics(t, reg, `
vigil_oncall_check_failures_total{reason="other"} 1
vigil_oncall_check_failures_total{reason="token"} 1
vigil_oncall_check_failures_total{reason="unauthorized"} 1
vigil_oncall_check_failures_total{reason="unavailable"} 2
vigil_oncall_up 0
`, "vigil_oncall_check_failures_total", "vigil_oncall_up")
}

// TestRunnerRunKeepsGoingAfterAFailure drives Run's ticker by hand: a tick
// is received only once the check before it is done.
func TestRunnerRunKeepsGoingAfterAFailure(t *testing.T) {
	reader := newScriptedReader()
	run, reg, _ := newTestRunner(t, layersConfig(), reader)
	tick := make(chan time.Time)
	run.ticker = func(d time.Duration) (<-chan time.Time, func()) {
		require.Equal(t, time.Hour, d)
		return tick, func() {}
	}
	reader.answer(nil, fmt.Errorf("read PagerDuty: %w", ErrUnavailable)) // the first check, at once
	reader.answer(snapshot(policyWithLayers("PWEB", "Web", "web", 2)), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		run.Run(ctx)
		close(done)
	}()
	tick <- testNow // received after the failed check
	tick <- testNow // received after the successful one; the next read waits
	cancel()
	<-done
	requireMetrics(t, reg, `
vigil_oncall_check_failures_total{reason="other"} 0
vigil_oncall_check_failures_total{reason="token"} 0
vigil_oncall_check_failures_total{reason="unauthorized"} 0
vigil_oncall_check_failures_total{reason="unavailable"} 1
vigil_oncall_up 1
`, "vigil_oncall_check_failures_total", "vigil_oncall_up")
}

func TestNewRunnerRequires(t *testing.T) {
	_, err := NewRunner(RunnerOptions{Reader: newScriptedReader()})
	require.EqualError(t, err, "oncall runner: no configuration")
	_, err = NewRunner(RunnerOptions{Config: layersConfig()})
	require.EqualError(t, err, "oncall runner: no reader")
}

// TestNewRunnerAppliesDefaultsAndValidates: a Config as a caller builds it
// runs with the defaults (not a ticker of 0, which panics), on a copy; an
// invalid one is refused.
func TestNewRunnerAppliesDefaultsAndValidates(t *testing.T) {
	cfg := &Config{Standards: []Standard{{Name: "critical", MinLayers: 2, ScheduleCoverage: 1, Notify: &NotifyStandard{RequireAny: []string{ContactPhone}}}}}
	orig := *cfg
	run, err := NewRunner(RunnerOptions{Config: cfg, Reader: newScriptedReader()})
	require.NoError(t, err)
	require.Equal(t, DefaultInterval, run.cfg.Interval)
	require.Equal(t, DefaultAPIURL, run.cfg.APIURL)
	require.Equal(t, DefaultCoverageWindow, run.cfg.Standards[0].CoverageWindow)
	require.Equal(t, "high", run.cfg.Standards[0].Notify.Urgency)
	require.Equal(t, orig, *cfg, "the caller's configuration is not changed")
	require.Empty(t, cfg.Standards[0].Notify.Urgency)

	_, err = NewRunner(RunnerOptions{Config: &Config{Interval: time.Millisecond}, Reader: newScriptedReader()})
	require.EqualError(t, err, "oncall runner: invalid configuration: interval 1ms: want at least 1m (or 0 for the default 1h)\n"+
		"standards: none is defined; define at least one")
}
