package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	queryapi "github.com/vigilsre/vigil/query/api"
	"github.com/vigilsre/vigil/sevbridge"
)

// Source is what the API reads and acts on. *sevbridge.Bridge implements
// it. Its methods are called from concurrent requests; the API does not
// modify what they return.
type Source interface {
	// List returns every SEV.
	List() ([]*sevbridge.SEV, error)
	// Get returns the SEV with the id, or an error wrapping
	// sevbridge.ErrSEVNotFound.
	Get(id string) (*sevbridge.SEV, error)
	// Declare files a SEV by hand and returns it.
	Declare(ctx context.Context, actor string, t sevbridge.Type, level sevbridge.Level, title string, routes []string) (*sevbridge.SEV, error)
	// Act applies a human action to the SEV id and returns it after.
	Act(ctx context.Context, actor, id, action string, level sevbridge.Level) (*sevbridge.SEV, error)
	// Ledger returns the SLA ledger of the month that starts at month.
	Ledger(month time.Time) (sevbridge.LedgerReport, error)
}

// Options configure an API. The zero value is usable.
type Options struct {
	// Logger receives failures to write a response. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock that picks the default month of /api/v1/sla.
	// Default: time.Now.
	Now func() time.Time
}

// API serves the SEVs and the SLA ledger of a Source. It is safe for
// concurrent use.
type API struct {
	src    Source
	logger *slog.Logger
	now    func() time.Time
}

// New returns the API over src.
func New(src Source, opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &API{src: src, logger: opts.Logger, now: opts.Now}
}

// Register mounts the endpoints of the package doc on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/sevs", a.wrap(a.list))
	mux.Handle("GET /api/v1/sevs/{id}", a.wrap(a.get))
	mux.Handle("POST /api/v1/sevs", a.wrap(a.declare))
	mux.Handle("POST /api/v1/sevs/{id}/{action}", a.wrap(a.act))
	mux.Handle("GET /api/v1/sla", a.wrap(a.sla))
}

// apiFunc is a handler: it decodes the request, asks the Source and returns
// the data of the answer or an error (a *queryapi.Error, or one the Source
// returned).
type apiFunc func(r *http.Request) (any, error)

// wrap adapts an apiFunc to http.Handler, writing its answer in the
// envelope of package query/api.
func (a *API) wrap(f apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := f(r)
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			a.logWriteError(r, respondTooLarge(w, mbe.Limit))
			return
		}
		if err != nil {
			a.logWriteError(r, queryapi.RespondError(w, classify(err)))
			return
		}
		a.logWriteError(r, queryapi.Respond(w, data, nil, nil))
	})
}

// logWriteError logs err, the failure to write a response, if not nil.
func (a *API) logWriteError(r *http.Request, err error) {
	if err != nil {
		a.logger.Warn("write api response", "url", r.URL.String(), "err", err)
	}
}
