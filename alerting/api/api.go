package api

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
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

// Deps is what the dependency endpoints read besides the Source's alerts:
// the dependency graph, the service weights and the decisions over them.
// *alerting.Manager implements it. Its methods are called from concurrent
// requests; the API does not modify what they return.
type Deps interface {
	// Graph returns the current dependency graph; nil before the first load.
	Graph() *depgraph.Graph
	// Weights returns each service's weight; nil when weights are not
	// configured.
	Weights() map[string]float64
	// CriticalThreshold returns the weight from which a service is on the
	// critical path.
	CriticalThreshold() float64
	// Explain decides whether the instance of alert with labels ls (which
	// include alertname) is suppressed by the alerts firing now.
	Explain(alert string, ls labels.Labels) depgraph.Decision
}

// Options configure an API. The zero value is usable.
type Options struct {
	// Logger receives failures to write a response. Default: slog.Default().
	Logger *slog.Logger
	// Deps serves /api/v1/deps and /api/v1/deps/explain. Default: nil, and
	// those endpoints are not mounted.
	Deps Deps
}

// API serves /api/v1/rules and /api/v1/alerts over a Source, and the
// dependency endpoints over Options.Deps. It is safe for concurrent use.
type API struct {
	src    Source
	deps   Deps          // nil: no dependency endpoints
	parser parser.Parser // for match[] and labels
	logger *slog.Logger
}

// New returns the API over src.
func New(src Source, opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{src: src, deps: opts.Deps, parser: parser.NewParser(parser.Options{}), logger: opts.Logger}
}

// Register mounts GET /api/v1/rules and GET /api/v1/alerts on mux, and
// GET /api/v1/deps and GET /api/v1/deps/explain when Options.Deps is set.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/rules", a.wrap(a.rules))
	mux.Handle("GET /api/v1/alerts", a.wrap(a.alerts))
	if a.deps != nil {
		mux.Handle("GET /api/v1/deps", a.wrap(a.depsGraph))
		mux.Handle("GET /api/v1/deps/explain", a.wrap(a.explain))
	}
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
