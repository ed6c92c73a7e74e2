package oncall

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall/oncalltest"
)

// hookServer is a team webhook that hands every post to a channel and
// answers the statuses in order, the last one again and again.
func hookServer(t *testing.T, statuses ...int) (*httptest.Server, <-chan WebhookPost) {
	t.Helper()
	posts := make(chan WebhookPost, 10)
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p WebhookPost
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &p) != nil {
			p = WebhookPost{Team: "BAD REQUEST: " + r.Method + " " + string(body)}
		}
		mu.Lock()
		status := statuses[0]
		if len(statuses) > 1 {
			statuses = statuses[1:]
		}
		mu.Unlock()
		posts <- p
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, posts
}

// startSender runs run's webhook sender until the test ends, and returns
// a channel that receives after each state it handled.
func startSender(t *testing.T, run *Runner) <-chan struct{} {
	t.Helper()
	handled := make(chan struct{}, 16)
	run.hooks.handled = func() { handled <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { run.hooks.run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return handled
}

func TestRunnerWebhookNewThenFixed(t *testing.T) {
	srv, posts := hookServer(t, http.StatusNoContent)
	cfg := layersConfig()
	cfg.TeamWebhooks = map[string]string{"web": srv.URL + "/web", "Tstorage": srv.URL + "/storage"} // by name, by ID
	reader := newScriptedReader()
	run, reg, logs := newTestRunner(t, cfg, reader)
	handled := startSender(t, run)

	broken := snapshot(policyWithLayers("PWEB", "Web", "web", 1), policyWithLayers("PDB", "Database", "storage", 2))
	reader.answer(broken, nil)
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	<-handled
	require.Equal(t, WebhookPost{Team: "web", New: rep.Violations, Fixed: []Violation{}}, <-posts)

	reader.answer(broken, nil)
	_, err = run.CheckNow(t.Context()) // nothing changed: no post
	require.NoError(t, err)
	<-handled
	require.Empty(t, posts)

	reader.answer(snapshot(policyWithLayers("PWEB", "Web", "web", 2), policyWithLayers("PDB", "Database", "storage", 1)), nil)
	rep2, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	<-handled
	got := []WebhookPost{<-posts, <-posts} // one check's posts, in team order
	require.Equal(t, []WebhookPost{
		{Team: "Tstorage", New: rep2.Violations, Fixed: []Violation{}},
		{Team: "web", New: []Violation{}, Fixed: rep.Violations},
	}, got)
	require.Empty(t, posts)
	requireMetrics(t, reg, "", "vigil_oncall_webhook_failures_total")
	require.Empty(t, logs.String())
}

// TestRunnerWebhookMatchesTeamNamesInAnyCase: the key "web" names the
// PagerDuty team "Web", as a standard's teams do; a key that names no team
// is logged at warn after every check.
func TestRunnerWebhookMatchesTeamNamesInAnyCase(t *testing.T) {
	srv, posts := hookServer(t, http.StatusOK)
	cfg := layersConfig()
	cfg.TeamWebhooks = map[string]string{"web": srv.URL, "Mobil": srv.URL + "/mobile"}
	reader := newScriptedReader()
	run, _, logs := newTestRunner(t, cfg, reader)
	handled := startSender(t, run)
	p := policyWithLayers("PWEB", "Web frontend", "x", 1)
	p.Teams = []Ref{{ID: "PTWEB01", Name: "Web"}}
	reader.answer(snapshot(p), nil)
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	<-handled
	require.Equal(t, WebhookPost{Team: "web", New: rep.Violations, Fixed: []Violation{}}, <-posts)
	require.Equal(t, `level=WARN msg="on-call team_webhooks names no team of any escalation policy; nothing will be posted to it" team=Mobil url=`+
		srv.URL+"/mobile\n", logs.String())
}

// TestRunnerWebhookFailedPostIsSentAgain: a post the webhook refuses does
// not move the team on, so the next check posts the same changes again.
func TestRunnerWebhookFailedPostIsSentAgain(t *testing.T) {
	srv, posts := hookServer(t, http.StatusBadRequest, http.StatusNoContent)
	cfg := layersConfig()
	cfg.TeamWebhooks = map[string]string{"web": srv.URL}
	reader := newScriptedReader()
	run, reg, _ := newTestRunner(t, cfg, reader)
	handled := startSender(t, run)
	snap := snapshot(policyWithLayers("PWEB", "Web", "web", 1))
	want := WebhookPost{Team: "web", New: Check(snap, cfg.Standards).Violations, Fixed: []Violation{}}
	for range 3 {
		reader.answer(snap, nil)
		_, err := run.CheckNow(t.Context())
		require.NoError(t, err, "a failed post does not fail the check")
		<-handled
	}
	require.Equal(t, want, <-posts, "refused")
	require.Equal(t, want, <-posts, "sent again, accepted")
	require.Empty(t, posts, "the third check has nothing new")
	requireMetrics(t, reg, `
vigil_oncall_webhook_failures_total{team="web"} 1
`, "vigil_oncall_webhook_failures_total")
}

// TestRunnerWebhookPostCancelledOnStop: stopping Run cancels a post under
// way (to a webhook that never answers) and waits for the sender.
func TestRunnerWebhookPostCancelledOnStop(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // so that the server sees the client go
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	cfg := layersConfig()
	cfg.TeamWebhooks = map[string]string{"web": srv.URL}
	reader := newScriptedReader()
	run, reg, _ := newTestRunner(t, cfg, reader)
	run.ticker = func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	reader.answer(snapshot(policyWithLayers("PWEB", "Web", "web", 1)), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		run.Run(ctx)
		close(done)
	}()
	<-arrived
	cancel()
	<-done
	requireMetrics(t, reg, "", "vigil_oncall_webhook_failures_total")
}

func TestChanges(t *testing.T) {
	a := Violation{PolicyID: "P1", Check: CheckLayers, Detail: "a"}
	b := Violation{PolicyID: "P1", Check: CheckLoops, Detail: "b"}
	prev := map[string][]Violation{"web": {a}, "db": {}}
	cur := map[string][]Violation{"web": {a, b}, "db": {}}
	require.Equal(t, []WebhookPost{{Team: "web", New: []Violation{b}, Fixed: []Violation{}}}, changes(prev, cur))
	require.Equal(t, []WebhookPost{{Team: "web", New: []Violation{a, b}, Fixed: []Violation{}}}, changes(nil, cur), "the first check posts what there is")
	require.Empty(t, changes(cur, cur))
}

// TestChangesIdentifyViolationsByPolicyCheckAndDetail: as the Runner's doc
// says, a renamed policy or team, or another standard, is not a change.
func TestChangesIdentifyViolationsByPolicyCheckAndDetail(t *testing.T) {
	a := Violation{PolicyID: "P1", Policy: "Web", Team: "Web", Standard: "critical", Check: CheckLayers, Detail: "a"}
	renamed := a
	renamed.Policy, renamed.Team, renamed.Standard = "Web frontend", "Frontend", "strict"
	require.Empty(t, changes(map[string][]Violation{"web": {a}}, map[string][]Violation{"web": {renamed}}))
	other := a
	other.Detail = "b"
	require.Equal(t, []WebhookPost{{Team: "web", New: []Violation{other}, Fixed: []Violation{a}}},
		changes(map[string][]Violation{"web": {a}}, map[string][]Violation{"web": {other}}))
}

// switchReader reads from the stand-in that current names.
type switchReader struct {
	mu      sync.Mutex
	current *Reader
}

func (s *switchReader) set(r *Reader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = r
}

func (s *switchReader) Read(ctx context.Context, window time.Duration) (*Snapshot, error) {
	s.mu.Lock()
	r := s.current
	s.mu.Unlock()
	return r.Read(ctx, window)
}

// standInReader starts a stand-in for PagerDuty serving acct and returns a
// Reader of it.
func standInReader(t *testing.T, acct *oncalltest.Account) *Reader {
	t.Helper()
	srv := oncalltest.NewServer(acct)
	t.Cleanup(srv.Close)
	r, err := NewReader(ReaderOptions{APIURL: srv.URL, Token: srv.Token})
	require.NoError(t, err)
	return r
}

// TestRunnerWebhookAgainstStandIn: the Web team's webhook hears of its
// policy's missing layer, then of its fix, when the account changes
// between two checks.
func TestRunnerWebhookAgainstStandIn(t *testing.T) {
	now := time.Now().UTC()
	broken := oncalltest.Fixture(now)
	fixed := oncalltest.Fixture(now)
	for i, p := range fixed.Policies {
		if p.ID == "PEPWEB1" {
			second := p.Rules[0]
			second.ID += "-2"
			fixed.Policies[i].Rules = append(slices.Clone(p.Rules), second)
		}
	}
	srv, posts := hookServer(t, http.StatusOK)
	cfg := &Config{Interval: time.Hour, Standards: []Standard{{Name: "critical", MinLayers: 2}},
		TeamWebhooks: map[string]string{"Web": srv.URL}}
	reader := &switchReader{current: standInReader(t, broken)}
	run, _, _ := newTestRunner(t, cfg, reader)
	handled := startSender(t, run)

	want := Violation{PolicyID: "PEPWEB1", Policy: "Web frontend", Team: "Web", Standard: "critical", Check: CheckLayers,
		Detail: `1 escalation layer; the standard "critical" requires at least 2`}
	_, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	<-handled
	require.Equal(t, WebhookPost{Team: "Web", New: []Violation{want}, Fixed: []Violation{}}, <-posts)

	reader.set(standInReader(t, fixed))
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Empty(t, rep.Violations)
	<-handled
	require.Equal(t, WebhookPost{Team: "Web", New: []Violation{}, Fixed: []Violation{want}}, <-posts)
	require.Empty(t, posts)
}
