package oncall

import (
	"cmp"
	"maps"
	"slices"
)

// WebhookPost is the JSON body posted to a team's webhook when its
// violations change: Team is the team as Config.TeamWebhooks names it; New
// are the violations that appeared since the last post the webhook
// accepted, Fixed those that are gone since. Both are lists, possibly
// empty, never null.
type WebhookPost struct {
	Team  string      `json:"team"`
	New   []Violation `json:"new"`
	Fixed []Violation `json:"fixed"`
}

// violationKey identifies a violation across checks: its policy, check and
// detail. A violation whose team, policy name or standard changes, but not
// its detail, is the same violation.
type violationKey struct{ policyID, check, detail string }

// key returns v's identity.
func (v Violation) key() violationKey { return violationKey{v.PolicyID, v.Check, v.Detail} }

// violationsByTeam returns, for every team of urls (a team name or ID,
// matched as Ref.named does), the violations of the policies that team
// owns. A policy owned by several teams counts for each.
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

// ownedBy reports whether one of refs is named team.
func ownedBy(refs []Ref, team string) bool {
	return slices.ContainsFunc(refs, func(r Ref) bool { return r.named(team) })
}

// unknownTeams returns the teams of urls, sorted, that name no team of any
// policy: a typo in team_webhooks, or a team that owns no policy.
func unknownTeams(urls map[string]string, policies []Policy) []string {
	var out []string
	for _, team := range slices.Sorted(maps.Keys(urls)) {
		if !slices.ContainsFunc(policies, func(p Policy) bool { return ownedBy(p.Teams, team) }) {
			out = append(out, team)
		}
	}
	return out
}

// changes returns the posts for the teams whose violations differ between
// prev (a team missing there had no post accepted yet: all of its current
// violations are new) and cur, sorted by team.
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

// missingFrom returns the violations of vs whose key is not in other;
// never nil.
func missingFrom(vs, other []Violation) []Violation {
	out := []Violation{}
	for _, v := range vs {
		if !slices.ContainsFunc(other, func(o Violation) bool { return o.key() == v.key() }) {
			out = append(out, v)
		}
	}
	return out
}
