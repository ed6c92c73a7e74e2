package sevbridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/notify"
	"github.com/vigilsre/vigil/query"
)

const (
	globalSLI = `sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))`
	routeSLI  = `sum by (route) (rate(http_requests_total{code!~"5.."}[1m])) / sum by (route) (rate(http_requests_total[1m]))`
)

const testPolicy = `
interval: 10s
correlation_window: 15m
recovery_for: 2m
resolve_after: 10m
webhooks: [http://hooks.example/sev]
sla: {target: 0.999, internal_target: 0.9995, down_below: 0.99}
availability:
  global:
    sli: '` + globalSLI + `'
    levels:
      - {level: 0, below: 0.50, for: 0s}
      - {level: 1, below: 0.90, for: 30s}
      - {level: 2, below: 0.99, for: 1m}
  routes:
    sli: '` + routeSLI + `'
    buckets:
      critical:
        routes: [/login, /upload]
        levels: [{level: 1, below: 0.90, for: 30s}, {level: 2, below: 0.97, for: 30s}]
      important:
        routes: [/share]
        levels: [{level: 3, below: 0.95, for: 1m}]
roles:
  imoc: {rotation: [ana, ben], shift: 168h, routing_key: KI}
  tloc: {rotation: [eve], routing_key: KT}
  bmoc: {rotation: [cat], routing_key: KB}
  teams:
    - {match: {route: /login}, rotation: [dan], routing_key: KD}
`

// fakeQuerier answers the global SLI with global[t] (absent: no data) and
// the route SLI with routes[t] (route → value).
type fakeQuerier struct {
	mu     sync.Mutex
	global map[time.Time]float64
	routes map[time.Time]map[string]float64
	fail   bool
	calls  int
}

func newFakeQuerier() *fakeQuerier {
	return &fakeQuerier{global: map[time.Time]float64{}, routes: map[time.Time]map[string]float64{}}
}

func (q *fakeQuerier) Instant(_ context.Context, expr string, ts time.Time) (*query.Result, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if q.fail {
		return nil, errors.New("boom")
	}
	var v promql.Vector
	switch expr {
	case globalSLI:
		if f, ok := q.global[ts]; ok {
			v = append(v, promql.Sample{F: f, T: ts.UnixMilli()})
		}
	case routeSLI:
		for route, f := range q.routes[ts] {
			v = append(v, promql.Sample{Metric: labels.FromStrings("route", route), F: f, T: ts.UnixMilli()})
		}
	default:
		return nil, fmt.Errorf("unexpected query %q", expr)
	}
	return &query.Result{Value: v}, nil
}

func (q *fakeQuerier) setRoute(ts time.Time, route string, f float64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.routes[ts] == nil {
		q.routes[ts] = map[string]float64{}
	}
	q.routes[ts][route] = f
}

// fakePager records "trigger KEY DEDUP SEVERITY" and "resolve KEY DEDUP".
type fakePager struct {
	mu    sync.Mutex
	calls []string
	links [][]notify.Link
	fail  bool
}

func (p *fakePager) Trigger(_ context.Context, routingKey, dedupKey, severity, _, source string, _ map[string]any, links []notify.Link) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, strings.Join([]string{"trigger", routingKey, dedupKey, severity, source}, " "))
	p.links = append(p.links, links)
	if p.fail {
		return errors.New("pagerduty down")
	}
	return nil
}

func (p *fakePager) Resolve(_ context.Context, routingKey, dedupKey string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, strings.Join([]string{"resolve", routingKey, dedupKey}, " "))
	return nil
}

func (p *fakePager) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.calls
	p.calls = nil
	return c
}

type fakePoster struct {
	mu    sync.Mutex
	posts []string // "url text"
}

func (p *fakePoster) Post(_ context.Context, url string, body any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, url+" "+body.(SlackMessage).Text)
	return nil
}

