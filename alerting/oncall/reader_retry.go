package oncall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// firstBackoff is the wait before the first retry when PagerDuty does not
// say how long to wait; each next retry waits twice as long.
const firstBackoff = time.Second

// retryClient is the pagerduty.HTTPClient of one Read: it repeats a request
// after a 429, a 5xx or a transient network error, waiting as PagerDuty
// says (Retry-After, ratelimit-reset) or backing off exponentially, and
// remembers how the last request ended for the error Read returns (the
// pagerduty client keeps only the text of network errors). Not safe for
// concurrent use: a Read sends one request at a time.
type retryClient struct {
	client     *http.Client
	retries    int
	maxBackoff time.Duration
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error

	last outcome
}

// outcome is how a request ended after its attempts.
type outcome struct {
	request  string // method and URL
	attempts int
	err      error // the network error of the last attempt, if any
}

// Do sends req, retrying as described on retryClient.
func (c *retryClient) Do(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.client.Do(req.Clone(req.Context()))
		wait, retry := c.backoff(req.Context(), resp, err, attempt)
		if !retry || attempt > c.retries {
			c.last = outcome{request: req.Method + " " + req.URL.String(), attempts: attempt, err: c.cause(err)}
			return resp, err
		}
		discard(resp)
		if err := c.sleep(req.Context(), wait); err != nil {
			c.last = outcome{request: req.Method + " " + req.URL.String(), attempts: attempt, err: err}
			return nil, err
		}
	}
}

// backoff says whether the attempt's outcome is worth another attempt, and
// how long to wait before it.
func (c *retryClient) backoff(ctx context.Context, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	switch {
	case ctx.Err() != nil:
		return 0, false
	case err != nil:
		return c.exponential(attempt), transient(err)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		if d, ok := retryAfter(resp.Header, c.now()); ok {
			return min(d, c.maxBackoff), true
		}
		return c.exponential(attempt), true
	}
	return 0, false
}

// exponential is the wait before retry number attempt: firstBackoff,
// doubling, capped at maxBackoff.
func (c *retryClient) exponential(attempt int) time.Duration {
	d := firstBackoff
	for i := 1; i < attempt && d < c.maxBackoff; i++ {
		d *= 2
	}
	return min(d, c.maxBackoff)
}

// transient reports whether a network error may pass by retrying soon: not
// a refused connection (nothing listens there) nor an unknown host.
func transient(err error) bool {
	var dnsErr *net.DNSError
	if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
		return false
	}
	return true
}

// retryAfter reads how long PagerDuty asks to wait: Retry-After (seconds or
// an HTTP date), else ratelimit-reset (seconds until the limit resets).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if secs, err := strconv.ParseFloat(h.Get("ratelimit-reset"), 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	return 0, false
}

// discard reads and closes a response that is not returned, so that its
// connection is reused.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // a broken body only costs the connection
	_ = resp.Body.Close()
}

// cause drops the *url.Error around a network error, since the error Read
// returns names the request already, and says when it was a timeout.
func (c *retryClient) cause(err error) error {
	var ue *url.Error
	switch {
	case !errors.As(err, &ue):
		return err
	case ue.Timeout():
		return fmt.Errorf("no answer within %s: %w", c.client.Timeout, ue.Err)
	}
	return ue.Err
}
