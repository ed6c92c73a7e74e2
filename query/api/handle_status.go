package api

import "net/http"

// serveBuildInfo serves /api/v1/status/buildinfo.
func (a *API) serveBuildInfo(*http.Request) result {
	return result{data: a.buildInfo}
}

// metadata serves /api/v1/metadata: Vigil keeps no metric metadata (type,
// help, unit), so the answer is always an empty object. Grafana asks for it
// to annotate its query editor.
func (a *API) metadata(*http.Request) result {
	return result{data: map[string]any{}}
}

// exemplars serves /api/v1/query_exemplars: Vigil keeps no exemplars, so the
// answer is always an empty list. Grafana asks for it when exemplars are on.
func (a *API) exemplars(*http.Request) result {
	return result{data: []string{}}
}
