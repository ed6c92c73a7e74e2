package oncalltest

import (
	"math"
	"net/http"
	"slices"
	"time"
)

// scheduleJSON is a schedule as GET /schedules/{id} shows it.
type scheduleJSON struct {
	object
	Name                 string     `json:"name"`
	TimeZone             string     `json:"time_zone"`
	Description          string     `json:"description"`
	EscalationPolicies   []object   `json:"escalation_policies"`
	Users                []object   `json:"users"`
	Teams                []object   `json:"teams"`
	ScheduleLayers       []struct{} `json:"schedule_layers"`
	OverridesSubschedule layerJSON  `json:"overrides_subschedule"`
	FinalSchedule        layerJSON  `json:"final_schedule"`
}

// layerJSON is a rendered sub-schedule.
type layerJSON struct {
	Name                       string      `json:"name"`
	RenderedScheduleEntries    []entryJSON `json:"rendered_schedule_entries"`
	RenderedCoveragePercentage *float64    `json:"rendered_coverage_percentage"`
}

// entryJSON is one rendered schedule entry.
type entryJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
	User  object `json:"user"`
}

// renderRange is the since/until/time_zone of a schedule request.
type renderRange struct {
	since, until time.Time // zero: unbounded
	loc          *time.Location
}

// getSchedule serves GET /schedules/{id}: the final schedule rendered over
// [since, until), its entries clipped to that range, in time_zone.
func (s *Server) getSchedule(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.acct.schedule(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, 2100, "Not Found")
		return
	}
	rr, msg := parseRange(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", msg)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Schedule scheduleJSON `json:"schedule"`
	}{s.scheduleJSON(sc, rr)})
}

// parseRange reads since, until and time_zone; a non-empty message says
// what is wrong with them.
func parseRange(r *http.Request) (renderRange, string) {
	q := r.URL.Query()
	rr := renderRange{loc: time.UTC}
	var err error
	if v := q.Get("time_zone"); v != "" {
		if rr.loc, err = time.LoadLocation(v); err != nil {
			return rr, "Time Zone is invalid."
		}
	}
	if v := q.Get("since"); v != "" {
		if rr.since, err = time.Parse(time.RFC3339, v); err != nil {
			return rr, "Since is not a valid ISO 8601 time."
		}
	}
	if v := q.Get("until"); v != "" {
		if rr.until, err = time.Parse(time.RFC3339, v); err != nil {
			return rr, "Until is not a valid ISO 8601 time."
		}
	}
	if !rr.since.IsZero() && !rr.until.IsZero() && !rr.since.Before(rr.until) {
		return rr, "Until must be after since."
	}
	return rr, ""
}

func (s *Server) scheduleJSON(sc Schedule, rr renderRange) scheduleJSON {
	entries, covered := s.render(sc.Entries, rr)
	out := scheduleJSON{
		object:               s.object("schedules", "schedule", sc.ID, sc.Name, true),
		Name:                 sc.Name,
		TimeZone:             rr.loc.String(),
		EscalationPolicies:   s.policiesPaging(sc.ID),
		Users:                s.scheduleUsers(sc),
		Teams:                []object{},
		ScheduleLayers:       []struct{}{},
		OverridesSubschedule: layerJSON{Name: "Overrides", RenderedScheduleEntries: []entryJSON{}},
		FinalSchedule:        layerJSON{Name: "Final Schedule", RenderedScheduleEntries: entries},
	}
	if !rr.since.IsZero() && !rr.until.IsZero() {
		pct := math.Round(10000*covered.Seconds()/rr.until.Sub(rr.since).Seconds()) / 100
		out.FinalSchedule.RenderedCoveragePercentage = &pct
	}
	return out
}

// render clips entries to rr and formats them in rr's time zone; covered
// is the time they cover.
func (s *Server) render(entries []Entry, rr renderRange) (out []entryJSON, covered time.Duration) {
	out = []entryJSON{}
	for _, e := range entries {
		start, end := e.Start, e.End
		if !rr.since.IsZero() && start.Before(rr.since) {
			start = rr.since
		}
		if !rr.until.IsZero() && end.After(rr.until) {
			end = rr.until
		}
		if !start.Before(end) {
			continue
		}
		covered += end.Sub(start)
		out = append(out, entryJSON{
			Start: start.In(rr.loc).Format(time.RFC3339),
			End:   end.In(rr.loc).Format(time.RFC3339),
			User:  s.userRef(e.UserID),
		})
	}
	return out, covered
}

// policiesPaging are the escalation policies with a rule targeting the
// schedule id.
func (s *Server) policiesPaging(id string) []object {
	refs := []object{}
	for _, p := range s.acct.Policies {
		if targets(p, ScheduleReference, id) {
			refs = append(refs, s.object("escalation_policies", "escalation_policy_reference", p.ID, p.Name, true))
		}
	}
	return refs
}

func targets(p Policy, typ, id string) bool {
	for _, r := range p.Rules {
		for _, t := range r.Targets {
			if t.Type == typ && t.ID == id {
				return true
			}
		}
	}
	return false
}

// scheduleUsers are the users of any of the schedule's entries, in order
// of first appearance.
func (s *Server) scheduleUsers(sc Schedule) []object {
	var ids []string
	for _, e := range sc.Entries {
		if !slices.Contains(ids, e.UserID) {
			ids = append(ids, e.UserID)
		}
	}
	refs := []object{}
	for _, id := range ids {
		refs = append(refs, s.userRef(id))
	}
	return refs
}
