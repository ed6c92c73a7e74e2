// Package oncalltest provides a stand-in for PagerDuty's REST API, as
// net/http/httptest provides a stand-in HTTP server: tests of the on-call
// readiness checks read an Account from it instead of from PagerDuty.
//
// It serves exactly what oncall.Reader reads, with the JSON PagerDuty sends:
//
//	GET /escalation_policies?limit&offset   escalation_policies, paged
//	GET /teams?limit&offset                 teams, paged
//	GET /schedules/{id}?since&until&time_zone
//	                                        final_schedule.rendered_schedule_entries
//	GET /users?limit&offset&include[]=notification_rules[&include[]=contact_methods]
//	                                        users, paged
//
// Lists follow PagerDuty's classic paging (limit, offset, more, total with
// total=true), with the limit capped at Server.PageSize. Requests must carry
// `Authorization: Token token=<Server.Token>`; FailNext makes the next
// requests fail as a rate-limited or broken PagerDuty does, FailPath makes
// one object unreadable. Fixture returns
// a realistic account whose violations of the common standards are known.
package oncalltest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the API token a new Server accepts.
const DefaultToken = "y_NbAkKc66ryYTWUXYEu"

// DefaultPageSize is a new Server's PageSize: small, so that paging is
// exercised by any account of a few objects.
const DefaultPageSize = 2

// Server is a running stand-in for PagerDuty's REST API on 127.0.0.1.
//
// Set the exported knobs before the first request; call FailNext and
// Requests at any time.
type Server struct {
	// URL is the base URL of the API, e.g. http://127.0.0.1:41234; pass it
	// as the API URL of the client under test.
	URL string
	// Token is the API token the server accepts. Default: DefaultToken.
	Token string
	// PageSize caps the limit of list requests. Default: DefaultPageSize.
	PageSize int
	// RetryAfter is the ratelimit-reset a 429 from FailNext announces,
	// rounded up to whole seconds. Default: 1s.
	RetryAfter time.Duration

	acct *Account
	srv  *httptest.Server

	mu         sync.Mutex // guards the fields below
	failLeft   int
	failStatus int
	failPaths  map[string]int // path → status
	requests   []Request
}

// Request is one request the server answered.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Status int // the status the server answered
}

// String formats r as `GET /users?include[]=notification_rules&limit=100&offset=0 200`,
// the query decoded and sorted by key.
func (r Request) String() string {
	q, err := url.QueryUnescape(r.Query.Encode())
	if err != nil {
		q = r.Query.Encode()
	}
	if q != "" {
		q = "?" + q
	}
	return fmt.Sprintf("%s %s%s %d", r.Method, r.Path, q, r.Status)
}

// NewServer starts a Server serving acct. Close it when done.
func NewServer(acct *Account) *Server {
	s := &Server{
		Token:      DefaultToken,
		PageSize:   DefaultPageSize,
		RetryAfter: time.Second,
		acct:       acct,
	}
	s.srv = httptest.NewServer(s.handler())
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down; requests after Close fail to connect.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the server answer the next n requests with status, before
// looking at them: 429 with PagerDuty's rate-limit headers (ratelimit-limit,
// ratelimit-remaining, ratelimit-reset), any other status with PagerDuty's
// JSON error body. It replaces an earlier FailNext's remaining failures.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failStatus = n, status
}

// FailPath makes the server answer every authenticated request to path
// (such as "/schedules/PSCPAYM") with status and PagerDuty's JSON error
// body, as PagerDuty answers 403 to an object out of the token's reach or
// 404 to one deleted meanwhile. Status 0 serves path again.
func (s *Server) FailPath(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failPaths == nil {
		s.failPaths = map[string]int{}
	}
	s.failPaths[path] = status
}

// pathFailure returns the status FailPath set for path, if any.
func (s *Server) pathFailure(path string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := s.failPaths[path]
	return status, status != 0
}

// Requests returns the requests answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestLog returns Requests formatted by Request.String, for whole-value
// assertions.
func (s *Server) RequestLog() []string {
	reqs := s.Requests()
	log := make([]string, len(reqs))
	for i, r := range reqs {
		log[i] = r.String()
	}
	return log
}

// handler routes the API and wraps it in failure injection, authentication
// and request recording.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /escalation_policies", s.listPolicies)
	mux.HandleFunc("GET /teams", s.listTeams)
	mux.HandleFunc("GET /schedules/{id}", s.getSchedule)
	mux.HandleFunc("GET /users", s.listUsers)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 2100, "Not Found")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		s.serve(rec, r, mux)
		s.record(r, rec.status)
	})
}

// serve answers r: an injected failure, a 401, a failing path, or the
// API.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, api http.Handler) {
	if status, ok := s.takeFailure(); ok {
		s.writeFailure(w, status)
		return
	}
	if r.Header.Get("Authorization") != "Token token="+s.Token {
		writeError(w, http.StatusUnauthorized, 2006, "Unauthorized")
		return
	}
	if status, ok := s.pathFailure(r.URL.Path); ok {
		s.writeFailure(w, status)
		return
	}
	api.ServeHTTP(w, r)
}

// takeFailure consumes one injected failure, if any is left.
func (s *Server) takeFailure() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failLeft <= 0 {
		return 0, false
	}
	s.failLeft--
	return s.failStatus, true
}

// writeFailure answers as PagerDuty does when it fails with status.
func (s *Server) writeFailure(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests {
		reset := int((s.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("ratelimit-limit", "960")
		w.Header().Set("ratelimit-remaining", "0")
		w.Header().Set("ratelimit-reset", fmt.Sprint(reset))
		writeError(w, status, 2020, "Rate Limit Exceeded")
		return
	}
	writeError(w, status, 2001, http.StatusText(status))
}

func (s *Server) record(r *http.Request, status int) {
	q := r.URL.Query()
	for _, v := range q {
		sort.Strings(v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: q, Status: status})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// includes reports whether the request asks to include what (include[]=what).
func includes(r *http.Request, what string) bool {
	for _, v := range r.URL.Query()["include[]"] {
		if strings.EqualFold(v, what) {
			return true
		}
	}
	return false
}
