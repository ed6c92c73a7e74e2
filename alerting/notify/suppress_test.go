package notify

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

// The causes of the suppression tests, as alerting.Notification.CausedBy
// spells them.
const (
	causeDB      = `MetadataDBDown{region="us-east"}`
	causeStorage = `StorageFrontendDown{cluster="c1"}`
)

// causedByDetail is the custom_details entry listing causes.
func causedByDetail(causes ...string) string {
	quoted := make([]string, len(causes))
	for i, c := range causes {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	return `"caused_by": [` + strings.Join(quoted, ", ") + `]`
}

func TestSuppressedNeverPages(t *testing.T) {
	pd := newStub(t)
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	api := firing("alertname", "APIErrors", "region", "us-east")
	for range 3 { // every evaluation hands the suppressed alerts again
		h.n.Notify([]alerting.Notification{suppressedBy(api, causeDB), suppressedBy(webAlert(), causeDB)})
		h.waitIdle(t)
	}
	resolved := resolvedAt(suppressedBy(api, causeDB), t0.Add(5*time.Minute))
	resolved.State = "resolved"
	h.n.Notify([]alerting.Notification{resolved}) // resolved, never paged: nothing
	h.waitIdle(t)
	require.Empty(t, pd.requests())

	h.n.Notify([]alerting.Notification{webAlert()}) // the cause resolved, it still fires: it pages now
	h.waitIdle(t)
	require.Equal(t, normJSON(t, webEvent("trigger", "2026-03-01T12:00:00Z")), normJSON(t, pd.bodies()...))
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "trigger"))
	require.Equal(t, 0.0, h.metric(t, "sent", "pagerduty", "update"))
	require.Equal(t, 0.0, h.metric(t, "sent", "pagerduty", "resolve"))
}

func TestSuppressionDropsQueuedTrigger(t *testing.T) {
	pd := newStub(t)
	release := pd.holdRequests()
	defer release()
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	slow := firing("alertname", "Slow")
	h.n.Notify([]alerting.Notification{slow})
	waitFor(t, "Slow in flight", func() bool { return len(pd.requests()) == 1 })

	flap := firing("alertname", "Flapping", "region", "us-east")
	cause := firing("alertname", "MetadataDBDown", "region", "us-east")
	h.n.Notify([]alerting.Notification{webAlert(), flap})                                                      // queued triggers
	h.n.Notify([]alerting.Notification{suppressedBy(webAlert(), causeDB), suppressedBy(flap, causeDB), cause}) // their cause fires
	h.n.Notify([]alerting.Notification{suppressedBy(webAlert(), causeDB), flap, cause})                        // Flapping's cause no longer explains it
	waitFor(t, "dispatch", func() bool { return h.n.busy.Load() == 0 })
	require.Equal(t, 3.0, h.metric(t, "queue", "pagerduty"))
	release()
	h.waitIdle(t)

	require.Equal(t, []string{"Slow", "Flapping", "MetadataDBDown"}, alertNames(t, pd.bodies()), "the newest state of each queued alert wins")
	require.Equal(t, 3.0, h.metric(t, "sent", "pagerduty", "trigger"))
	_, paged := h.n.log.get(PagerDutyReceiver, alerting.DedupKey(webAlert().Labels))
	require.False(t, paged)
}

func TestSuppressionWithdrawsARetryingPage(t *testing.T) {
	pd := newStub(t)
	pd.failWith(http.StatusServiceUnavailable)
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	waitFor(t, "retries", func() bool { return len(pd.requests()) >= 2 })
	h.n.Notify([]alerting.Notification{suppressedBy(webAlert(), causeDB)})
	h.waitIdle(t)
	tried := len(pd.requests())
	require.Contains(t, h.logs.String(), `level=INFO msg="notification withdrawn before delivery; its alert is suppressed now" receiver=pagerduty action=trigger`)
	require.Equal(t, 0.0, h.metric(t, "failed", "pagerduty", reasonGaveUp))
	require.Equal(t, float64(tried), h.metric(t, "attempts", "pagerduty", attemptServer))

	pd.failWith(http.StatusAccepted) // the receiver is back: only the cause pages
	cause := firing("alertname", "MetadataDBDown", "region", "us-east")
	h.n.Notify([]alerting.Notification{suppressedBy(webAlert(), causeDB), cause})
	h.waitIdle(t)
	bodies := pd.bodies()
	require.Len(t, bodies, tried+1)
	require.Equal(t, []string{"MetadataDBDown"}, alertNames(t, bodies[tried:]))
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "trigger"))
}

