package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsre/vigil/alerting"
)

const (
	// attemptTimeout bounds one HTTP request, so a hung receiver is retried
	// rather than waited on until GiveUpAfter.
	attemptTimeout = 10 * time.Second
	// maxErrorBody is how much of an error response's body is kept for the
	// log.
	maxErrorBody = 1024
	// userAgent is sent by the webhook and Slack senders.
	userAgent = "Vigil"
)

// sender delivers one event to one receiver, making a single attempt. An
// error that should be retried is a *sendError with status 0 (network), 429
// or 5xx; see retryable.
type sender interface {
	send(ctx context.Context, ev event) error
}

// event is one notification to deliver.
type event struct {
	action   action
	dedupKey string
	n        alerting.Notification
}

// status is "firing" or "resolved", as Alertmanager says it.
func (ev event) status() string {
	if ev.action == actionResolve {
		return "resolved"
	}
	return "firing"
}

// stateUnknown is the alerting.Notification.State of an alert that was
// firing and whose input data went missing.
const stateUnknown = "unknown"

// dataMissingPrefix starts the summary of an alert whose data is missing.
const dataMissingPrefix = "[data missing] "

// state is custom_details.state: "firing", "unknown (data missing)" or
// "resolved".
func (ev event) state() string {
	switch {
	case ev.action == actionResolve:
		return "resolved"
	case dataMissing(ev.n):
		return "unknown (data missing)"
	}
	return "firing"
}

// dataMissing reports whether n still fires only because its input data
// went missing (state unknown).
func dataMissing(n alerting.Notification) bool {
	return n.State == stateUnknown && !n.Resolved()
}

// sendError is a failed attempt: a network error (status 0) or an HTTP
// response that was not 2xx.
type sendError struct {
	status     int           // HTTP status; 0 when no response arrived
	body       string        // start of the response body
	retryAfter time.Duration // the response's Retry-After, 0 if none
	err        error
}

func (e *sendError) Error() string {
	if e.status == 0 {
		return e.err.Error()
	}
	return fmt.Sprintf("HTTP status %d: %s", e.status, strings.TrimSpace(e.body))
}

func (e *sendError) Unwrap() error { return e.err }

// retryable reports whether err is worth another attempt: a network error,
// 429 or 5xx. Anything else (another 4xx, an encoding error) is not.
func retryable(err error) bool {
	var se *sendError
	if !errors.As(err, &se) {
		return false
	}
	return se.status == 0 || se.status == http.StatusTooManyRequests || se.status >= 500
}

// postJSON posts v as JSON to url and returns nil on a 2xx answer.
func postJSON(ctx context.Context, client *http.Client, url string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode notification: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request to %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := client.Do(req)
	if err != nil {
		return &sendError{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	return responseError(resp)
}

// responseError returns nil for a 2xx response (its body drained, so the
// connection is reused) and a *sendError with the start of the body for any
// other.
func responseError(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &sendError{
		status:     resp.StatusCode,
		body:       string(b),
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
		err:        fmt.Errorf("HTTP status %s", resp.Status),
	}
}

// parseRetryAfter reads a Retry-After header given in seconds (the form
// rate limiters use); an HTTP date or garbage counts as absent.
func parseRetryAfter(h string) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// timestamp formats t as RFC 3339 in UTC, "" for the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
