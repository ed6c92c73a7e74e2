package sevbridge

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/notify"
)

// blockingPager is a fakePager whose events wait until release is closed
// (or their context is done, which fails them unrecorded). Each event's
// dedup key is sent on entered when it starts.
type blockingPager struct {
	fakePager
	entered  chan string
	release  chan struct{}
	inFlight atomic.Int32
}

func newBlockingPager() *blockingPager {
	return &blockingPager{entered: make(chan string, 100), release: make(chan struct{})}
}

func (p *blockingPager) wait(ctx context.Context, dedupKey string) error {
	p.entered <- dedupKey
	select {
	case <-p.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *blockingPager) Trigger(ctx context.Context, routingKey, dedupKey, severity, summary, source string, details map[string]any, links []notify.Link) error {
	p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	if err := p.wait(ctx, dedupKey); err != nil {
		return err
	}
	return p.fakePager.Trigger(ctx, routingKey, dedupKey, severity, summary, source, details, links)
}

func (p *blockingPager) Resolve(ctx context.Context, routingKey, dedupKey string) error {
	p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	if err := p.wait(ctx, dedupKey); err != nil {
		return err
	}
	return p.fakePager.Resolve(ctx, routingKey, dedupKey)
}

func (p *blockingPager) calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.fakePager.calls...)
}

// startRun runs f.b.Run until the returned stop is called; stop returns
// Run's error once Run has returned.
func startRun(f *bridgeFixture) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.b.Run(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}

// within fails t unless fn returns within 10 s (fn must not call t).
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

func requireEntered(t *testing.T, p *blockingPager, want string) {
	t.Helper()
	select {
	case got := <-p.entered:
		require.Equal(t, want, got)
	case <-time.After(10 * time.Second):
		t.Fatalf("no page %s started", want)
	}
}

func TestBridgeHumanActionsDoNotWaitForPages(t *testing.T) {
	f := newFixture(t)
	bp := newBlockingPager()
	f.b.pager = bp
	stop := startRun(f)
	ctx := context.Background()

	var sev *SEV
	var err error
	within(t, "Declare", func() { sev, err = f.b.Declare(ctx, "ana", TypeSecurity, 2, "Leaked key", nil) })
	require.NoError(t, err)
	stored, err := f.store.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, sev, stored)

	requireEntered(t, bp, "SEV-1-imoc") // the worker is stuck on the first page
	within(t, "Act", func() { sev, err = f.b.Act(ctx, "ben", "SEV-1", ActionSetLevel, 1) })
	require.NoError(t, err)
	require.Equal(t, Level(1), sev.Level)
	stored, err = f.store.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, sev, stored)
	require.Empty(t, bp.calls())

	close(bp.release)
	want := []string{
		"trigger KI SEV-1-imoc error vigil", "trigger KT SEV-1-tloc error vigil",
		"trigger KI SEV-1-imoc critical vigil", "trigger KT SEV-1-tloc critical vigil",
	}
	require.Eventually(t, func() bool { return len(bp.calls()) == len(want) }, 10*time.Second, time.Millisecond)
	require.Equal(t, want, bp.calls())
	require.NoError(t, stop())
	require.Zero(t, f.b.effects.len())
}

func TestBridgeRunStopWaitsForWorker(t *testing.T) {
	f := newFixture(t)
	bp := newBlockingPager()
	f.b.pager = bp
	f.b.drainTimeout = 50 * time.Millisecond
	stop := startRun(f)
	_, err := f.b.Declare(context.Background(), "ana", TypeSecurity, 2, "Leaked key", nil)
	require.NoError(t, err)
	requireEntered(t, bp, "SEV-1-imoc")

	require.NoError(t, stop())
	// Run returned after the worker: the page stuck past the drain timeout
	// has returned (failed, canceled), and the rest of the Change waits for
	// the next Run.
	require.Zero(t, bp.inFlight.Load())
	require.Empty(t, bp.calls())
	require.Equal(t, 1, f.b.effects.len())
	require.Empty(t, f.poster.posts)

	close(bp.release)
	stop = startRun(f)
	require.Eventually(t, func() bool { return f.b.effects.len() == 0 }, 10*time.Second, time.Millisecond)
	require.NoError(t, stop())
	require.Equal(t, []string{"trigger KT SEV-1-tloc error vigil"}, bp.calls())
	require.Len(t, f.poster.posts, 1)
}

func TestBridgeEffectsQueuedUntilRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.b.Declare(ctx, "ana", TypeSecurity, 2, "Leaked key", nil)
	require.NoError(t, err)
	_, err = f.b.Act(ctx, "ben", "SEV-1", ActionDiagnose, 0)
	require.NoError(t, err)
	_, err = f.b.Act(ctx, "ben", "SEV-1", ActionAck, 0)
	require.NoError(t, err)
	require.Empty(t, f.pager.take())
	_, err = os.Stat(filepath.Join(f.pmDir, "SEV-1.md"))
	require.ErrorIs(t, err, os.ErrNotExist)

	stop := startRun(f)
	require.Eventually(t, func() bool { return f.b.effects.len() == 0 }, 10*time.Second, time.Millisecond)
	require.NoError(t, stop())
	require.Equal(t, []string{"trigger KI SEV-1-imoc error vigil", "trigger KT SEV-1-tloc error vigil"}, f.pager.take())
	// The draft queued with the filing is kept up to date by the later
	// Changes, though it was not on disk yet when they were made.
	draft, err := os.ReadFile(filepath.Join(f.pmDir, "SEV-1.md"))
	require.NoError(t, err)
	require.Contains(t, string(draft), "| diagnosed | ben |")
	require.Contains(t, string(draft), "| acknowledged | ben |")
}

func TestEffectQueueDropsOldest(t *testing.T) {
	q, err := newEffectQueue(nil)
	require.NoError(t, err)
	mk := func(i int) job { return job{change: Change{SEV: &SEV{ID: "SEV-" + strconv.Itoa(i)}}} }
	for i := range maxQueuedJobs {
		require.Empty(t, q.push(mk(i)))
	}
	dropped := q.push(mk(maxQueuedJobs), mk(maxQueuedJobs+1))
	require.Equal(t, []string{"SEV-0", "SEV-1"}, []string{dropped[0].change.SEV.ID, dropped[1].change.SEV.ID})
	require.Len(t, dropped, 2)
	require.Equal(t, 2.0, testutil.ToFloat64(q.dropped))
	require.Equal(t, maxQueuedJobs, q.len())
	j, ok := q.pop()
	require.True(t, ok)
	require.Equal(t, "SEV-2", j.change.SEV.ID)
	q.pushFront(mk(7))
	j, _ = q.pop()
	require.Equal(t, "SEV-7", j.change.SEV.ID)
}

// TestScheduleIgnoresTickJitter: evaluation times are start + n×interval
// whatever the moment the ticker fired, and a loop that fell behind starts
// again from now.
func TestScheduleIgnoresTickJitter(t *testing.T) {
	start := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	s := newSchedule(start, 10*time.Second)
	for i, jitter := range []time.Duration{-300 * time.Microsecond, 2 * time.Millisecond, -time.Millisecond} {
		want := start.Add(time.Duration(i+1) * 10 * time.Second)
		if got := s.next(want.Add(jitter)); !got.Equal(want) {
			t.Fatalf("tick %d: got %v, want %v", i+1, got, want)
		}
	}
	late := start.Add(2 * time.Minute)
	if got := s.next(late); !got.Equal(late) {
		t.Fatalf("after a stall: got %v, want now %v", got, late)
	}
	if got, want := s.next(late.Add(10*time.Second)), late.Add(10*time.Second); !got.Equal(want) {
		t.Fatalf("after the restart of the schedule: got %v, want %v", got, want)
	}
}

func TestBridgeRunDrainsQueuedEffectsAtStop(t *testing.T) {
	f := newFixture(t)
	bp := newBlockingPager()
	f.b.pager = bp
	stop := startRun(f)
	_, err := f.b.Declare(context.Background(), "ana", TypeSecurity, 2, "Leaked key", nil)
	require.NoError(t, err)
	requireEntered(t, bp, "SEV-1-imoc")

	// Stop while the first page is in flight and the second still queued:
	// Run drains the queue (the page in flight is not cancelled) and returns.
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	require.Never(t, func() bool { return len(stopped) > 0 }, 50*time.Millisecond, time.Millisecond)
	close(bp.release)
	select {
	case err := <-stopped:
		require.NoError(t, err)
	case <-time.After(drainTimeout + 5*time.Second):
		t.Fatal("Run did not return")
	}
	require.Equal(t, []string{"trigger KI SEV-1-imoc error vigil", "trigger KT SEV-1-tloc error vigil"}, bp.calls())
	require.Len(t, f.poster.posts, 1)
	require.Zero(t, f.b.effects.len())
}

func TestBridgeRunDeliversPagesQueuedBeforeStop(t *testing.T) {
	f := newFixture(t)
	_, err := f.b.Declare(context.Background(), "ana", TypeSecurity, 1, "Breach", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stopped before the worker could run
	require.NoError(t, f.b.Run(ctx))
	require.Equal(t, []string{"trigger KI SEV-1-imoc critical vigil", "trigger KT SEV-1-tloc critical vigil"}, f.pager.take())
	require.Zero(t, f.b.effects.len())
}
