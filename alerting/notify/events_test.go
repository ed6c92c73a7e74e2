package notify

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// quietOpts are SenderOptions with a fresh registry and a discarded log.
func quietOpts() (SenderOptions, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	return SenderOptions{Registerer: reg, Logger: slog.New(slog.DiscardHandler)}, reg
}

// fastSender is a PagerDutySender to url with millisecond backoff.
func fastSender(url string, opts SenderOptions) *PagerDutySender {
	s := NewPagerDutySender(url, opts)
	s.d.retry.base, s.d.retry.max = time.Millisecond, 4*time.Millisecond
	return s
}

// counter reads one child of a metric vector.
func counter(t *testing.T, vec interface {
	WithLabelValues(...string) prometheus.Counter
}, lvs ...string) float64 {
	t.Helper()
	return testutil.ToFloat64(vec.WithLabelValues(lvs...))
}

func TestPagerDutySenderTriggerBody(t *testing.T) {
	st := newStub(t)
	opts, _ := quietOpts()
	s := NewPagerDutySender(st.srv.URL, opts)
	err := s.Trigger(t.Context(), "rk-imoc", "SEV-1-imoc", "critical", "SEV-1: Availability of /login at 85.0%", "vigil-eu",
		map[string]any{"sev": "SEV-1", "level": 1}, []Link{{Href: "http://vigil.test/sevs/SEV-1", Text: "SEV-1"}})
	require.NoError(t, err)
	reqs := st.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, stubRequest{method: "POST", path: "/v2/enqueue", contentType: "application/json", body: reqs[0].body}, reqs[0])
	require.Equal(t, normJSON(t, `{"routing_key":"rk-imoc","event_action":"trigger","dedup_key":"SEV-1-imoc",
		"links":[{"href":"http://vigil.test/sevs/SEV-1","text":"SEV-1"}],
		"payload":{"summary":"SEV-1: Availability of /login at 85.0%","source":"vigil-eu","severity":"critical",
		"custom_details":{"level":1,"sev":"SEV-1"}}}`), normJSON(t, reqs[0].body))
	require.Equal(t, 1.0, counter(t, s.d.metrics.sent, DefaultPagerDutyReceiver, "trigger"))
}

func TestPagerDutySenderTriggerDefaults(t *testing.T) {
	st := newStub(t)
	opts, _ := quietOpts()
	s := NewPagerDutySender(st.srv.URL+"/", opts)
	long := strings.Repeat("x", 1030)
	require.NoError(t, s.Trigger(t.Context(), "rk", "SEV-2-tloc", "Warning", long, "", nil, nil))
	require.Equal(t, normJSON(t, `{"routing_key":"rk","event_action":"trigger","dedup_key":"SEV-2-tloc",
		"payload":{"summary":"`+strings.Repeat("x", 1024)+`","source":"vigil","severity":"warning"}}`), normJSON(t, st.bodies()...))
}

func TestPagerDutySenderResolveBody(t *testing.T) {
	st := newStub(t)
	opts, _ := quietOpts()
	s := NewPagerDutySender(st.srv.URL, opts)
	require.NoError(t, s.Resolve(t.Context(), "rk-imoc", "SEV-1-imoc"))
	require.Equal(t, []string{`{"dedup_key":"SEV-1-imoc","event_action":"resolve","routing_key":"rk-imoc"}`}, normJSON(t, st.bodies()...))
	require.Equal(t, 1.0, counter(t, s.d.metrics.sent, DefaultPagerDutyReceiver, "resolve"))
}

func TestPagerDutySenderRetries500(t *testing.T) {
	st := newStub(t, http.StatusInternalServerError)
	opts, _ := quietOpts()
	s := fastSender(st.srv.URL, opts)
	require.NoError(t, s.Resolve(t.Context(), "rk", "SEV-1-imoc"))
	bodies := st.bodies()
	require.Len(t, bodies, 2)
	require.Equal(t, bodies[0], bodies[1], "the same event is sent again")
	require.Equal(t, 1.0, counter(t, s.d.attempts, attemptServer))
	require.Equal(t, 1.0, counter(t, s.d.metrics.sent, DefaultPagerDutyReceiver, "resolve"))
}

func TestPagerDutySenderRejects400AtOnce(t *testing.T) {
	st := newStub(t, http.StatusBadRequest)
	opts, _ := quietOpts()
	s := fastSender(st.srv.URL, opts)
	err := s.Trigger(t.Context(), "bad", "SEV-1-imoc", "critical", "s", "src", nil, nil)
	require.EqualError(t, err, `notify: pagerduty trigger SEV-1-imoc: rejected: HTTP status 400: `+
		`{"status":"invalid event","message":"Event object is invalid","errors":["'routing_key' is invalid"]}`)
	var se *sendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusBadRequest, se.status)
	require.Len(t, st.requests(), 1)
	require.Equal(t, 1.0, counter(t, s.d.metrics.failed, DefaultPagerDutyReceiver, reasonRejected))
	require.Equal(t, 1.0, counter(t, s.d.attempts, attemptClient))
}

func TestPostJSONBody(t *testing.T) {
	st := newStub(t)
	opts, reg := quietOpts()
	body := map[string]any{"text": "SEV-1 filed", "channel": "#sev-1"}
	require.NoError(t, PostJSON(t.Context(), st.srv.URL+"/hook", body, opts))
	reqs := st.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, stubRequest{"POST", "/hook", "application/json", `{"channel":"#sev-1","text":"SEV-1 filed"}`}, reqs[0])
	require.Equal(t, 1.0, counter(t, newMetrics(reg).sent, DefaultPostReceiver, "post"))
}