type bridgeFixture struct {
	b      *Bridge
	store  *Store
	path   string
	q      *fakeQuerier
	pager  *fakePager
	poster *fakePoster
	reg    *prometheus.Registry
	pmDir  string
}

func newFixture(t *testing.T) *bridgeFixture {
	t.Helper()
	dir := t.TempDir()
	f := &bridgeFixture{path: filepath.Join(dir, "sev", "sevs.db"), q: newFakeQuerier(),
		pager: &fakePager{}, poster: &fakePoster{}, pmDir: filepath.Join(dir, "postmortems")}
	f.open(t)
	return f
}

// open opens the store and a Bridge over it (again after restart).
func (f *bridgeFixture) open(t *testing.T) {
	t.Helper()
	p, err := ParsePolicy("policy.yml", []byte(testPolicy))
	require.NoError(t, err)
	f.store, err = OpenStore(f.path)
	require.NoError(t, err)
	f.reg = prometheus.NewRegistry()
	f.b, err = New(Options{Policy: p, Store: f.store, Query: f.q, Pager: f.pager, Poster: f.poster,
		PostmortemDir: f.pmDir, ExternalURL: "http://vigil:9096/", Registerer: f.reg, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, f.store.Close()) })
}

func (f *bridgeFixture) restart(t *testing.T) {
	t.Helper()
	require.NoError(t, f.store.Close())
	f.open(t)
}

