package notify

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/prometheus/client_golang/prometheus"
)

// Default receiver labels of the metrics of direct senders.
const (
	// DefaultPagerDutyReceiver labels a PagerDutySender's metrics.
	DefaultPagerDutyReceiver = "pagerduty-events"
	// DefaultPostReceiver labels PostJSON's metrics.
	DefaultPostReceiver = "webhook-post"
)

// actionPost is the action label of a delivered PostJSON message.
const actionPost = "post"

// SenderOptions configure a PagerDutySender or a PostJSON call.
type SenderOptions struct {
	// GiveUpAfter bounds the retries of one event, counted from its first
	// attempt. Default (0): DefaultGiveUpAfter.
	GiveUpAfter time.Duration
	// Logger hears of retried attempts and of events not delivered.
	// Default: slog.Default().
	Logger *slog.Logger
	// Registerer receives the vigil_notif* metrics (the Notifier's, shared
	// when both use one Registerer). Default (nil): none are registered.
	Registerer prometheus.Registerer
	// Receiver is the receiver label of the metrics and logs. Default:
	// DefaultPagerDutyReceiver or DefaultPostReceiver.
	Receiver string
	// HTTPClient makes the attempts. Default: a client on
	// http.DefaultTransport with a 10 s timeout per attempt.
	HTTPClient *http.Client
}

// withDefaults returns o with every unset field given its default;
// receiver is the default of Receiver.
func (o SenderOptions) withDefaults(receiver string) SenderOptions {
	if o.GiveUpAfter <= 0 {
		o.GiveUpAfter = DefaultGiveUpAfter
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Receiver == "" {
		o.Receiver = receiver
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: attemptTimeout}
	}
	return o
}

// Link is an entry of a PagerDuty event's links.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// PagerDutySender sends Events API v2 events with a caller-chosen dedup
// key, with the same retry/backoff/give-up rules as alert delivery: a
// network error, 429 or 5xx is retried with backoff (500 ms doubling to
// 30 s, jittered, at least Retry-After) until GiveUpAfter; any other answer
// but 2xx is returned at once. Safe for concurrent use.
type PagerDutySender struct {
	client *pagerduty.Client
	d      directSender
}

// NewPagerDutySender returns a sender posting to eventsURL + "/v2/enqueue";
// eventsURL "" means DefaultEventsURL.
func NewPagerDutySender(eventsURL string, opts SenderOptions) *PagerDutySender {
	if eventsURL == "" {
		eventsURL = DefaultEventsURL
	}
	opts = opts.withDefaults(DefaultPagerDutyReceiver)
	return &PagerDutySender{client: newEventsClient(eventsURL, opts.HTTPClient), d: newDirectSender(opts)}
}

// Trigger opens (or updates) the incident of dedupKey. severity is
// critical, error, warning or info (anything else is sent as critical);
// source "" is sent as "vigil"; summary is cut to 1024 bytes; nil details
// and links are left out.
func (s *PagerDutySender) Trigger(ctx context.Context, routingKey, dedupKey, severity, summary, source string, details map[string]any, links []Link) error {
	e := &pagerduty.V2Event{
		RoutingKey: routingKey,
		Action:     actionTrigger.String(),
		DedupKey:   dedupKey,
		Links:      linksOf(links),
		Payload: &pagerduty.V2Payload{
			Summary:  truncate(summary, maxSummary),
			Source:   cmp.Or(source, "vigil"),
			Severity: severityOf(severity),
			Details:  detailsOf(details),
		},
	}
	return s.send(ctx, e)
}

// Resolve closes the incident of dedupKey.
func (s *PagerDutySender) Resolve(ctx context.Context, routingKey, dedupKey string) error {
	return s.send(ctx, &pagerduty.V2Event{RoutingKey: routingKey, Action: actionResolve.String(), DedupKey: dedupKey})
}

// send delivers e with retries.
func (s *PagerDutySender) send(ctx context.Context, e *pagerduty.V2Event) error {
	what := "pagerduty " + e.Action + " " + e.DedupKey
	return s.d.deliver(ctx, e.Action, what, func(ctx context.Context) error {
		return sendEvent(ctx, s.client, e)
	})
}

// PostJSON posts body, encoded as JSON, to url (a webhook or a
// Slack-compatible incoming webhook) with the retry rules of
// PagerDutySender; any 2xx answer is success.
func PostJSON(ctx context.Context, url string, body any, opts SenderOptions) error {
	opts = opts.withDefaults(DefaultPostReceiver)
	d := newDirectSender(opts)
	return d.deliver(ctx, actionPost, "post to "+url, func(ctx context.Context) error {
		return postJSON(ctx, opts.HTTPClient, url, body)
	})
}

// severityOf is the payload severity of a caller's severity (Trigger's
// parameter hides the function severity).
func severityOf(s string) string { return severity(s) }

// linksOf converts links for go-pagerduty; nil for none.
func linksOf(links []Link) []any {
	if len(links) == 0 {
		return nil
	}
	out := make([]any, len(links))
	for i, l := range links {
		out[i] = l
	}
	return out
}

// detailsOf is custom_details: nil (left out) for no details.
func detailsOf(details map[string]any) any {
	if len(details) == 0 {
		return nil
	}
	return details
}
