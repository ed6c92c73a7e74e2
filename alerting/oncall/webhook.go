package oncall

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WebhookPost is the JSON body posted to a team's webhook when its
// violations change: Team is the team as Config.TeamWebhooks names it; New
// are the violations that appeared since the previous successful check,
// Fixed those that are gone. Both are lists, possibly empty, never null.
type WebhookPost struct {
	Team  string      `json:"team"`
	New   []Violation `json:"new"`
	Fixed []Violation `json:"fixed"`
}

// violationsByTeam returns, for every team of urls (a team name or ID), the
// violations of the policies that team owns. A policy owned by several
// teams counts for each.
func violationsByTeam(urls map[string]string, policies []Policy, vs []Violation) map[string][]Violation {
	teams := make(map[string][]Ref, len(policies))
	for _, p := range policies {
		teams[p.ID] = p.Teams
	}
	out := make(map[string][]Violation, len(urls))
	for team := range urls {
		out[team] = []Violation{}
		for _, v := range vs {
			if ownedBy(teams[v.PolicyID], team) {
				out[team] = append(out[team], v)
			}
		}
	}
	return out
}

// ownedBy reports whether one of refs has the name or ID team.
func ownedBy(refs []Ref, team string) bool {
	return slices.ContainsFunc(refs, func(r Ref) bool { return r.Name == team || r.ID == team })
}

// changes returns the posts for the teams whose violations differ between
// prev (nil before the first successful check: nothing) and cur, sorted by
// team.
func changes(prev, cur map[string][]Violation) []WebhookPost {
	var posts []WebhookPost
	for team, now := range cur {
		p := WebhookPost{Team: team, New: missingFrom(now, prev[team]), Fixed: missingFrom(prev[team], now)}
		if len(p.New)+len(p.Fixed) > 0 {
			posts = append(posts, p)
		}
	}
	slices.SortFunc(posts, func(a, b WebhookPost) int { return cmp.Compare(a.Team, b.Team) })
	return posts
}

// missingFrom returns the violations of vs that are not in other; never
// nil.
func missingFrom(vs, other []Violation) []Violation {
	out := []Violation{}
	for _, v := range vs {
		if !slices.Contains(other, v) {
			out = append(out, v)
		}
	}
	return out
}

// webhooks posts violation changes to the teams' webhooks in the
// background.
type webhooks struct {
	urls     map[string]string // team → URL
	client   *http.Client
	timeout  time.Duration
	logger   *slog.Logger
	failures *prometheus.CounterVec // by team

	inflight sync.WaitGroup
}

// post sends posts, one after the other, in a goroutine: a request's
// context being done does not cancel them; each is bounded by the timeout.
func (w *webhooks) post(ctx context.Context, posts []WebhookPost) {
	if len(posts) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	w.inflight.Go(func() {
		for _, p := range posts {
			if err := w.send(ctx, p); err != nil {
				w.failures.WithLabelValues(p.Team).Inc()
				w.logger.Error("on-call webhook", "team", p.Team, "err", err)
			}
		}
	})
}

// wait waits for the posts under way.
func (w *webhooks) wait() { w.inflight.Wait() }

// send posts p to its team's webhook; any status but 2xx is an error.
func (w *webhooks) send(ctx context.Context, p WebhookPost) error {
	url := w.urls[p.Team]
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode post to %s: %w", url, err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post to %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post to %s: answered %s", url, resp.Status)
	}
	return nil
}