func TestPostJSONRetriesThenSucceeds(t *testing.T) {
	st := newStub(t, http.StatusServiceUnavailable)
	opts, reg := quietOpts()
	opts.Receiver = "sev-webhook"
	require.NoError(t, PostJSON(t.Context(), st.srv.URL, []int{1, 2}, opts))
	require.Equal(t, []string{"[1,2]", "[1,2]"}, st.bodies())
	m := newMetrics(reg)
	require.Equal(t, 1.0, counter(t, m.attempts, "sev-webhook", attemptServer))
	require.Equal(t, 1.0, counter(t, m.sent, "sev-webhook", "post"))
}

func TestPostJSONRejects404AtOnce(t *testing.T) {
	st := newStub(t, http.StatusNotFound)
	opts, _ := quietOpts()
	err := PostJSON(t.Context(), st.srv.URL, "x", opts)
	require.ErrorContains(t, err, "rejected: HTTP status 404: {\"status\":\"invalid event\"")
	require.Len(t, st.requests(), 1)
}

func TestPostJSONUnencodableIsRejected(t *testing.T) {
	opts, _ := quietOpts()
	err := PostJSON(t.Context(), "http://127.0.0.1:1", func() {}, opts)
	require.ErrorContains(t, err, "notify: post to http://127.0.0.1:1: rejected: encode notification: json: unsupported type")
}

// fakeTransport answers every request with status (and "busy" as body),
// without a network, so that synctest can run retries; it counts requests.
type fakeTransport struct {
	status int
	mu     sync.Mutex
	n      int
}

func (f *fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: f.status, Status: http.StatusText(f.status), Header: http.Header{},
		Body: io.NopCloser(strings.NewReader("busy")), Request: req}, nil
}

func (f *fakeTransport) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func TestPagerDutySenderBackoffUntilGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{status: http.StatusServiceUnavailable}
		opts, _ := quietOpts()
		opts.GiveUpAfter, opts.HTTPClient = 10*time.Second, &http.Client{Transport: ft}
		s := NewPagerDutySender("http://pd.test", opts)
		s.d.retry.jitter = func() float64 { return 1 }
		start := time.Now()
		err := s.Trigger(t.Context(), "rk", "SEV-1-imoc", "critical", "s", "", nil, nil)
		// Attempts at 0, 0.5, 1.5, 3.5 and 7.5 s; the next wait (8 s) passes the deadline.
		require.Equal(t, 10*time.Second, time.Since(start))
		require.Equal(t, 5, ft.requests())
		require.EqualError(t, err, "notify: pagerduty trigger SEV-1-imoc: gave up after 5 attempts in 10s: HTTP status 503: busy")
		require.Equal(t, 5.0, counter(t, s.d.attempts, attemptServer))
		require.Equal(t, 1.0, counter(t, s.d.metrics.failed, DefaultPagerDutyReceiver, reasonGaveUp))
	})
}

func TestPagerDutySenderCancelStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{status: http.StatusTooManyRequests}
		opts, _ := quietOpts()
		opts.HTTPClient = &http.Client{Transport: ft}
		s := NewPagerDutySender("http://pd.test", opts)
		s.d.retry.jitter = func() float64 { return 1 }
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(2*time.Second, cancel)
		start := time.Now()
		err := s.Resolve(ctx, "rk", "SEV-1-imoc")
		require.Equal(t, 2*time.Second, time.Since(start), "returns when canceled, mid-backoff")
		require.Equal(t, 3, ft.requests(), "attempts at 0, 0.5 and 1.5 s")
		require.ErrorIs(t, err, context.Canceled)
		require.EqualError(t, err, "notify: pagerduty resolve SEV-1-imoc: canceled after 3 attempts: context canceled (last attempt: HTTP status 429: busy)")
		require.Equal(t, 1.0, counter(t, s.d.metrics.failed, DefaultPagerDutyReceiver, reasonCanceled))
	})
}

func TestPostJSONCancelStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ft := &fakeTransport{status: http.StatusBadGateway}
		opts, _ := quietOpts()
		opts.HTTPClient = &http.Client{Transport: ft}
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(5*time.Second, cancel)
		start := time.Now()
		err := PostJSON(ctx, "http://hook.test", "x", opts)
		require.Equal(t, 5*time.Second, time.Since(start))
		require.ErrorIs(t, err, context.Canceled)
		n := ft.requests()
		require.GreaterOrEqual(t, n, 4, "waits of at most 0.5+1+2 s come first")
		synctest.Wait()
		time.Sleep(time.Minute)
		require.Equal(t, n, ft.requests(), "no attempt after the cancel")
	})
}

func TestSendersShareRegisteredMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := Config{PagerDuty: &PagerDutyConfig{RoutingKey: "k"}}
	_, err := New(Options{Config: cfg, Registerer: reg})
	require.NoError(t, err)
	a := NewPagerDutySender("", SenderOptions{Registerer: reg, Receiver: "a"})
	b := NewPagerDutySender("", SenderOptions{Registerer: reg, Receiver: "b"})
	require.Same(t, a.d.metrics.sent, b.d.metrics.sent)
	_, err = New(Options{Config: cfg, Registerer: reg})
	require.NoError(t, err, "a second Notifier on the registry does not panic")
	// network, 429, 5xx and 4xx for each of pagerduty, a and b.
	require.Equal(t, 12, testutil.CollectAndCount(reg, "vigil_notification_attempts_failed_total"))
}
