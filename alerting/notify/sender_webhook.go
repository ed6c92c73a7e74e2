package notify

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// webhookVersion is the version field of webhook messages: Alertmanager's
// current one, whose shape they follow.
const webhookVersion = "4"

// webhookSender posts one alert per message, in the shape of Alertmanager's
// webhook payload, to a URL.
type webhookSender struct {
	url    string
	client *http.Client
}

// webhookMessage is the JSON body of a webhook request.
type webhookMessage struct {
	Version string         `json:"version"`
	Status  string         `json:"status"`
	Alerts  []webhookAlert `json:"alerts"`
}

// webhookAlert is one alert of a webhook message. EndsAt is the zero time
// (0001-01-01T00:00:00Z) while the alert fires, as in Alertmanager.
type webhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	CausedBy     []string          `json:"causedBy,omitempty"` // Vigil's: the causes of a suppressed alert
}

func (s *webhookSender) send(ctx context.Context, ev event) error {
	return postJSON(ctx, s.client, s.url, webhookMessageOf(ev))
}

// webhookMessageOf builds the message of ev. The fingerprint is the 16 hex
// digits of the dedup key; causedBy lists the causes of a suppressed alert.
func webhookMessageOf(ev event) webhookMessage {
	n := ev.n
	return webhookMessage{Version: webhookVersion, Status: ev.status(), Alerts: []webhookAlert{{
		Status:       ev.status(),
		Labels:       n.Labels.Map(),
		Annotations:  n.Annotations.Map(),
		StartsAt:     n.StartsAt.UTC(),
		EndsAt:       n.EndsAt.UTC(),
		GeneratorURL: n.GeneratorURL,
		Fingerprint:  strings.TrimPrefix(ev.dedupKey, "vigil-"),
		CausedBy:     causes(n),
	}}}
}
