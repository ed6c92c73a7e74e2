package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pagerDuty stands in for PagerDuty's Events API v2 on 127.0.0.1: it records
// the body of every POST /v2/enqueue and answers 202 as PagerDuty does, or
// the next status of its script. It can begin down (its port reserved but
// refusing connections) and start serving later on the same address. Safe
// for concurrent use; start and stop are for the test goroutine.
type pagerDuty struct {
	t    testing.TB
	addr string // host:port, fixed for the life of the stand-in
	fd   int    // the reserved socket until start; -1 after

	mu       sync.Mutex
	script   []int // statuses to answer next, in order; then 202
	requests []pdRequest
	srv      *httptest.Server // nil while stopped
}

// pdRequest is one request the stand-in received.
type pdRequest struct {
	At          time.Time
	Method      string
	Path        string
	ContentType string
	Body        []byte
	Event       pdEvent // decoded Body
	DecodeErr   error
	Status      int // what the stand-in answered
}

// pdEvent is an Events API v2 event (developer.pagerduty.com, "Send an
// Alert Event").
type pdEvent struct {
	RoutingKey string     `json:"routing_key"`
	Action     string     `json:"event_action"`
	DedupKey   string     `json:"dedup_key"`
	Client     string     `json:"client"`
	ClientURL  string     `json:"client_url"`
	Links      []pdLink   `json:"links"`
	Payload    *pdPayload `json:"payload"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

type pdPayload struct {
	Summary   string         `json:"summary"`
	Source    string         `json:"source"`
	Severity  string         `json:"severity"`
	Timestamp string         `json:"timestamp"`
	Component string         `json:"component"`
	Group     string         `json:"group"`
	Class     string         `json:"class"`
	Details   map[string]any `json:"custom_details"`
}

// newPagerDuty starts a stand-in on a fresh port. It answers the statuses of
// script in order, then 202 to everything. It is stopped when the test ends.
func newPagerDuty(t testing.TB, script ...int) *pagerDuty {
	pd := newPagerDutyDown(t, script...)
	pd.start()
	return pd
}

// newPagerDutyDown reserves a port for a stand-in without serving on it:
// connections are refused until start. The port is held by a bound socket
// that does not listen yet, so no other test can take it meanwhile.
func newPagerDutyDown(t testing.TB, script ...int) *pagerDuty {
	t.Helper()
	fd, addr, err := reservePort()
	if err != nil {
		t.Fatal(err)
	}
	pd := &pagerDuty{t: t, addr: addr, fd: fd, script: script}
	t.Cleanup(pd.stop)
	return pd
}

// url is the base URL to configure as notify.pagerduty.events_url.
func (pd *pagerDuty) url() string { return "http://" + pd.addr }

// start serves on the stand-in's reserved address.
func (pd *pagerDuty) start() {
	pd.t.Helper()
	ln, err := listenReserved(pd.fd)
	if err != nil {
		pd.t.Fatalf("pagerduty stand-in: listen on %s: %v", pd.addr, err)
	}
	pd.fd = -1
	srv := httptest.NewUnstartedServer(http.HandlerFunc(pd.serve))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	pd.mu.Lock()
	pd.srv = srv
	pd.mu.Unlock()
}

// reservePort binds a TCP socket to a free port of 127.0.0.1 without
// listening on it: the kernel refuses connections to the port, and keeps
// it ours, until listenReserved.
func reservePort() (fd int, addr string, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, "", fmt.Errorf("reserve a port: socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return -1, "", fmt.Errorf("reserve a port: bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return -1, "", fmt.Errorf("reserve a port: getsockname: %w", err)
	}
	return fd, fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port), nil
}

// listenReserved starts listening on a socket from reservePort and hands it
// to the net package, which takes it over.
func listenReserved(fd int) (net.Listener, error) {
	if err := syscall.Listen(fd, syscall.SOMAXCONN); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("listen: %w", err)
	}
	f := os.NewFile(uintptr(fd), "pagerduty")
	defer f.Close() // FileListener works on a duplicate
	return net.FileListener(f)
}

// stop closes the listener and every connection, or the reserved socket of
// a stand-in that never started.
func (pd *pagerDuty) stop() {
	pd.mu.Lock()
	srv := pd.srv
	pd.srv = nil
	pd.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
	if pd.fd >= 0 {
		syscall.Close(pd.fd)
		pd.fd = -1
	}
}

func (pd *pagerDuty) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	req := pdRequest{At: time.Now(), Method: r.Method, Path: r.URL.Path,
		ContentType: r.Header.Get("Content-Type"), Body: body, DecodeErr: err}
	if err == nil {
		req.DecodeErr = json.Unmarshal(body, &req.Event)
	}
	req.Status = pd.record(&req)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(req.Status)
	fmt.Fprint(w, pdAnswer(req.Status, req.Event.DedupKey))
}

// record appends req and returns the status to answer: 404 off the
// endpoint, 400 for a body that is not JSON, else the script's next status
// or 202.
func (pd *pagerDuty) record(req *pdRequest) int {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	status := http.StatusAccepted
	switch {
	case req.Method != http.MethodPost || req.Path != "/v2/enqueue":
		status = http.StatusNotFound
	case req.DecodeErr != nil:
		status = http.StatusBadRequest
	case len(pd.script) > 0:
		status, pd.script = pd.script[0], pd.script[1:]
	}
	req.Status = status
	pd.requests = append(pd.requests, *req)
	return status
}

// pdAnswer is the body PagerDuty answers with for status.
func pdAnswer(status int, dedupKey string) string {
	switch {
	case status == http.StatusAccepted:
		return fmt.Sprintf(`{"status":"success","message":"Event processed","dedup_key":%q}`, dedupKey)
	case status == http.StatusBadRequest:
		return `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}`
	case status == http.StatusTooManyRequests:
		return `{"status":"throttle exceeded","message":"Requests for this service are arriving too quickly.  Please retry later."}`
	}
	return `{"status":"error","message":"internal server error"}`
}

// received returns a copy of every request so far.
func (pd *pagerDuty) received() []pdRequest {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	return append([]pdRequest(nil), pd.requests...)
}

// count returns how many requests arrived.
func (pd *pagerDuty) count() int {
	pd.mu.Lock()
	defer pd.mu.Unlock()
	return len(pd.requests)
}

// describe lists the requests received, for failure messages.
func (pd *pagerDuty) describe() string {
	var b strings.Builder
	for i, r := range pd.received() {
		fmt.Fprintf(&b, "\n  %d. %s %s %s → %d: %s", i+1, r.At.Format("15:04:05.000"), r.Method, r.Path, r.Status, r.Body)
	}
	if b.Len() == 0 {
		return " (none)"
	}
	return b.String()
}