// run steps the bridge every 10 s from `from` to `to` (inclusive, seconds
// after t0), with route's SLI at value (other routes at 1), executing the
// queued effects after each step as Run's worker would.
func (f *bridgeFixture) run(from, to int, route string, value float64) {
	for s := from; s <= to; s += 10 {
		ts := at(s)
		f.q.global[ts] = 1
		for _, r := range []string{"/login", "/upload", "/share", "/other"} {
			f.q.setRoute(ts, r, 1)
		}
		if route != "" {
			f.q.setRoute(ts, route, value)
		}
		f.b.step(context.Background(), ts)
		f.b.drain(context.Background())
	}
}

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func TestBridgeRouteSEVLifecycle(t *testing.T) {
	f := newFixture(t)
	f.run(0, 20, "/login", 0.95)
	require.Empty(t, f.pager.take()) // below 97% for 20s: not yet
	f.run(30, 30, "/login", 0.95)
	require.Equal(t, []string{
		"trigger KI SEV-1-imoc error vigil", "trigger KD SEV-1-tloc error vigil", "trigger KB SEV-1-bmoc error vigil",
	}, f.pager.take())
	require.Equal(t, []notify.Link{{Href: "http://vigil:9096/api/v1/sevs/SEV-1", Text: "SEV-1"}}, f.pager.links[0])
	sev, err := f.b.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, []any{TypeAvailability, Level(2), StateOpen, []string{"/login"}, Roles{IMOC: "ana", TLOC: "dan", BMOC: "cat"}},
		[]any{sev.Type, sev.Level, sev.State, sev.Routes, sev.Roles})
	require.Equal(t, 30*time.Second, sev.DetectionTime())
	require.Len(t, f.poster.posts, 1)
	require.True(t, strings.HasPrefix(f.poster.posts[0], "http://hooks.example/sev *SEV-1* availability level 2 (open): Filed SEV-1"), f.poster.posts[0])
	requireMetric(t, f.reg, `
# HELP vigil_sev_detection_seconds Time from a SEV's impact start to its filing.
# TYPE vigil_sev_detection_seconds histogram
vigil_sev_detection_seconds_bucket{le="5"} 0
vigil_sev_detection_seconds_bucket{le="10"} 0
vigil_sev_detection_seconds_bucket{le="20"} 0
vigil_sev_detection_seconds_bucket{le="30"} 1
vigil_sev_detection_seconds_bucket{le="45"} 1
vigil_sev_detection_seconds_bucket{le="60"} 1
vigil_sev_detection_seconds_bucket{le="90"} 1
vigil_sev_detection_seconds_bucket{le="120"} 1
vigil_sev_detection_seconds_bucket{le="180"} 1
vigil_sev_detection_seconds_bucket{le="300"} 1
vigil_sev_detection_seconds_bucket{le="600"} 1
vigil_sev_detection_seconds_bucket{le="1800"} 1
vigil_sev_detection_seconds_bucket{le="+Inf"} 1
vigil_sev_detection_seconds_sum 30
vigil_sev_detection_seconds_count 1
# HELP vigil_sevs_open SEVs not yet resolved (open or mitigated), by type and level.
# TYPE vigil_sevs_open gauge
vigil_sevs_open{level="2",type="availability"} 1
# HELP vigil_sevs_filed_total SEVs filed, automatically or by hand, by type.
# TYPE vigil_sevs_filed_total counter
vigil_sevs_filed_total{type="availability"} 1
`, "vigil_sev_detection_seconds", "vigil_sevs_open", "vigil_sevs_filed_total")

	// Deeper: level 1, pages updated with the same dedup keys.
	f.run(40, 70, "/login", 0.85)
	require.Equal(t, []string{
		"trigger KI SEV-1-imoc critical vigil", "trigger KD SEV-1-tloc critical vigil", "trigger KB SEV-1-bmoc critical vigil",
	}, f.pager.take())

	// Recovery: mitigated after 2m, resolved 10m later with resolve events.
	f.run(80, 80+120+600+10, "", 1)
	require.Equal(t, []string{"resolve KI SEV-1-imoc", "resolve KD SEV-1-tloc", "resolve KB SEV-1-bmoc"}, f.pager.take())
	sev, err = f.b.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, StateResolved, sev.State)
	require.Equal(t, at(80+120), *sev.MitigatedAt)
	requireMetric(t, f.reg, `
# HELP vigil_sev_pages_total PagerDuty events sent for SEVs, by role and action (trigger or resolve).
# TYPE vigil_sev_pages_total counter
vigil_sev_pages_total{action="resolve",role="bmoc"} 1
vigil_sev_pages_total{action="resolve",role="imoc"} 1
vigil_sev_pages_total{action="resolve",role="tloc"} 1
vigil_sev_pages_total{action="trigger",role="bmoc"} 2
vigil_sev_pages_total{action="trigger",role="imoc"} 2
vigil_sev_pages_total{action="trigger",role="tloc"} 2
`, "vigil_sev_pages_total", "vigil_sevs_open")

	// The draft was rewritten until resolution, with the SLI figures.
	draft, err := os.ReadFile(filepath.Join(f.pmDir, "SEV-1.md"))
	require.NoError(t, err)
	require.Contains(t, string(draft), "| State | resolved |")
	require.Contains(t, string(draft), "| global | 77 | 0 | 100.00% | 100.00% | 2026-11-25T10:00:30Z | 100.00% |\n"+
		"| route /login | 77 | 0 | 95.00% | 85.00% | 2026-11-25T10:00:40Z | 100.00% |\n")
	require.Contains(t, string(draft), "## Contributing factors")
}

func requireMetric(t *testing.T, reg *prometheus.Registry, want string, names ...string) {
	t.Helper()
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want), names...))
}

func TestBridgeNonCriticalRouteFilesNothing(t *testing.T) {
	f := newFixture(t)
	f.run(0, 300, "/other", 0.5)
	require.Empty(t, f.pager.take())
	list, err := f.b.List()
	require.NoError(t, err)
	require.Empty(t, list)
}

func TestBridgeRestartNoDuplicate(t *testing.T) {
	f := newFixture(t)
	f.run(0, 30, "/login", 0.95)
	require.Len(t, f.pager.take(), 3)
	f.restart(t)
	f.run(40, 120, "/login", 0.95)
	require.Empty(t, f.pager.take())
	list, err := f.b.List()
	require.NoError(t, err)
	require.Equal(t, []string{"SEV-1"}, ids(list))
	// The timeline continues: the engine resumed and still pages on a change.
	f.run(130, 170, "/login", 0.85)
	require.Len(t, f.pager.take(), 3)
	sev, err := f.b.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, Level(1), sev.Level)
}

