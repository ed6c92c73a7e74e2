package oncall

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/oncall/oncalltest"
)

// fxNow is the reading time of the tests: its fraction is truncated.
var fxNow = time.Date(2026, 11, 25, 10, 30, 15, 250e6, time.UTC)

// readSleeps records the waits of a Reader instead of waiting.
type readSleeps []time.Duration

func (s *readSleeps) sleep(ctx context.Context, d time.Duration) error {
	*s = append(*s, d)
	return ctx.Err()
}

// newFxReader returns a Reader of srv with a fixed clock and recorded
// readSleeps; edit applies test-specific options.
func newFxReader(t *testing.T, url string, edit func(*ReaderOptions)) (*Reader, *readSleeps) {
	t.Helper()
	var s readSleeps
	o := ReaderOptions{
		APIURL:  url,
		Token:   oncalltest.DefaultToken,
		Timeout: 5 * time.Second,
		Now:     func() time.Time { return fxNow },
		Sleep:   s.sleep,
	}
	if edit != nil {
		edit(&o)
	}
	r, err := NewReader(o)
	require.NoError(t, err)
	return r, &s
}

func TestReadFixture(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	r, slept := newFxReader(t, srv.URL, nil)
	snap, err := r.Read(context.Background(), 336*time.Hour)
	require.NoError(t, err)
	require.Equal(t, fxSnapshot(), snap)
	require.Empty(t, *slept)
	require.Equal(t, fxRequests, srv.RequestLog())
}

// fxRequests are the requests of a Read of the fixture over 336h fxAt
// fxNow: 4 pages each of policies, teams and users, and the 5 schedules.
var fxRequests = []string{
	"GET /escalation_policies?limit=100 200",
	"GET /escalation_policies?limit=100&offset=2 200",
	"GET /escalation_policies?limit=100&offset=4 200",
	"GET /escalation_policies?limit=100&offset=6 200",
	"GET /teams?limit=100 200",
	"GET /teams?limit=100&offset=2 200",
	"GET /teams?limit=100&offset=4 200",
	"GET /teams?limit=100&offset=6 200",
	"GET /schedules/PSCDATA?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 200",
	"GET /schedules/PSCTOOL?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 200",
	"GET /schedules/PSCPAYM?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 200",
	"GET /schedules/PSCSTOR?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 200",
	"GET /schedules/PSCWEB1?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 200",
	"GET /users?include[]=notification_rules&limit=100 200",
	"GET /users?include[]=notification_rules&limit=100&offset=2 200",
	"GET /users?include[]=notification_rules&limit=100&offset=4 200",
	"GET /users?include[]=notification_rules&limit=100&offset=6 200",
}

func TestReadWindowZeroRendersDefaultWindow(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	r, _ := newFxReader(t, srv.URL, nil)
	snap, err := r.Read(context.Background(), 0)
	require.NoError(t, err)
	require.Equal(t, fxSnapshot(), snap)
}

func TestReadWaitsAsRateLimitSays(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.RetryAfter = 7 * time.Second
	srv.FailNext(2, http.StatusTooManyRequests)
	r, slept := newFxReader(t, srv.URL, nil)
	snap, err := r.Read(context.Background(), 336*time.Hour)
	require.NoError(t, err)
	require.Equal(t, fxSnapshot(), snap)
	require.Equal(t, readSleeps{7 * time.Second, 7 * time.Second}, *slept)
	want := append([]string{"GET /escalation_policies?limit=100 429", "GET /escalation_policies?limit=100 429"}, fxRequests...)
	require.Equal(t, want, srv.RequestLog())
}

