package notify

import (
	"context"
	"net/http"
	"strings"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// Attachment colours of Slack messages.
const (
	slackFiring   = "danger"
	slackResolved = "good"
)

// slackSender posts a message to a Slack-compatible incoming webhook.
type slackSender struct {
	cfg    SlackConfig
	client *http.Client
}

// slackMessage is the JSON body of an incoming-webhook request.
type slackMessage struct {
	Channel     string            `json:"channel,omitempty"`
	Text        string            `json:"text"`
	Attachments []slackAttachment `json:"attachments"`
}

// slackAttachment holds the alert's details under the message's text.
type slackAttachment struct {
	Color     string       `json:"color"`
	Title     string       `json:"title"`
	TitleLink string       `json:"title_link,omitempty"`
	Text      string       `json:"text,omitempty"`
	Fields    []slackField `json:"fields,omitempty"`
}

// slackField is one short key/value of an attachment: a label.
type slackField struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

func (s *slackSender) send(ctx context.Context, ev event) error {
	return postJSON(ctx, s.client, s.cfg.URL, s.message(ev))
}

// message builds the message of ev: "[FIRING] name: summary" as text, and
// an attachment with the summary linked to the query in Vigil, the
// description, the causes of a suppressed alert, the runbook and the labels.
func (s *slackSender) message(ev event) slackMessage {
	n := ev.n
	color := slackFiring
	if ev.action == actionResolve {
		color = slackResolved
	}
	sum := summary(n)
	return slackMessage{
		Channel: s.cfg.Channel,
		Text:    "[" + strings.ToUpper(ev.status()) + "] " + n.Labels.Get(labels.AlertName) + ": " + sum,
		Attachments: []slackAttachment{{
			Color:     color,
			Title:     sum,
			TitleLink: n.GeneratorURL,
			Text:      slackText(n),
			Fields:    slackFields(n.Labels),
		}},
	}
}

// slackText is the description annotation, a "Caused by:" line naming the
// causes of a suppressed alert, and the runbook link.
func slackText(n alerting.Notification) string {
	var lines []string
	if d := n.Annotations.Get("description"); d != "" {
		lines = append(lines, d)
	}
	if cs := causes(n); len(cs) > 0 {
		lines = append(lines, "Caused by: "+strings.Join(cs, "; "))
	}
	if u := n.Annotations.Get("runbook_url"); u != "" {
		lines = append(lines, "Runbook: <"+u+">")
	}
	return strings.Join(lines, "\n")
}

// slackFields lists the labels in name order.
func slackFields(ls labels.Labels) []slackField {
	fs := make([]slackField, 0, ls.Len())
	ls.Range(func(l labels.Label) {
		fs = append(fs, slackField{Title: l.Name, Value: l.Value, Short: true})
	})
	return fs
}
