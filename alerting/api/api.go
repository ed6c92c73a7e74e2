package api

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigilsre/vigil/alerting"
	queryapi "github.com/vigilsre/vigil/query/api"
)

// Source is what the API reads: snapshots of the rule groups and of the
// active alerts. *alerting.Manager implements it. Both methods are called
// from concurrent requests; the API does not modify what they return.
type Source interface {
	// Groups returns every rule group with its rules and their alerts.
	Groups() []alerting.GroupStatus
	// Alerts returns every pending, firing and unknown alert.
	Alerts() []alerting.Alert
}

// Options configure an API. The zero value is usable.
type Options struct {
	// Logger receives failures to write a response. Default: slog.Default().
	Logger *slog.Logger
}

// API serves /api/v1/rules and /api/v1/alerts over a Source. It is safe for
// concurrent use.
type API struct {
	src    Source
	parser parser.Parser // for match[]
	logger *slog.Logger
}

// New returns the API over src.
func New(src Source, opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{src: src, parser: parser.NewParser(parser.Options{}), logger: opts.Logger}
}

// Register mounts GET /api/v1/rules and GET /api/v1/alerts on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/rules", a.wrap(a.rules))
	mux.Handle("GET /api/v1/alerts", a.wrap(a.alerts))
}

// apiFunc is a handler: it decodes the request, reads the Source and returns
// the data of the answer or an error (a *queryapi.Error).
type apiFunc func(r *http.Request) (any, error)

// wrap adapts an apiFunc to http.Handler, writing its answer in the
// envelope of package query/api.
func (a *API) wrap(f apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := f(r)
		if err != nil {
			a.logWriteError(r, queryapi.RespondError(w, err))
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