func TestReadGivesUpAfterRetries(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.FailNext(100, http.StatusInternalServerError)
	r, slept := newFxReader(t, srv.URL, nil)
	_, err := r.Read(context.Background(), 336*time.Hour)
	require.ErrorIs(t, err, ErrUnavailable)
	require.EqualError(t, err, "read PagerDuty escalation policies: PagerDuty is unavailable: GET "+srv.URL+
		"/escalation_policies?limit=100 answered 500 Internal Server Error (5 attempts)")
	require.Equal(t, readSleeps{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, *slept)
	require.Len(t, srv.Requests(), 5)
}

func TestReadRetriesAsConfigured(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.FailNext(2, http.StatusBadGateway) // one retry is not enough
	r, slept := newFxReader(t, srv.URL, func(o *ReaderOptions) { o.Retries = 1 })
	_, err := r.Read(context.Background(), time.Hour)
	require.ErrorIs(t, err, ErrUnavailable)
	require.EqualError(t, err, "read PagerDuty escalation policies: PagerDuty is unavailable: GET "+srv.URL+
		"/escalation_policies?limit=100 answered 502 Bad Gateway (2 attempts)")
	require.Equal(t, readSleeps{time.Second}, *slept)
}

func TestReadWithoutRetries(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.FailNext(1, http.StatusTooManyRequests)
	r, slept := newFxReader(t, srv.URL, func(o *ReaderOptions) { o.Retries = -1 })
	_, err := r.Read(context.Background(), time.Hour)
	require.EqualError(t, err, "read PagerDuty escalation policies: PagerDuty is unavailable: GET "+srv.URL+
		"/escalation_policies?limit=100 answered 429 Too Many Requests (1 attempt)")
	require.Empty(t, *slept)
}

func TestReadUnauthorized(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.Token = "another-token"
	r, slept := newFxReader(t, srv.URL, nil)
	_, err := r.Read(context.Background(), 336*time.Hour)
	require.ErrorIs(t, err, ErrUnauthorized)
	require.EqualError(t, err, "PagerDuty rejected the API token (401 Unauthorized): use a valid read-only REST API token")
	require.Empty(t, *slept)
	require.Equal(t, []string{"GET /escalation_policies?limit=100 401"}, srv.RequestLog())
}

func TestReadForbidden(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.FailNext(1, http.StatusForbidden)
	r, _ := newFxReader(t, srv.URL, nil)
	_, err := r.Read(context.Background(), 336*time.Hour)
	require.ErrorIs(t, err, ErrUnauthorized)
	require.EqualError(t, err, "PagerDuty rejected the API token (403 Forbidden): use a valid read-only REST API token")
}

// refusedTransport answers every request as a host where nothing listens
// does, without dialling: no other process can take its port.
var refusedTransport = readRoundTrip(func(req *http.Request) (*http.Response, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
})

func TestReadServerDown(t *testing.T) {
	const url = "http://127.0.0.1:9"
	r, slept := newFxReader(t, url, func(o *ReaderOptions) { o.HTTPClient = &http.Client{Transport: refusedTransport} })
	_, err := r.Read(context.Background(), 336*time.Hour)
	require.ErrorIs(t, err, ErrUnavailable)
	require.EqualError(t, err, "read PagerDuty escalation policies: PagerDuty is unavailable: GET "+url+
		"/escalation_policies?limit=100: dial tcp 127.0.0.1:9: connect: connection refused (1 attempt)")
	require.Empty(t, *slept, "a refused connection is not retried")
}

// TestReadLeavesOutUnreadableSchedules: a schedule PagerDuty answers 403
// or 404 for is missing from the snapshot, and Check says it could not be
// read; the rest of the account is read as usual.
func TestReadLeavesOutUnreadableSchedules(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.FailPath("/schedules/PSCPAYM", http.StatusForbidden)
	srv.FailPath("/schedules/PSCDATA", http.StatusNotFound)
	r, _ := newFxReader(t, srv.URL, nil)
	snap, err := r.Read(context.Background(), 336*time.Hour)
	require.NoError(t, err)
	want := fxSnapshot()
	delete(want.Schedules, "PSCPAYM")
	delete(want.Schedules, "PSCDATA")
	require.Equal(t, want, snap)
	log := srv.RequestLog()
	require.Equal(t, "GET /schedules/PSCDATA?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 404", log[8])
	require.Equal(t, "GET /schedules/PSCPAYM?since=2026-11-25T10:30:15Z&time_zone=UTC&until=2026-12-09T10:30:15Z 403", log[10])
	rep := Check(snap, []Standard{{Name: "full", ScheduleCoverage: 1}})
	v := func(id, policy, team, schedule string) Violation {
		return Violation{PolicyID: id, Policy: policy, Team: team, Standard: "full", Check: CheckCoverage,
			Detail: `Schedule "` + schedule + `" could not be read, so its coverage is unknown`}
	}
	require.Equal(t, Report{Checked: 7, Violations: []Violation{
		v("PEPDATA", "Data pipeline", "Data", "Data primary"),
		v("PEPPAYM", "Payments", "Payments", "Payments primary"),
	}}, rep)
}

// TestReadForbiddenNamesTheResource: a 403 after the escalation policies
// were listed is not the token being rejected: it names what the token
// cannot read.
func TestReadForbiddenNamesTheResource(t *testing.T) {
	for _, path := range []string{"/teams", "/users"} {
		srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
		defer srv.Close()
		srv.FailPath(path, http.StatusForbidden)
		r, _ := newFxReader(t, srv.URL, nil)
		_, err := r.Read(context.Background(), 336*time.Hour)
		require.NotErrorIs(t, err, ErrUnauthorized)
		require.EqualError(t, err, "PagerDuty refused GET "+path+" (403 Forbidden): the token cannot read it")
	}
}

// TestReadLeavesOutUsersMissingFromTheList: a user a policy targets but
// the user list lacks is missing from the snapshot, not given empty rules,
// and Check says their rules could not be read.
func TestReadLeavesOutUsersMissingFromTheList(t *testing.T) {
	acct := oncalltest.Fixture(fxNow)
	acct.Users = slices.DeleteFunc(acct.Users, func(u oncalltest.User) bool { return u.ID == "PUJBERG" })
	srv := oncalltest.NewServer(acct)
	defer srv.Close()
	r, _ := newFxReader(t, srv.URL, nil)
	snap, err := r.Read(context.Background(), 336*time.Hour)
	require.NoError(t, err)
	want := fxSnapshot()
	delete(want.Users, "PUJBERG")
	for i := range want.Policies[2].Rules[0].Targets { // Legacy batch names Jonas by the stand-in's empty summary
		want.Policies[2].Rules[0].Targets[i].Name = ""
	}
	require.Equal(t, want, snap)
	rep := Check(snap, []Standard{{Name: "reach", Policies: []string{"Legacy batch"}, Notify: &NotifyStandard{RequireAny: []string{ContactPush}}}})
	require.Equal(t, Report{Checked: 1, Violations: []Violation{{PolicyID: "PEPLEGA", Policy: "Legacy batch", Standard: "reach",
		Check: CheckNotification, Detail: "User PUJBERG: no notification rules could be read"}}}, rep)
}

func TestReadTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	hang := &http.Client{Transport: readRoundTrip(func(req *http.Request) (*http.Response, error) {
		select { // a PagerDuty that never answers, until the client gives up
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-release:
			return nil, errors.New("released")
		}
	})}
	defer close(release)
	r, slept := newFxReader(t, srv.URL, func(o *ReaderOptions) {
		o.HTTPClient, o.Timeout, o.Retries = hang, 20*time.Millisecond, 1
	})
	_, err := r.Read(context.Background(), time.Hour)
	require.ErrorIs(t, err, ErrUnavailable)
	// net/http adds "(Client.Timeout exceeded ...)" or not, depending on
	// which of its goroutines sees the deadline first.
	require.Regexp(t, "^read PagerDuty escalation policies: PagerDuty is unavailable: GET "+regexp.QuoteMeta(srv.URL)+
		`/escalation_policies\?limit=100: no answer within 20ms: context deadline exceeded( \(Client\.Timeout exceeded while awaiting headers\))? \(2 attempts\)$`, err.Error())
	require.Equal(t, readSleeps{time.Second}, *slept)
}

