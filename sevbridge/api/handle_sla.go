package api

import (
	"net/http"
	"time"
)

// monthLayout is the layout of the month parameter: 2026-11.
const monthLayout = "2006-01"

// sla serves GET /api/v1/sla?month=YYYY-MM: the ledger of the month, in
// UTC; the current month by default.
func (a *API) sla(r *http.Request) (any, error) {
	month, err := a.month(r.URL.Query().Get("month"))
	if err != nil {
		return nil, err
	}
	return a.src.Ledger(month)
}

// month parses the month parameter into the first instant of the month.
func (a *API) month(s string) (time.Time, error) {
	if s == "" {
		now := a.now().UTC()
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(monthLayout, s)
	if err != nil {
		return time.Time{}, invalidParam("month", "want YYYY-MM, such as 2026-11, got %q", s)
	}
	return t, nil
}
