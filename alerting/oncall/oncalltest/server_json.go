package oncalltest

import (
	"encoding/json"
	"net/http"
)

// htmlBase is where PagerDuty's web UI would show an object.
const htmlBase = "https://vigil-test.pagerduty.com"

// object is the head PagerDuty puts on every object and reference.
type object struct {
	ID      string  `json:"id"`
	Type    string  `json:"type"`
	Summary string  `json:"summary"`
	Self    string  `json:"self"`
	HTMLURL *string `json:"html_url"`
}

// object returns the head of the object of typ at /collection/id, with an
// html_url when web is true.
func (s *Server) object(collection, typ, id, summary string, web bool) object {
	o := object{ID: id, Type: typ, Summary: summary, Self: s.URL + "/" + collection + "/" + id}
	if web {
		u := htmlBase + "/" + collection + "/" + id
		o.HTMLURL = &u
	}
	return o
}

// apiError is PagerDuty's error body.
type apiError struct {
	Error struct {
		Message string   `json:"message"`
		Code    int      `json:"code"`
		Errors  []string `json:"errors,omitempty"`
	} `json:"error"`
}

// writeError answers with PagerDuty's JSON error body.
func writeError(w http.ResponseWriter, status, code int, message string, errs ...string) {
	var body apiError
	body.Error.Message, body.Error.Code, body.Error.Errors = message, code, errs
	writeJSON(w, status, body)
}

// writeJSON answers with v as JSON, as PagerDuty does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "BUG: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client sees a short body if this fails
}

// team, user, schedule and policy find an account's objects by ID.
func (a *Account) team(id string) (Team, bool) {
	for _, t := range a.Teams {
		if t.ID == id {
			return t, true
		}
	}
	return Team{}, false
}

func (a *Account) user(id string) (User, bool) {
	for _, u := range a.Users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

func (a *Account) schedule(id string) (Schedule, bool) {
	for _, sc := range a.Schedules {
		if sc.ID == id {
			return sc, true
		}
	}
	return Schedule{}, false
}

// userName and scheduleName are the summaries of references to them.
func (a *Account) userName(id string) string {
	u, _ := a.user(id)
	return u.Name
}

func (a *Account) scheduleName(id string) string {
	sc, _ := a.schedule(id)
	return sc.Name
}

// teamRefs are the team_reference objects of ids.
func (s *Server) teamRefs(ids []string) []object {
	refs := []object{}
	for _, id := range ids {
		t, _ := s.acct.team(id)
		refs = append(refs, s.object("teams", "team_reference", id, t.Name, true))
	}
	return refs
}

// userRef is the user_reference object of a user.
func (s *Server) userRef(id string) object {
	return s.object("users", UserReference, id, s.acct.userName(id), true)
}
