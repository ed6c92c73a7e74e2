package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilsre/vigil/sevbridge"
)

// list serves GET /api/v1/sevs: every SEV, newest (highest number) first.
func (a *API) list(*http.Request) (any, error) {
	sevs, err := a.src.List()
	if err != nil {
		return nil, err
	}
	out := slices.Clone(sevs)
	if out == nil {
		out = []*sevbridge.SEV{} // [] rather than null
	}
	slices.SortStableFunc(out, func(x, y *sevbridge.SEV) int { return cmp.Compare(number(y.ID), number(x.ID)) })
	return out, nil
}

// number is n of "SEV-<n>"; 0 for an id of another shape.
func number(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "SEV-"))
	return n
}

// get serves GET /api/v1/sevs/{id}.
func (a *API) get(r *http.Request) (any, error) {
	return a.src.Get(r.PathValue("id"))
}

// declare serves POST /api/v1/sevs: a SEV filed by hand.
func (a *API) declare(r *http.Request) (any, error) {
	f, err := readFields(r)
	if err != nil {
		return nil, err
	}
	d, err := f.declaration()
	if err != nil {
		return nil, err
	}
	return a.src.Declare(r.Context(), d.actor, d.typ, d.level, d.title, d.routes)
}

// act serves POST /api/v1/sevs/{id}/{action}.
func (a *API) act(r *http.Request) (any, error) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if !slices.Contains(actions, action) {
		return nil, invalidParam("action", "unknown action %q: want %s", action, strings.Join(actions, ", "))
	}
	f, err := readFields(r)
	if err != nil {
		return nil, err
	}
	actor, level, err := f.action(action)
	if err != nil {
		return nil, err
	}
	if _, err := a.src.Get(id); err != nil {
		return nil, err // not found: 404 before the action is judged
	}
	return a.src.Act(r.Context(), actor, id, action, level)
}

// actions are the {action}s of POST /api/v1/sevs/{id}/{action}.
var actions = []string{actionAck, actionDiagnose, actionMitigate, actionResolve, actionSetLevel}

// The actions.
const (
	actionAck      = "ack"
	actionDiagnose = "diagnose"
	actionMitigate = "mitigate"
	actionResolve  = "resolve"
	actionSetLevel = "set-level"
)
