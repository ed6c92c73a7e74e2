package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// maxSummary is PagerDuty's limit on payload.summary, in bytes.
const maxSummary = 1024

// pagerDutySender posts events to PagerDuty's Events API v2 through
// go-pagerduty.
//
// go-pagerduty reports a non-2xx answer as a pagerduty.APIError carrying the
// status code, but drops the body unless it is JSON under an "error" key
// (the Events API's error bodies are not), and it fails a 2xx answer whose
// body is not JSON. So its HTTP client is wrapped by captureClient, which
// records the status, Retry-After and the start of an error body in a
// capture carried by the request's context.
type pagerDutySender struct {
	cfg    PagerDutyConfig
	client *pagerduty.Client
}

func newPagerDutySender(cfg PagerDutyConfig, hc *http.Client) *pagerDutySender {
	cfg = cfg.withDefaults()
	return &pagerDutySender{cfg: cfg, client: newEventsClient(cfg.EventsURL, hc)}
}

// newEventsClient returns a go-pagerduty client posting to eventsURL +
// "/v2/enqueue" through hc, wrapped by captureClient.
func newEventsClient(eventsURL string, hc *http.Client) *pagerduty.Client {
	c := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(strings.TrimRight(eventsURL, "/")))
	c.HTTPClient = captureClient{hc}
	return c
}

func (s *pagerDutySender) send(ctx context.Context, ev event) error {
	return sendEvent(ctx, s.client, s.event(ev))
}

// sendEvent makes one attempt to post e through c; an error that should be
// retried is a *sendError (see retryable).
func sendEvent(ctx context.Context, c *pagerduty.Client, e *pagerduty.V2Event) error {
	capt := &capture{}
	_, err := c.ManageEventWithContext(context.WithValue(ctx, captureKey{}, capt), e)
	return capt.result(err)
}

// event builds the V2 event of ev.
func (s *pagerDutySender) event(ev event) *pagerduty.V2Event {
	n := ev.n
	return &pagerduty.V2Event{
		RoutingKey: s.cfg.RoutingKey,
		Action:     ev.action.eventAction(),
		DedupKey:   ev.dedupKey,
		Links:      pagerDutyLinks(n),
		Client:     s.cfg.Client,
		ClientURL:  s.cfg.ClientURL,
		Payload: &pagerduty.V2Payload{
			Summary:   summary(n),
			Source:    s.source(n.Labels),
			Severity:  severity(n.Labels.Get("severity")),
			Timestamp: eventTime(ev),
			Details:   customDetails(ev),
		},
	}
}

// source is payload.source: the configured source, else the instance label,
// else "vigil".
func (s *pagerDutySender) source(ls labels.Labels) string {
	switch {
	case s.cfg.Source != "":
		return s.cfg.Source
	case ls.Get("instance") != "":
		return ls.Get("instance")
	}
	return "vigil"
}

// severity maps the severity label to PagerDuty's: critical, error, warning
// or info (compared case-insensitively); anything else is critical.
func severity(label string) string {
	switch s := strings.ToLower(label); s {
	case "critical", "error", "warning", "info":
		return s
	}
	return "critical"
}

// summary is the summary annotation, else the alert name and its other
// labels, prefixed "[data missing] " while the alert's data is missing, cut
// to PagerDuty's 1024 bytes.
func summary(n alerting.Notification) string {
	s := n.Annotations.Get("summary")
	if s == "" {
		s = labelSummary(n.Labels)
	}
	if dataMissing(n) {
		s = dataMissingPrefix + s
	}
	return truncate(s, maxSummary)
}

// labelSummary is `alertname {other="labels"}`.
func labelSummary(ls labels.Labels) string {
	name := ls.Get(labels.AlertName)
	rest := labels.NewBuilder(ls).Del(labels.AlertName).Labels()
	switch {
	case rest.IsEmpty():
		return name
	case name == "":
		return rest.String()
	}
	return name + " " + rest.String()
}

// truncate cuts s to at most max bytes without splitting a rune.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// eventTime is payload.timestamp: when the alert started firing for a
// trigger, when it resolved for a resolve; "" when unknown.
func eventTime(ev event) string {
	t := ev.n.StartsAt
	if ev.action == actionResolve {
		t = ev.n.EndsAt
	}
	return timestamp(t)
}

// customDetails are the labels, the annotations, the value, the state and,
// when the alert is suppressed, the causes that explain it (caused_by).
func customDetails(ev event) map[string]any {
	n := ev.n
	d := map[string]any{
		"labels":      n.Labels.Map(),
		"annotations": n.Annotations.Map(),
		"value":       strconv.FormatFloat(n.Value, 'g', -1, 64),
		"state":       ev.state(),
	}
	if cs := causes(n); len(cs) > 0 {
		d["caused_by"] = cs
	}
	return d
}

// pagerDutyLinks links the runbook_url annotation and the query in Vigil.
func pagerDutyLinks(n alerting.Notification) []any {
	var links []any
	if u := n.Annotations.Get("runbook_url"); u != "" {
		links = append(links, Link{Href: u, Text: "Runbook"})
	}
	if n.GeneratorURL != "" {
		links = append(links, Link{Href: n.GeneratorURL, Text: "Query in Vigil"})
	}
	return links
}

// captureKey is the context key of a *capture.
type captureKey struct{}

// capture is what captureClient saw of the response to one request.
type capture struct {
	status     int
	body       []byte
	retryAfter string
}

// captureClient is an HTTP client that records the response of requests
// whose context carries a *capture, keeping the start of a non-2xx body.
type captureClient struct{ c *http.Client }

func (cc captureClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := cc.c.Do(req)
	c, ok := req.Context().Value(captureKey{}).(*capture)
	if err != nil || !ok {
		return resp, err
	}
	c.status, c.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		c.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(c.body))
	}
	return resp, nil
}

// result turns go-pagerduty's error into a sender error. A 2xx answer is
// success even when go-pagerduty could not decode its body.
func (c *capture) result(err error) error {
	if err == nil || (c.status >= 200 && c.status <= 299) {
		return nil
	}
	status := c.status
	var apiErr pagerduty.APIError
	if errors.As(err, &apiErr) {
		status = apiErr.StatusCode
	}
	return &sendError{status: status, body: string(c.body), retryAfter: parseRetryAfter(c.retryAfter), err: err}
}
