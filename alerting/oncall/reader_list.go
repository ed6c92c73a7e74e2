package oncall

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// pageLimit is the page size asked of PagerDuty: its largest.
const pageLimit = 100

// whatPolicies names the first request of a Read in errors: a 403 to it
// means the token reads nothing.
const whatPolicies = "escalation policies"

// pages calls fetch with offsets 0, n, n+m, ... for as long as PagerDuty
// says more follow. fetch returns how many items its page held.
func (rd *reading) pages(what string, fetch func(offset uint) (n int, more bool, err error)) error {
	var offset uint
	for {
		n, more, err := fetch(offset)
		if err != nil {
			return rd.fail(what, err)
		}
		if !more {
			return nil
		}
		if n == 0 {
			return fmt.Errorf("read PagerDuty %s: the page at offset %d is empty, yet more are said to follow", what, offset)
		}
		offset += uint(n)
	}
}

// policies lists every escalation policy, with its teams' names.
func (rd *reading) policies() ([]Policy, error) {
	var eps []pagerduty.EscalationPolicy
	err := rd.pages(whatPolicies, func(offset uint) (int, bool, error) {
		resp, err := rd.pd.ListEscalationPoliciesWithContext(rd.ctx, pagerduty.ListEscalationPoliciesOptions{Limit: pageLimit, Offset: offset})
		if err != nil {
			return 0, false, err
		}
		eps = append(eps, resp.EscalationPolicies...)
		return len(resp.EscalationPolicies), resp.More, nil
	})
	if err != nil {
		return nil, err
	}
	teams, err := rd.teams(eps)
	if err != nil {
		return nil, err
	}
	policies := make([]Policy, 0, len(eps))
	for _, ep := range eps {
		policies = append(policies, convertPolicy(ep, teams))
	}
	return policies, nil
}

// teams maps team IDs to names; it lists the teams only when a policy has
// one, since policies reference their teams without names.
func (rd *reading) teams(eps []pagerduty.EscalationPolicy) (map[string]string, error) {
	names := map[string]string{}
	if !anyTeam(eps) {
		return names, nil
	}
	err := rd.pages("teams", func(offset uint) (int, bool, error) {
		resp, err := rd.pd.ListTeamsWithContext(rd.ctx, pagerduty.ListTeamOptions{Limit: pageLimit, Offset: offset})
		if err != nil {
			return 0, false, err
		}
		for _, t := range resp.Teams {
			names[t.ID] = t.Name
		}
		return len(resp.Teams), resp.More, nil
	})
	return names, err
}

func anyTeam(eps []pagerduty.EscalationPolicy) bool {
	for _, ep := range eps {
		if len(ep.Teams) > 0 {
			return true
		}
	}
	return false
}

// schedules gets every schedule the policies target, rendered over
// [since, until) in UTC. A schedule PagerDuty answers 404 or 403 for is
// left out: the checks report it as unread.
func (rd *reading) schedules(policies []Policy, since, until time.Time) (map[string]Schedule, error) {
	out := map[string]Schedule{}
	for _, id := range targetIDs(policies, TargetSchedule) {
		s, err := rd.pd.GetScheduleWithContext(rd.ctx, id, pagerduty.GetScheduleOptions{
			TimeZone: "UTC",
			Since:    since.Format(time.RFC3339),
			Until:    until.Format(time.RFC3339),
		})
		if unreadable(err) {
			continue
		}
		if err != nil {
			return nil, rd.fail(fmt.Sprintf("schedule %s", id), err)
		}
		if out[id], err = convertSchedule(s, since, until); err != nil {
			return nil, fmt.Errorf("read PagerDuty schedule %s: %w", id, err)
		}
	}
	return out, nil
}

// unreadable reports whether err is PagerDuty's 404 or 403 to one object:
// gone, or out of the token's reach.
func unreadable(err error) bool {
	var apiErr pagerduty.APIError
	return errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusForbidden)
}

// users lists the users with their notification rules and keeps those in
// want (the IDs of the reachable users); a user of want missing from the
// list is left out.
func (rd *reading) users(want map[string]bool) (map[string]User, error) {
	out := map[string]User{}
	if len(want) == 0 {
		return out, nil
	}
	err := rd.pages("users", func(offset uint) (int, bool, error) {
		resp, err := rd.pd.ListUsersWithContext(rd.ctx, pagerduty.ListUsersOptions{
			Limit: pageLimit, Offset: offset, Includes: []string{"notification_rules"},
		})
		if err != nil {
			return 0, false, err
		}
		for _, u := range resp.Users {
			if want[u.ID] {
				out[u.ID] = convertUser(u)
			}
		}
		return len(resp.Users), resp.More, nil
	})
	return out, err
}
