package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/prometheus/util/annotations"

	"github.com/vigilsre/vigil/query"
)

// maxNotes is the most warnings (and infos) one response lists; the rest are
// counted in a last line, as in Prometheus.
const maxNotes = 10

// BuildInfo describes the running binary; /api/v1/status/buildinfo serves it.
type BuildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	Branch    string `json:"branch"`
	BuildUser string `json:"buildUser"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
}

// Options configure an API. The zero value is usable.
type Options struct {
	// BuildInfo is served at /api/v1/status/buildinfo.
	BuildInfo BuildInfo
	// Logger receives failures to write a response. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock: the time of an instant query without a time
	// parameter. Default: time.Now.
	Now func() time.Time
	// Flusher serves POST /api/v1/admin/flush. Default nil: the admin API
	// is disabled, and the endpoint says so (as Prometheus does without
	// --web.enable-admin-api).
	Flusher Flusher
}

// API serves the read endpoints over an Engine. It is safe for concurrent
// use.
type API struct {
	engine    *query.Engine
	buildInfo BuildInfo
	logger    *slog.Logger
	now       func() time.Time
	flusher   Flusher // nil: no flush endpoint
}

// New returns the API over e.
func New(e *query.Engine, opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &API{engine: e, buildInfo: opts.BuildInfo, logger: opts.Logger, now: opts.Now, flusher: opts.Flusher}
}

// endpoint is one route of the API.
type endpoint struct {
	path string
	fn   apiFunc
	post bool // also answers POST with a form body
}

// Register mounts the endpoints listed in the package documentation on mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, ep := range []endpoint{
		{"/api/v1/query", a.query, true},
		{"/api/v1/query_range", a.queryRange, true},
		{"/api/v1/series", a.series, true},
		{"/api/v1/labels", a.labelNames, true},
		{"/api/v1/label/{name}/values", a.labelValues, false},
		{"/api/v1/query_exemplars", a.exemplars, true},
		{"/api/v1/metadata", a.metadata, false},
		{"/api/v1/status/buildinfo", a.serveBuildInfo, false},
	} {
		mux.Handle("GET "+ep.path, a.wrap(ep.fn))
		if ep.post {
			mux.Handle("POST "+ep.path, a.wrap(ep.fn))
		}
	}
	mux.Handle("POST /api/v1/admin/flush", a.wrap(a.flush))
}

// result is what a handler returns; wrap writes it.
type result struct {
	data     any   // the success data; nil writes 204 No Content
	err      error // an *Error or an error of package query
	warnings annotations.Annotations
	finalize func() // called after the response is written, when set
}

// apiFunc is a handler: it decodes the request, asks the engine and returns
// the answer for wrap to encode.
type apiFunc func(r *http.Request) result

// wrap adapts an apiFunc to http.Handler, writing its result in the envelope.
func (a *API) wrap(f apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			a.respondError(w, r, badData(fmt.Sprintf("error parsing form values: %v", err)))
			return
		}
		res := f(r)
		if res.finalize != nil {
			defer res.finalize()
		}
		switch {
		case res.err != nil:
			a.respondError(w, r, res.err)
		case res.data == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			warnings, infos := notes(res.warnings, r.FormValue("query"))
			a.logWriteError(r, Respond(w, res.data, warnings, infos))
		}
	})
}

// respondError writes err, logging a failure to do so.
func (a *API) respondError(w http.ResponseWriter, r *http.Request, err error) {
	a.logWriteError(r, RespondError(w, err))
}

// logWriteError logs err, the failure to write a response, if not nil.
func (a *API) logWriteError(r *http.Request, err error) {
	if err != nil {
		a.logger.Warn("write api response", "url", r.URL.String(), "err", err)
	}
}

// notes renders annotations as sorted warnings and infos (with their
// position in query), at most maxNotes of each plus a count of the rest.
func notes(ws annotations.Annotations, query string) (warnings, infos []string) {
	warnings, infos = ws.AsStrings(query, 0, 0)
	return capNotes(warnings, "warning"), capNotes(infos, "info")
}

// capNotes sorts list and keeps maxNotes of it, then a line counting the
// rest.
func capNotes(list []string, kind string) []string {
	slices.Sort(list)
	if len(list) <= maxNotes {
		return list
	}
	return append(list[:maxNotes], fmt.Sprintf("%d more %s annotations omitted", len(list)-maxNotes, kind))
}