func TestPagedThenSuppressedUpdatesOncePerCauseList(t *testing.T) {
	pd := newStub(t)
	state := filepath.Join(t.TempDir(), "log.json")
	cfg := pdConfig(pd)
	cfg.RepeatInterval = time.Hour
	first := newHarness(t, Options{Config: cfg, StateFile: state}).start(t)
	notify := func(h *harness, n alerting.Notification) {
		h.n.Notify([]alerting.Notification{n})
		h.waitIdle(t)
	}
	notify(first, webAlert()) // paged before its cause fired
	for range 3 {
		notify(first, suppressedBy(webAlert(), causeDB))
	}
	first.clock.advance(5 * time.Hour) // no repeat while suppressed
	notify(first, suppressedBy(webAlert(), causeDB))
	notify(first, suppressedBy(webAlert(), causeDB, causeStorage)) // the cause list changed
	notify(first, suppressedBy(webAlert(), causeStorage, causeDB)) // the same list
	first.stop(t)
	require.Equal(t, 1.0, first.metric(t, "sent", "pagerduty", "trigger"))
	require.Equal(t, 2.0, first.metric(t, "sent", "pagerduty", "update"))
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	require.JSONEq(t, fmt.Sprintf(`{"version": 1, "deliveries": [
		{"receiver": "pagerduty", "dedup_key": %q, "action": "trigger", "at": "2026-03-01T17:01:00Z", %s}]}`,
		alerting.DedupKey(webAlert().Labels), causedByDetail(causeDB, causeStorage)), string(data))

	second := newHarness(t, Options{Config: cfg, StateFile: state}).start(t)
	notify(second, suppressedBy(webAlert(), causeDB, causeStorage)) // after a restart: already sent
	notify(second, webAlert())                                      // the causes resolved, it still fires
	notify(second, webAlert())
	notify(second, resolvedAt(webAlert(), t0.Add(6*time.Hour)))
	require.Equal(t, 1.0, second.metric(t, "sent", "pagerduty", "update"))
	require.Equal(t, 1.0, second.metric(t, "sent", "pagerduty", "resolve"))

	require.Equal(t, normJSON(t,
		webEvent("trigger", "2026-03-01T12:00:00Z"),
		webEventWith("trigger", "2026-03-01T12:00:00Z", "", "firing", causedByDetail(causeDB)),
		webEventWith("trigger", "2026-03-01T12:00:00Z", "", "firing", causedByDetail(causeDB, causeStorage)),
		webEvent("trigger", "2026-03-01T12:00:00Z"), // the update that says it has no cause any more
		webEvent("resolve", "2026-03-01T18:00:00Z"),
	), normJSON(t, pd.bodies()...))
}

func TestWebhookAndSlackNameTheCauses(t *testing.T) {
	hook, slack := newStub(t), newStub(t)
	cfg := Config{
		Receivers: []Receiver{
			{Name: "audit", Webhook: &WebhookConfig{URL: hook.srv.URL}},
			{Name: "chat", Slack: &SlackConfig{URL: slack.srv.URL}},
		},
		Routes:  []Route{{Match: map[string]string{"team": "audit"}, Receiver: "audit"}},
		Default: "chat",
	}
	h := newHarness(t, Options{Config: cfg}).start(t)
	audit := firing("alertname", "DiskFull", "team", "audit")
	chat := firing("alertname", "ReplicaLag", "service", "db-2")
	h.n.Notify([]alerting.Notification{audit, chat})
	h.waitIdle(t)
	h.n.Notify([]alerting.Notification{suppressedBy(audit, causeDB), suppressedBy(chat, causeDB, causeStorage)})
	h.waitIdle(t)

	fp := strings.TrimPrefix(alerting.DedupKey(audit.Labels), "vigil-")
	hookBody := func(causedBy string) string {
		return fmt.Sprintf(`{"version": "4", "status": "firing", "alerts": [{
			"status": "firing",
			"labels": {"alertname": "DiskFull", "team": "audit"},
			"annotations": {"summary": "it broke"},
			"startsAt": "2026-03-01T12:00:00Z",
			"endsAt": "0001-01-01T00:00:00Z",
			"generatorURL": "http://vigil.test:9096/graph?g0.expr=up+%%3D%%3D+0&g0.tab=1",
			"fingerprint": %q%s
		}]}`, fp, causedBy)
	}
	require.Equal(t, normJSON(t, hookBody(""), hookBody(`, "causedBy": ["MetadataDBDown{region=\"us-east\"}"]`)), normJSON(t, hook.bodies()...))

	slackBody := func(text string) string {
		return fmt.Sprintf(`{
			"text": "[FIRING] ReplicaLag: it broke",
			"attachments": [{
				"color": "danger",
				"title": "it broke",
				"title_link": "http://vigil.test:9096/graph?g0.expr=up+%%3D%%3D+0&g0.tab=1",
				%s"fields": [
					{"title": "alertname", "value": "ReplicaLag", "short": true},
					{"title": "service", "value": "db-2", "short": true}
				]
			}]
		}`, text)
	}
	require.Equal(t, normJSON(t,
		slackBody(""),
		slackBody(`"text": "Caused by: MetadataDBDown{region=\"us-east\"}; StorageFrontendDown{cluster=\"c1\"}",`),
	), normJSON(t, slack.bodies()...))
}

func TestUnknownStateSaysDataMissing(t *testing.T) {
	pd, slack := newStub(t), newStub(t)
	cfg := pdConfig(pd)
	cfg.Receivers = []Receiver{{Name: "chat", Slack: &SlackConfig{URL: slack.srv.URL}}}
	cfg.Routes = []Route{{Match: map[string]string{"team": "chat"}, Receiver: "chat"}}
	h := newHarness(t, Options{Config: cfg}).start(t)
	unknown := webAlert()
	unknown.State = "unknown"
	chat := firing("alertname", "ReplicaLag", "team", "chat")
	chat.State = "unknown"
	h.n.Notify([]alerting.Notification{unknown, chat})
	h.waitIdle(t)
	resolved := resolvedAt(webAlert(), t0.Add(time.Hour))
	resolved.State = "resolved"
	h.n.Notify([]alerting.Notification{resolved})
	h.waitIdle(t)

	require.Equal(t, normJSON(t,
		webEventWith("trigger", "2026-03-01T12:00:00Z", "[data missing] ", "unknown (data missing)", ""),
		webEvent("resolve", "2026-03-01T13:00:00Z"),
	), normJSON(t, pd.bodies()...))
	require.Equal(t, normJSON(t, `{
		"text": "[FIRING] ReplicaLag: [data missing] it broke",
		"attachments": [{
			"color": "danger",
			"title": "[data missing] it broke",
			"title_link": "http://vigil.test:9096/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
			"fields": [
				{"title": "alertname", "value": "ReplicaLag", "short": true},
				{"title": "team", "value": "chat", "short": true}
			]
		}]
	}`), normJSON(t, slack.bodies()...))
}