func TestBridgeLedgerMinutes(t *testing.T) {
	f := newFixture(t)
	// Minute 0: last global reading 0.4 (down; files a level-0 SEV).
	// Minute 1: last reading 0.999 (up), though earlier ones were down.
	// Minute 2: no data (not down). Minute 3's first reading flushes minute 2.
	script := map[int]float64{0: 0.4, 50: 0.4, 60: 0.4, 110: 0.999}
	for s := 0; s <= 180; s += 10 {
		ts := at(s)
		if v, ok := script[s]; ok {
			f.q.global[ts] = v
		} else if s < 120 {
			f.q.global[ts] = 0.98
		}
		f.b.step(context.Background(), ts)
	}
	r, err := f.b.Ledger(t0)
	require.NoError(t, err)
	require.Equal(t, 1, r.DownMinutes)
	require.Equal(t, []LedgerSEV{{ID: "SEV-1", DownMinutes: 1}}, r.SEVs)
	require.Equal(t, LedgerFigures{Target: 43.2 - 1, Internal: 21.6 - 1}, r.Left)
}

func TestBridgeReadings(t *testing.T) {
	f := newFixture(t)
	ts := at(0)
	f.q.setRoute(ts, "/login", 0.5)
	f.q.setRoute(ts, "/other", 0.7)
	p := f.b.policy
	require.Equal(t, []Reading{
		{Scope: ScopeGlobal, Missing: true},
		{Scope: ScopeRoute, Route: "/login", Value: 0.5},
		{Scope: ScopeRoute, Route: "/other", Value: 0.7},
		{Scope: ScopeRoute, Route: "/share", Missing: true},
		{Scope: ScopeRoute, Route: "/upload", Missing: true},
	}, sortRoutes(f.b.readings(context.Background(), p, ts)))
	f.q.fail = true
	require.Equal(t, []Reading{
		{Scope: ScopeGlobal, Missing: true},
		{Scope: ScopeRoute, Route: "/login", Missing: true},
		{Scope: ScopeRoute, Route: "/share", Missing: true},
		{Scope: ScopeRoute, Route: "/upload", Missing: true},
	}, f.b.readings(context.Background(), p, ts))
}

// sortRoutes orders the query's route readings (map order in the fake) by route.
func sortRoutes(rs []Reading) []Reading {
	out := append([]Reading(nil), rs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 1 && out[j].Route < out[j-1].Route; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestBridgeDeclareAct(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sev, err := f.b.Declare(ctx, "ana", TypeSecurity, 2, "Leaked key", nil)
	require.NoError(t, err)
	require.Equal(t, "SEV-1", sev.ID)
	require.Empty(t, f.pager.take()) // queued for Run's worker
	f.b.drain(ctx)
	require.Equal(t, []string{"trigger KI SEV-1-imoc error vigil", "trigger KT SEV-1-tloc error vigil"}, f.pager.take())
	sev, err = f.b.Act(ctx, "ben", "SEV-1", "ack", 0)
	require.NoError(t, err)
	last := sev.Timeline[len(sev.Timeline)-1]
	require.Equal(t, Entry{Time: t0, Kind: KindAcknowledged, Actor: "ben"}, Entry{Time: last.Time, Kind: last.Kind, Actor: last.Actor})
	stored, err := f.store.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, sev, stored)

	_, err = f.b.Act(ctx, "ben", "SEV-9", "ack", 0)
	require.ErrorIs(t, err, ErrSEVNotFound)
	_, err = f.b.Act(ctx, "ben", "SEV-1", "dance", 0)
	require.ErrorIs(t, err, ErrInvalidAction)
	_, err = f.b.Declare(ctx, "ben", "outage", 2, "x", nil)
	require.ErrorIs(t, err, ErrInvalidAction)
	_, err = f.b.Act(ctx, "ben", "SEV-1", "resolve", 0)
	require.NoError(t, err)
	f.b.drain(ctx)
	require.Equal(t, []string{"resolve KI SEV-1-imoc", "resolve KT SEV-1-tloc"}, f.pager.take())
	_, err = f.b.Act(ctx, "ben", "SEV-1", "ack", 0)
	require.ErrorIs(t, err, ErrInvalidAction)
}

func TestBridgeAlerts(t *testing.T) {
	f := newFixture(t)
	ls := labels.FromStrings("alertname", "DiskLost", "sev_type", "durability", "sev_level", "1")
	f.b.Alerts([]AlertEvent{{Labels: ls, Firing: true, At: t0}})
	f.b.stepAlerts(t0)
	f.b.drain(context.Background())
	list, err := f.b.List()
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, []any{TypeDurability, Level(1)}, []any{list[0].Type, list[0].Level})
	require.Equal(t, []string{"trigger KI SEV-1-imoc critical vigil", "trigger KT SEV-1-tloc critical vigil"}, f.pager.take())
}

