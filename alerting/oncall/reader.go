package oncall

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// Errors of NewReader and Reader.Read; test for them with errors.Is.
var (
	// ErrNoToken: no API token was given.
	ErrNoToken = errors.New("no PagerDuty API token: set a read-only PagerDuty REST API token")
	// ErrUnauthorized: PagerDuty answered 401 to the token, or 403 to the
	// first request (the escalation policies). A 403 to a later request
	// says which resource the token cannot read instead.
	ErrUnauthorized = errors.New("PagerDuty rejected the API token")
	// ErrUnavailable: PagerDuty could not be reached, or kept answering 429
	// or 5xx until the retries ran out. It wraps the last cause.
	ErrUnavailable = errors.New("PagerDuty is unavailable")
)

// Defaults of ReaderOptions.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultRetries    = 4
	DefaultMaxBackoff = time.Minute
)

// ReaderOptions configure a Reader. Only Token is required.
type ReaderOptions struct {
	// APIURL is the base URL of PagerDuty's REST API. Default: DefaultAPIURL.
	APIURL string
	// Token is a PagerDuty REST API token; a read-only one is enough.
	Token string
	// Timeout bounds each HTTP request, its body included. Default:
	// DefaultTimeout.
	Timeout time.Duration
	// Retries is how often a request is repeated after a 429, a 5xx or a
	// network error other than a refused connection or an unknown host.
	// Default (0): DefaultRetries; negative: no retries.
	Retries int
	// MaxBackoff caps the wait before a retry, a longer Retry-After or
	// ratelimit-reset included. Default: DefaultMaxBackoff.
	MaxBackoff time.Duration
	// HTTPClient sends the requests; its Timeout is replaced by Timeout.
	// Default: a new http.Client.
	HTTPClient *http.Client
	// Now is the clock: the reading's time and Retry-After dates. Default:
	// time.Now.
	Now func() time.Time
	// Sleep waits d before a retry, or returns ctx's error when ctx is done
	// first. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Reader takes Snapshots of a PagerDuty account through its REST API, with
// github.com/PagerDuty/go-pagerduty. It is safe for concurrent use.
type Reader struct {
	o      ReaderOptions // with the defaults applied
	client *http.Client
}

// NewReader returns a Reader for o. It returns ErrNoToken when o.Token is
// empty, and an error when o.APIURL is not an http(s) URL.
func NewReader(o ReaderOptions) (*Reader, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, ErrNoToken
	}
	o = o.withDefaults()
	u, err := url.Parse(o.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("PagerDuty API URL %q: want an http or https URL such as %s", o.APIURL, DefaultAPIURL)
	}
	client := &http.Client{}
	if o.HTTPClient != nil {
		c := *o.HTTPClient
		client = &c
	}
	client.Timeout = o.Timeout
	return &Reader{o: o, client: client}, nil
}

