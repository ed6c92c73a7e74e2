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
// answers status.
func hookServer(t *testing.T, status int) (*httptest.Server, <-chan WebhookPost) {
	t.Helper()
	posts := make(chan WebhookPost, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p WebhookPost
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &p) != nil {
			p = WebhookPost{Team: "BAD REQUEST: " + r.Method + " " + string(body)}
		}
		posts <- p
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, posts
}

func TestRunnerWebhookNewThenFixed(t *testing.T) {
	srv, posts := hookServer(t, http.StatusNoContent)
	cfg := layersConfig()
	cfg.TeamWebhooks = map[string]string{"web": srv.URL + "/web", "Tstorage": srv.URL + "/storage"} // by name, by ID
	reader := &fakeReader{}
	run, reg := newTestRunner(t, cfg, reader)

	broken := snapshot(policyWithLayers("PWEB", "Web", "web", 1), policyWithLayers("PDB", "Database", "storage", 2))
	reader.set(broken, nil)
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Equal(t, WebhookPost{Team: "web", New: rep.Violations, Fixed: []Violation{}}, <-posts)

	_, err = run.CheckNow(t.Context()) // nothing changed: no post
	require.NoError(t, err)

	reader.set(snapshot(policyWithLayers("PWEB", "Web", "web", 2), policyWithLayers("PDB", "Database", "storage", 1)), nil)
	rep2, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	got := []WebhookPost{<-posts, <-posts} // one check's posts, in team order
	require.Equal(t, []WebhookPost{
		{Team: "Tstorage", New: rep2.Violations, Fixed: []Violation{}},
		{Team: "web", New: []Violation{}, Fixed: rep.Violations},
	}, got)
	run.hooks.wait()
	require.Empty(t, posts)
	requireMetrics(t, reg, "", "vigil_oncall_webhook_failures_total")
}

func TestRunnerWebhookFailureCounted(t *testing.T) {
	srv, posts := hookServer(t, http.StatusInternalServerError)
	cfg := layersConfig()
	cfg.TeamWebhooks = map[string]string{"web": srv.URL}
	reader := &fakeReader{}
	run, reg := newTestRunner(t, cfg, reader)
	reader.set(snapshot(policyWithLayers("PWEB", "Web", "web", 1)), nil)
	_, err := run.CheckNow(t.Context())
	require.NoError(t, err, "a failed post does not fail the check")
	<-posts
	run.hooks.wait()
	requireMetrics(t, reg, `
vigil_oncall_webhook_failures_total{team="web"} 1
`, "vigil_oncall_webhook_failures_total")
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
	run, _ := newTestRunner(t, cfg, reader)

	want := Violation{PolicyID: "PEPWEB1", Policy: "Web frontend", Team: "Web", Standard: "critical", Check: CheckLayers,
		Detail: `1 escalation layer; the standard "critical" requires at least 2`}
	_, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Equal(t, WebhookPost{Team: "Web", New: []Violation{want}, Fixed: []Violation{}}, <-posts)

	reader.set(standInReader(t, fixed))
	rep, err := run.CheckNow(t.Context())
	require.NoError(t, err)
	require.Empty(t, rep.Violations)
	require.Equal(t, WebhookPost{Team: "Web", New: []Violation{}, Fixed: []Violation{want}}, <-posts)
	run.hooks.wait()
	require.Empty(t, posts)
}
