package api

import "net/http"

// alerts serves /api/v1/alerts: the Source's active alerts in its order. It
// takes no parameters, as in Prometheus.
func (a *API) alerts(*http.Request) (any, error) {
	return &AlertDiscovery{Alerts: alertsOf(a.src.Alerts())}, nil
}
