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

// fakeReader answers the readings queued with set, the last one again
// and again.
type fakeReader struct {
	mu    sync.Mutex
	snap  *Snapshot
	err   error
	reads chan struct{} // receives after every read; nil for none
}

func (f *fakeReader) set(snap *Snapshot, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap, f.err = snap, err
}

func (f *fakeReader) Read(context.Context, time.Duration) (*Snapshot, error) {
	f.mu.Lock()
	snap, err := f.snap, f.err
	f.mu.Unlock()
	if f.reads != nil {
		f.reads <- struct{}{}
	}
	return snap, err
}

// newTestRunner returns a runner over r with a registry of its own.
func newTestRunner(t *testing.T, cfg *Config, r SnapshotReader) (*Runner, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	run, err := NewRunner(RunnerOptions{
		Config: cfg, Reader: r, Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    func() time.Time { return testNow },
	})
	require.NoError(t, err)
	return run, reg
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
	reader := &fakeReader{}
	cfg := layersConfig()
	run, reg := newTestRunner(t, cfg, reader)

	first := snapshot(policyWithLayers("PWEB", "Web", "web", 1), policyWithLayers("PDB", "Database", "storage", 2))
	reader.set(first, nil)
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

	// Web is fixed, Database loses a layer: Web's series goes.
	reader.set(snapshot(policyWithLayers("PWEB", "Web", "web", 2), policyWithLayers("PDB", "Database", "storage", 1)), nil)
	_, err = run.CheckNow(t.Context())
	require.NoError(t, err)
	requireMetrics(t, reg, `
vigil_oncall_violations{check="layers",policy="Database",team="storage"} 1
`, "vigil_oncall_violations")
	require.Empty(t, run.ViolationsOf("Web"))
}

func TestRunnerFailures(t *testing.T) {
	reader := &fakeReader{}
	run, reg := newTestRunner(t, layersConfig(), reader)
	reader.set(snapshot(policyWithLayers("PWEB", "Web", "web", 1)), nil)
	ok, err := run.CheckNow(t.Context())
	require.NoError(t, err)

	for _, cause := range []error{ErrNoToken, ErrUnauthorized, ErrUnavailable, errors.New("decode escalation policies: bad JSON"), ErrUnavailable} {
		reader.set(nil, fmt.Errorf("read PagerDuty: %w", cause))
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

func TestRunnerRunKeepsGoingAfterAFailure(t *testing.T) {
	reader := &fakeReader{reads: make(chan struct{})}
	cfg := layersConfig()
	cfg.Interval = time.Millisecond
	run, reg := newTestRunner(t, cfg, reader)
	reader.set(nil, fmt.Errorf("read PagerDuty: %w", ErrUnavailable))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		run.Run(ctx)
		close(done)
	}()
	<-reader.reads // the first check, at once: fails
	reader.set(snapshot(policyWithLayers("PWEB", "Web", "web", 2)), nil)
	<-reader.reads // a next tick: succeeds
	<-reader.reads // and one more, so the success is recorded
	cancel()
	for {
		select {
		case <-reader.reads:
			continue
		case <-done:
		}
		break
	}
	requireMetrics(t, reg, `
vigil_oncall_check_failures_total{reason="other"} 0
vigil_oncall_check_failures_total{reason="token"} 0
vigil_oncall_check_failures_total{reason="unauthorized"} 0
vigil_oncall_check_failures_total{reason="unavailable"} 1
vigil_oncall_up 1
`, "vigil_oncall_check_failures_total", "vigil_oncall_up")
}

func TestNewRunnerRequires(t *testing.T) {
	_, err := NewRunner(RunnerOptions{Reader: &fakeReader{}})
	require.EqualError(t, err, "oncall runner: no configuration")
	_, err = NewRunner(RunnerOptions{Config: layersConfig()})
	require.EqualError(t, err, "oncall runner: no reader")
}