func TestBridgePageFailureCounted(t *testing.T) {
	f := newFixture(t)
	f.pager.fail = true
	f.run(0, 30, "/login", 0.95)
	require.Equal(t, 3.0, testutil.ToFloat64(f.b.metrics.pageFailures))
}

func TestNewValidates(t *testing.T) {
	_, err := New(Options{})
	require.EqualError(t, err, "sev bridge: policy is required\nsev bridge: store is required")
	_, err = New(Options{Policy: &Policy{Global: &GlobalPolicy{}}})
	require.EqualError(t, err, "sev bridge: policy interval 0s: must be positive\n"+
		"sev bridge: a querier is required for the policy's SLIs\nsev bridge: store is required")
}

func TestBridgeRunStopsWithContext(t *testing.T) {
	f := newFixture(t)
	p := *f.b.policy
	p.Interval = time.Millisecond
	require.NoError(t, f.b.SetPolicy(&p))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.b.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.q.mu.Lock()
		n := f.q.calls
		f.q.mu.Unlock()
		if n >= 4 || time.Now().After(deadline) {
			break
		}
		runtime.Gosched()
	}
	cancel()
	require.NoError(t, <-done)
	f.q.mu.Lock()
	defer f.q.mu.Unlock()
	require.GreaterOrEqual(t, f.q.calls, 4)
}

// cmd plugs the real senders and the query engine in directly.
var (
	_ Pager   = (*notify.PagerDutySender)(nil)
	_ Querier = (*query.Engine)(nil)
	_ Poster  = PosterFunc(func(ctx context.Context, url string, body any) error {
		return notify.PostJSON(ctx, url, body, notify.SenderOptions{})
	})
)

func TestBridgeStepCancelledWritesNoDataMissing(t *testing.T) {
	f := newFixture(t)
	f.run(0, 30, "/login", 0.95)
	before, err := f.b.Get("SEV-1")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.q.fail = true // what a cancelled query gives
	for s := 40; s <= 120; s += 10 {
		f.b.step(ctx, at(s))
	}
	after, err := f.b.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, before.Timeline, after.Timeline)
	require.Zero(t, f.b.effects.len())
}

func TestBridgeRunRecordsLastMinuteAtStop(t *testing.T) {
	f := newFixture(t)
	f.q.global[at(0)] = 0.98
	f.q.global[at(10)] = 0.98
	f.b.step(context.Background(), at(0))
	f.b.step(context.Background(), at(10))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, f.b.Run(ctx))
	f.restart(t)
	// The rest of minute 0 after the restart is up: the first record wins.
	f.q.global[at(50)] = 1
	f.q.global[at(60)] = 1
	f.b.step(context.Background(), at(50))
	f.b.step(context.Background(), at(60))
	r, err := f.b.Ledger(t0)
	require.NoError(t, err)
	require.Equal(t, 1, r.DownMinutes)
	require.Empty(t, r.SEVs)
}
