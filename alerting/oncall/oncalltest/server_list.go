package oncalltest

import (
	"net/http"
	"strconv"
)

// PagerDuty's default and largest page sizes.
const (
	defaultLimit = 25
	maxLimit     = 100
)

// page is the window of a list request: PagerDuty's classic paging.
type page struct {
	limit, offset int
	total         bool // the client asked for the total (total=true)
}

// parsePage reads limit, offset and total from r, the limit capped at the
// server's PageSize; it answers 400 itself when they are not numbers.
func (s *Server) parsePage(w http.ResponseWriter, r *http.Request) (page, bool) {
	p := page{limit: defaultLimit, total: r.URL.Query().Get("total") == "true"}
	var err error
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		if p.limit, err = strconv.Atoi(v); err != nil || p.limit < 1 {
			writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Limit must be a positive integer.")
			return page{}, false
		}
	}
	if v := q.Get("offset"); v != "" {
		if p.offset, err = strconv.Atoi(v); err != nil || p.offset < 0 {
			writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Offset must be a non-negative integer.")
			return page{}, false
		}
	}
	p.limit = min(p.limit, maxLimit, max(s.PageSize, 1))
	return p, true
}

// bounds returns the slice [lo, hi) of a list of n items on this page, and
// whether more items follow.
func (p page) bounds(n int) (lo, hi int, more bool) {
	lo = min(p.offset, n)
	hi = min(p.offset+p.limit, n)
	return lo, hi, hi < n
}

// listBody is the paging part of a list response; Total is null unless
// the client asked for it, as PagerDuty does.
type listBody struct {
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
	More   bool `json:"more"`
	Total  *int `json:"total"`
}

func (p page) body(n int) listBody {
	_, _, more := p.bounds(n)
	b := listBody{Limit: p.limit, Offset: p.offset, More: more}
	if p.total {
		b.Total = &n
	}
	return b
}

// listTeams serves GET /teams.
func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) {
	p, ok := s.parsePage(w, r)
	if !ok {
		return
	}
	lo, hi, _ := p.bounds(len(s.acct.Teams))
	teams := []teamJSON{}
	for _, t := range s.acct.Teams[lo:hi] {
		teams = append(teams, teamJSON{object: s.object("teams", "team", t.ID, t.Name, true), Name: t.Name})
	}
	writeJSON(w, http.StatusOK, struct {
		Teams []teamJSON `json:"teams"`
		listBody
	}{teams, p.body(len(s.acct.Teams))})
}

// teamJSON is a team as GET /teams lists it.
type teamJSON struct {
	object
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Parent      *object `json:"parent"`
}