func (o ReaderOptions) withDefaults() ReaderOptions {
	o.APIURL = strings.TrimRight(cmp.Or(o.APIURL, DefaultAPIURL), "/")
	o.Timeout = cmp.Or(o.Timeout, DefaultTimeout)
	o.Retries = cmp.Or(o.Retries, DefaultRetries)
	o.Retries = max(o.Retries, 0)
	o.MaxBackoff = cmp.Or(o.MaxBackoff, DefaultMaxBackoff)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	return o
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Read takes a Snapshot: every escalation policy (following PagerDuty's
// more/offset paging), the names of their teams, every schedule a policy
// targets rendered over [now, now+window), and every reachable user's name,
// e-mail and notification rules. A window <= 0 renders over
// DefaultCoverageWindow: the schedules' entries are also who the
// notification check looks at. Now is truncated to the second, as
// PagerDuty's since/until are.
//
// The requests: the escalation policies, 100 a page; the teams, 100 a
// page, only if a policy has a team; one GET per targeted schedule; the
// users with their notification rules, 100 a page, only if a policy
// reaches someone. Reachable users are the users a rule targets and the
// users on call in a targeted schedule during the window; other users are
// left out of the Snapshot.
//
// What cannot be read is left out, for Check to report: a schedule
// PagerDuty answers 404 or 403 for (deleted since the policies were
// listed, or out of the token's reach) is missing from Snapshot.Schedules;
// a reachable user missing from the user list (deleted meanwhile) is
// missing from Snapshot.Users. Any other failure fails the Read: a 401, or
// a 403 to the escalation policies, with ErrUnauthorized; a 403 to the
// teams or users naming the request the token cannot make.
func (r *Reader) Read(ctx context.Context, window time.Duration) (*Snapshot, error) {
	if window <= 0 {
		window = DefaultCoverageWindow
	}
	rd := r.newRead(ctx)
	snap := &Snapshot{Taken: r.o.Now().UTC().Truncate(time.Second)}
	var err error
	if snap.Policies, err = rd.policies(); err != nil {
		return nil, err
	}
	if snap.Schedules, err = rd.schedules(snap.Policies, snap.Taken, snap.Taken.Add(window)); err != nil {
		return nil, err
	}
	if snap.Users, err = rd.users(reachableUsers(snap.Policies, snap.Schedules)); err != nil {
		return nil, err
	}
	return snap, nil
}

// reading is the state of one Read.
type reading struct {
	ctx  context.Context
	base string // the API URL, without a trailing /
	http *retryClient
	pd   *pagerduty.Client
}

func (r *Reader) newRead(ctx context.Context) *reading {
	rc := &retryClient{
		client:     r.client,
		retries:    r.o.Retries,
		maxBackoff: r.o.MaxBackoff,
		now:        r.o.Now,
		sleep:      r.o.Sleep,
	}
	pd := pagerduty.NewClient(r.o.Token, pagerduty.WithAPIEndpoint(r.o.APIURL))
	pd.HTTPClient = rc
	return &reading{ctx: ctx, base: r.o.APIURL, http: rc, pd: pd}
}

// fail explains why reading what failed: the context, the token,
// PagerDuty's availability, or an unexpected answer.
func (rd *reading) fail(what string, err error) error {
	if ctxErr := rd.ctx.Err(); ctxErr != nil {
		return fmt.Errorf("read PagerDuty %s: %w", what, ctxErr)
	}
	last := rd.http.last
	var apiErr pagerduty.APIError
	switch {
	case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized ||
		apiErr.StatusCode == http.StatusForbidden && what == whatPolicies):
		return fmt.Errorf("%w (%d %s): use a valid read-only REST API token",
			ErrUnauthorized, apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden:
		return fmt.Errorf("PagerDuty refused %s (403 Forbidden): the token cannot read it", rd.resource(last.request))
	case errors.As(err, &apiErr) && apiErr.Temporary():
		return fmt.Errorf("read PagerDuty %s: %w: %s answered %d %s (%s)",
			what, ErrUnavailable, last.request, apiErr.StatusCode, http.StatusText(apiErr.StatusCode), attemptsText(last.attempts))
	case errors.As(err, &apiErr):
		return fmt.Errorf("read PagerDuty %s: %s: %w", what, last.request, err)
	case last.err != nil:
		return fmt.Errorf("read PagerDuty %s: %w: %s: %w (%s)", what, ErrUnavailable, last.request, last.err, attemptsText(last.attempts))
	}
	return fmt.Errorf("read PagerDuty %s: %w", what, err)
}

// resource is a request ("GET https://api.pagerduty.com/teams?limit=100")
// as "GET /teams": its method and its path under the API URL.
func (rd *reading) resource(request string) string {
	method, rawURL, _ := strings.Cut(request, " ")
	path, _, _ := strings.Cut(strings.TrimPrefix(rawURL, rd.base), "?")
	return method + " " + path
}

func attemptsText(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
