package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigilsre/vigil/alerting/oncall"
	queryapi "github.com/vigilsre/vigil/query/api"
)

// Source is what the API reads; *oncall.Runner is one. Status is called
// from concurrent requests; the API does not modify what it returns.
type Source interface {
	Status() oncall.Status
}

// Options configure an API. The zero value is usable.
type Options struct {
	// Logger receives failures to write a response. Default: slog.Default().
	Logger *slog.Logger
}

// API serves the on-call status of a Source. It is safe for concurrent use.
type API struct {
	src    Source // nil: on-call checks are not configured
	logger *slog.Logger
}

// New returns the API over src; a nil src means on-call checks are not
// configured, and GET /api/v1/oncall answers 404 saying so.
func New(src Source, opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{src: src, logger: opts.Logger}
}

// Register mounts GET /api/v1/oncall on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/oncall", a.serveStatus)
}

// errNotConfigured is the answer of a server without on-call checks.
var errNotConfigured = &queryapi.Error{
	Type: queryapi.ErrorNotFound,
	Err:  errors.New("on-call checks are not configured: add an oncall section to the configuration"),
}

// serveStatus answers GET /api/v1/oncall.
func (a *API) serveStatus(w http.ResponseWriter, r *http.Request) {
	var err error
	if a.src == nil {
		err = queryapi.RespondError(w, errNotConfigured)
	} else {
		err = queryapi.Respond(w, statusOf(a.src.Status()), nil, nil)
	}
	if err != nil {
		a.logger.Warn("write api response", "url", r.URL.String(), "err", err)
	}
}

// statusData is the data of GET /api/v1/oncall.
type statusData struct {
	Checked     int                `json:"checked"`
	Violations  []oncall.Violation `json:"violations"`
	LastSuccess *time.Time         `json:"last_success"`
	LastAttempt *time.Time         `json:"last_attempt"`
	LastError   string             `json:"last_error"`
}

// statusOf converts s to its JSON form: times in UTC, null when zero, the
// violations a list even when empty.
func statusOf(s oncall.Status) statusData {
	vs := s.Report.Violations
	if vs == nil {
		vs = []oncall.Violation{}
	}
	return statusData{
		Checked:     s.Report.Checked,
		Violations:  vs,
		LastSuccess: utcOrNil(s.LastSuccess),
		LastAttempt: utcOrNil(s.LastAttempt),
		LastError:   s.LastError,
	}
}

// utcOrNil returns t in UTC, or nil when it is zero.
func utcOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