type readRoundTrip func(*http.Request) (*http.Response, error)

func (f readRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestReadNoToken(t *testing.T) {
	for _, token := range []string{"", "  "} {
		r, err := NewReader(ReaderOptions{APIURL: "http://127.0.0.1:1", Token: token})
		require.Nil(t, r)
		require.ErrorIs(t, err, ErrNoToken)
		require.EqualError(t, err, "no PagerDuty API token: set a read-only PagerDuty REST API token")
	}
}

func TestReaderBadURL(t *testing.T) {
	_, err := NewReader(ReaderOptions{APIURL: "api.pagerduty.com", Token: "t"})
	require.EqualError(t, err, `PagerDuty API URL "api.pagerduty.com": want an http or https URL such as https://api.pagerduty.com`)
}

func TestReadCancelStopsRetries(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.FailNext(100, http.StatusServiceUnavailable)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, _ := newFxReader(t, srv.URL, func(o *ReaderOptions) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}
	})
	_, err := r.Read(ctx, time.Hour)
	require.ErrorIs(t, err, context.Canceled)
	require.EqualError(t, err, "read PagerDuty escalation policies: context canceled")
	require.Len(t, srv.Requests(), 1)
}

func TestReadCancelDuringRealWait(t *testing.T) {
	srv := oncalltest.NewServer(oncalltest.Fixture(fxNow))
	defer srv.Close()
	srv.RetryAfter = time.Minute
	srv.FailNext(100, http.StatusTooManyRequests)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := NewReader(ReaderOptions{APIURL: srv.URL, Token: oncalltest.DefaultToken})
	require.NoError(t, err)
	go func() { // cancel once the first 429 is answered
		deadline := time.Now().Add(10 * time.Second)
		for len(srv.Requests()) == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	_, err = r.Read(ctx, time.Hour)
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), 20*time.Second)
	require.Len(t, srv.Requests(), 1)
}

func TestReadRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"seconds", http.Header{"Retry-After": {"12"}}, 12 * time.Second, true},
		{"date", http.Header{"Retry-After": {"Wed, 25 Nov 2026 10:00:30 GMT"}}, 30 * time.Second, true},
		{"past date", http.Header{"Retry-After": {"Wed, 25 Nov 2026 09:00:00 GMT"}}, 0, true},
		{"ratelimit-reset", http.Header{"Ratelimit-Reset": {"41"}}, 41 * time.Second, true},
		{"Retry-After wins", http.Header{"Retry-After": {"3"}, "Ratelimit-Reset": {"41"}}, 3 * time.Second, true},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"none", http.Header{}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := retryAfter(tc.header, now)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.ok, ok)
		})
	}
}

func TestReadBackoffIsCapped(t *testing.T) {
	c := &retryClient{maxBackoff: 5 * time.Second}
	var got []time.Duration
	for attempt := 1; attempt <= 5; attempt++ {
		got = append(got, c.exponential(attempt))
	}
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, got)
}

func TestReadContactTypes(t *testing.T) {
	for pd, want := range map[string]string{
		"phone_contact_method":                       ContactPhone,
		"phone_contact_method_reference":             ContactPhone,
		"sms_contact_method":                         ContactSMS,
		"sms_contact_method_reference":               ContactSMS,
		"email_contact_method":                       ContactEmail,
		"email_contact_method_reference":             ContactEmail,
		"push_notification_contact_method":           ContactPush,
		"push_notification_contact_method_reference": ContactPush,
		"whatsapp_contact_method_reference":          "whatsapp_contact_method",
	} {
		require.Equal(t, want, contactType(pd), pd)
	}
	for pd, want := range map[string]string{
		"user_reference": TargetUser, "user": TargetUser,
		"schedule_reference": TargetSchedule, "schedule": TargetSchedule,
	} {
		require.Equal(t, want, targetType(pd), pd)
	}
}
