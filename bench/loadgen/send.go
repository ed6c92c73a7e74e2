package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// samplesWrittenHeader is the answer header in which Vigil and Prometheus
// count the samples they stored.
const samplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written"

// maxErrorBody bounds how much of an error answer is kept.
const maxErrorBody = 512

// retryPolicy says when and after how long a request is sent again.
type retryPolicy struct {
	max           int // retries; negative counts as zero
	minBackoff    time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
	sleep         func(context.Context, time.Duration) error
}

// sender posts compressed remote-write requests to one URL. A sender is
// not safe for concurrent use: each worker has its own.
type sender struct {
	client  *http.Client
	url     string
	timeout time.Duration
	retry   retryPolicy
	stats   *stats
	body    bytes.Reader
}

// newSender returns a sender configured by o that counts into st.
func newSender(o *Options, st *stats) *sender {
	return &sender{client: o.Client, url: strings.TrimRight(o.URL, "/") + o.WritePath, timeout: o.RequestTimeout, stats: st,
		retry: retryPolicy{max: o.MaxRetries, minBackoff: o.MinBackoff, maxBackoff: o.MaxBackoff, maxRetryAfter: o.MaxRetryAfter, sleep: o.sleep}}
}

// answer is what one attempt got.
type answer struct {
	code       int    // 0 for a connection error
	written    int64  // the samples-written header, or -1
	retryAfter string // the Retry-After header
	err        error  // why the attempt did not succeed
}

// send posts body, a snappy-compressed WriteRequest of samples samples,
// retrying 429s, 5xx and connection errors. It returns nil once the server
// took the request, else why it gave up. The body is not kept.
func (s *sender) send(ctx context.Context, body []byte, samples int) error {
	s.stats.samples.Add(int64(samples))
	backoff := s.retry.minBackoff
	for try := 0; ; try++ {
		a := s.attempt(ctx, body)
		s.count(a, samples)
		if a.err == nil {
			return nil
		}
		if !retryable(a) || try >= s.retry.max || ctx.Err() != nil {
			return s.giveUp(a, samples, try)
		}
		wait := s.wait(a, backoff)
		backoff = min(2*backoff, s.retry.maxBackoff)
		if err := s.retry.sleep(ctx, wait); err != nil {
			return s.giveUp(a, samples, try)
		}
		s.stats.retries.Add(1)
	}
}

// count adds one attempt's answer to the stats.
func (s *sender) count(a answer, samples int) {
	s.stats.requests.Add(1)
	switch {
	case a.code == http.StatusTooManyRequests:
		s.stats.throttled.Add(1)
	case a.code >= 500:
		s.stats.serverErrors.Add(1)
	}
	switch {
	case a.written >= 0:
		s.stats.accepted.Add(a.written)
	case a.err == nil:
		s.stats.accepted.Add(int64(samples))
	}
}

// giveUp counts a request given up on, and its samples that the last
// answer did not say were stored, and returns its error.
func (s *sender) giveUp(a answer, samples, tries int) error {
	err := a.err
	if tries > 0 {
		err = fmt.Errorf("%w (after %d retries)", err, tries)
	}
	s.stats.failed.Add(1)
	s.stats.failedSmpl.Add(int64(samples) - max(0, a.written))
	s.stats.firstErr.set(err)
	return err
}

// retryable reports whether an answer is worth another attempt.
func retryable(a answer) bool {
	return a.code == 0 || a.code == http.StatusTooManyRequests || a.code >= 500
}

// wait returns how long to wait before the next attempt: what Retry-After
// asks for (capped), else the backoff.
func (s *sender) wait(a answer, backoff time.Duration) time.Duration {
	if d, ok := parseRetryAfter(a.retryAfter, time.Now()); ok {
		return min(d, s.retry.maxRetryAfter)
	}
	return backoff
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// attempt posts body once.
func (s *sender) attempt(ctx context.Context, body []byte) answer {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.body.Reset(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, &s.body)
	if err != nil {
		return answer{written: -1, err: fmt.Errorf("remote write to %s: %w", s.url, err)}
	}
	setWriteHeaders(req.Header)
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{written: -1, err: fmt.Errorf("remote write: %w", err)}
	}
	defer resp.Body.Close()
	return readAnswer(resp)
}

// setWriteHeaders sets the headers of a remote-write 1.0 request.
func setWriteHeaders(h http.Header) {
	h.Set("Content-Encoding", "snappy")
	h.Set("Content-Type", "application/x-protobuf")
	h.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	h.Set("User-Agent", "vigil-bench")
}

// readAnswer reads the status, headers and, on failure, the start of the
// message of an answer, and drains the rest so the connection is reused.
func readAnswer(resp *http.Response) answer {
	a := answer{code: resp.StatusCode, written: -1, retryAfter: resp.Header.Get("Retry-After")}
	if w, err := strconv.ParseInt(resp.Header.Get(samplesWrittenHeader), 10, 64); err == nil && w >= 0 {
		a.written = w
	}
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		a.err = &StatusError{Code: resp.StatusCode, Message: strings.TrimSpace(string(msg))}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return a
}

// StatusError is an answer outside 2xx.
type StatusError struct {
	Code    int    // the HTTP status code
	Message string // the start of the answer's body
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("remote write: server answered %d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

// errNoAccepted is Run's error when the server took nothing.
var errNoAccepted = errors.New("the server accepted no sample")
