package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	queryapi "github.com/vigilsre/vigil/query/api"
	"github.com/vigilsre/vigil/sevbridge"
)

// maxBody bounds the body of a POST.
const maxBody = 1 << 20

// fields are the fields of a POST, from a form or a JSON object. An absent
// field is "" (level: nil).
type fields struct {
	Type   string   `json:"type"`
	Level  *string  `json:"-"`
	Title  string   `json:"title"`
	Routes []string `json:"routes"`
	Actor  string   `json:"actor"`
}

// readFields reads the fields of r: its JSON body when its Content-Type is
// application/json, else its form (query string and body).
func readFields(r *http.Request) (fields, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		return readJSON(r.Body)
	}
	if err := r.ParseForm(); err != nil {
		return fields{}, badData(fmt.Errorf("error parsing form values: %w", err))
	}
	f := fields{Type: r.Form.Get("type"), Title: r.Form.Get("title"), Routes: r.Form["routes"], Actor: r.Form.Get("actor")}
	if _, ok := r.Form["level"]; ok {
		level := r.Form.Get("level")
		f.Level = &level
	}
	return f, nil
}

// jsonFields is the JSON object of a POST; level is a number or a string.
type jsonFields struct {
	fields
	Level json.RawMessage `json:"level"`
}

// readJSON decodes a JSON object of fields; unknown fields are errors.
func readJSON(body io.Reader) (fields, error) {
	var j jsonFields
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fields{}, badData(fmt.Errorf("invalid JSON body: %w", err))
	}
	if len(j.Level) > 0 && string(j.Level) != "null" {
		level := strings.Trim(string(j.Level), `"`)
		j.fields.Level = &level
	}
	return j.fields, nil
}

// declaration is a valid declare request.
type declaration struct {
	actor, title string
	typ          sevbridge.Type
	level        sevbridge.Level
	routes       []string
}

// declaration checks the fields of a declare, in the order of the package
// doc; the first problem is the error.
func (f fields) declaration() (declaration, error) {
	d := declaration{typ: sevbridge.Type(f.Type), title: strings.TrimSpace(f.Title), actor: f.Actor}
	if !d.typ.Valid() {
		return d, invalidParam("type", "want availability, durability, security or feature_degradation, got %q", f.Type)
	}
	var err error
	if d.level, err = f.level(); err != nil {
		return d, err
	}
	if d.title == "" {
		return d, invalidParam("title", "required: what is wrong, in a line")
	}
	if d.routes, err = f.routes(); err != nil {
		return d, err
	}
	return d, f.checkActor()
}

// action checks the fields of an action: the actor, and the level of
// set-level (0 for the others, which take none).
func (f fields) action(action string) (string, sevbridge.Level, error) {
	var level sevbridge.Level
	if action == actionSetLevel {
		var err error
		if level, err = f.level(); err != nil {
			return "", 0, err
		}
	}
	return f.Actor, level, f.checkActor()
}

// level parses the level field, required, 0 to 3.
func (f fields) level() (sevbridge.Level, error) {
	if f.Level == nil {
		return 0, invalidParam("level", "required: an integer from 0 (most critical) to 3")
	}
	n, err := strconv.Atoi(*f.Level)
	if err != nil || !sevbridge.Level(n).Valid() {
		return 0, invalidParam("level", "want an integer from 0 to 3, got %q", *f.Level)
	}
	return sevbridge.Level(n), nil
}

// routes returns the routes, each non-empty; none is [].
func (f fields) routes() ([]string, error) {
	routes := make([]string, 0, len(f.Routes))
	for _, r := range f.Routes {
		if strings.TrimSpace(r) == "" {
			return nil, invalidParam("routes", "a route must not be empty")
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// checkActor requires the actor: the timeline says who acted.
func (f fields) checkActor() error {
	if strings.TrimSpace(f.Actor) == "" {
		return invalidParam("actor", "required: who is acting, for the timeline")
	}
	return nil
}

// invalidParam is the bad_data error of a field, naming it.
func invalidParam(name, format string, args ...any) *queryapi.Error {
	return badData(fmt.Errorf("invalid parameter %q: %s", name, fmt.Sprintf(format, args...)))
}

// badData is a bad_data (400) error.
func badData(err error) *queryapi.Error {
	return &queryapi.Error{Type: queryapi.ErrorBadData, Err: err}
}

// classify maps the Source's errors to API errors: an unknown SEV is
// not_found (404), a refused action (such as acting on a resolved SEV)
// bad_data (400); others stay internal (500). Errors of this package pass
// through.
func classify(err error) error {
	if _, ok := errors.AsType[*queryapi.Error](err); ok {
		return err
	}
	switch {
	case errors.Is(err, sevbridge.ErrSEVNotFound):
		return &queryapi.Error{Type: queryapi.ErrorNotFound, Err: err}
	case errors.Is(err, sevbridge.ErrInvalidAction):
		return badData(err)
	}
	return err
}
