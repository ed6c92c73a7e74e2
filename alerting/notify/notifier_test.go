package notify

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

// pdConfig is a PagerDuty shorthand config posting to s.
func pdConfig(s *stub) Config {
	return Config{PagerDuty: &PagerDutyConfig{RoutingKey: "R0UT1NGKEY", EventsURL: s.srv.URL}}
}

// webAlert is the alert of the PagerDuty tests.
func webAlert() alerting.Notification {
	return alerting.Notification{
		Labels: labels.FromStrings("alertname", "HighErrorRate", "instance", "web-1:8080", "job", "web", "severity", "warning"),
		Annotations: labels.FromStrings(
			"runbook_url", "https://runbooks.example/high-error-rate",
			"summary", "5% of requests to web-1 fail"),
		StartsAt:     t0,
		Value:        0.05,
		GeneratorURL: "http://vigil.test:9096/graph?g0.expr=x&g0.tab=1",
	}
}

// webEvent is the PagerDuty event expected for webAlert: action trigger or
// resolve, timestamp when it started firing or resolved.
func webEvent(action, timestamp string) string {
	state := "firing"
	if action == "resolve" {
		state = "resolved"
	}
	return webEventWith(action, timestamp, "", state, "")
}

// webEventWith is a PagerDuty event of webAlert with the summary prefix,
// custom_details.state and extra custom details (`"caused_by": [...]`).
func webEventWith(action, timestamp, summaryPrefix, state, extraDetails string) string {
	if extraDetails != "" {
		extraDetails = ",\n" + extraDetails
	}
	return fmt.Sprintf(`{
		"routing_key": "R0UT1NGKEY",
		"event_action": %q,
		"dedup_key": %q,
		"links": [
			{"href": "https://runbooks.example/high-error-rate", "text": "Runbook"},
			{"href": "http://vigil.test:9096/graph?g0.expr=x&g0.tab=1", "text": "Query in Vigil"}
		],
		"client": "Vigil",
		"payload": {
			"summary": "%s5%% of requests to web-1 fail",
			"source": "web-1:8080",
			"severity": "warning",
			"timestamp": %q,
			"custom_details": {
				"labels": {"alertname": "HighErrorRate", "instance": "web-1:8080", "job": "web", "severity": "warning"},
				"annotations": {"runbook_url": "https://runbooks.example/high-error-rate", "summary": "5%% of requests to web-1 fail"},
				"value": "0.05",
				"state": %q%s
			}
		}
	}`, action, alerting.DedupKey(webAlert().Labels), summaryPrefix, timestamp, state, extraDetails)
}

func TestPagerDutyTriggerThenResolve(t *testing.T) {
	pd := newStub(t)
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	alert := webAlert()
	for range 3 { // every evaluation hands the firing alert again
		h.n.Notify([]alerting.Notification{alert})
		h.waitIdle(t)
	}
	h.n.Notify([]alerting.Notification{resolvedAt(alert, t0.Add(5*time.Minute))})
	h.waitIdle(t)

	reqs := pd.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		require.Equal(t, "POST /v2/enqueue application/json", r.method+" "+r.path+" "+r.contentType)
	}
	require.JSONEq(t, webEvent("trigger", "2026-03-01T12:00:00Z"), reqs[0].body)
	require.JSONEq(t, webEvent("resolve", "2026-03-01T12:05:00Z"), reqs[1].body)
	require.Regexp(t, `^vigil-[0-9a-f]{16}$`, alerting.DedupKey(alert.Labels))
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "trigger"))
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "resolve"))
}

func TestPagerDutyRetriesA500(t *testing.T) {
	pd := newStub(t, http.StatusInternalServerError, http.StatusAccepted)
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	h.waitIdle(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	h.waitIdle(t)

	want := webEvent("trigger", "2026-03-01T12:00:00Z")
	require.Equal(t, normJSON(t, want, want), normJSON(t, pd.bodies()...))
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "trigger"))
	require.Equal(t, 0.0, h.metric(t, "failed", "pagerduty", reasonGaveUp))
	require.Contains(t, h.logs.String(), `msg="notification attempt failed; retrying"`)
	require.Contains(t, h.logs.String(), "HTTP status 500")
}

func TestPagerDutyRejectionIsNotRetried(t *testing.T) {
	pd := newStub(t, http.StatusBadRequest)
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	for range 3 { // later evaluations of the same firing alert do not resend
		h.n.Notify([]alerting.Notification{webAlert()})
		h.waitIdle(t)
	}
	require.Len(t, pd.requests(), 1)
	require.Equal(t, 1.0, h.metric(t, "failed", "pagerduty", reasonRejected))
	require.Equal(t, 0.0, h.metric(t, "sent", "pagerduty", "trigger"))
	logs := h.logs.String()
	require.Contains(t, logs, `level=ERROR msg="notification rejected; not retrying" receiver=pagerduty action=trigger`)
	require.Contains(t, logs, `HTTP status 400: {\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"'routing_key' is invalid\"]}`)

	h.clock.advance(DefaultRepeatInterval) // after repeat_interval it is tried again
	h.n.Notify([]alerting.Notification{webAlert()})
	h.waitIdle(t)
	require.Len(t, pd.requests(), 2)
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "trigger"))
}

func TestPagerDutyDownThenUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // down: connections are refused

	cfg := Config{PagerDuty: &PagerDutyConfig{RoutingKey: "R0UT1NGKEY", EventsURL: "http://" + addr}, GiveUpAfter: time.Second}
	h := newHarness(t, Options{Config: cfg}).start(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	r := h.n.receivers[PagerDutyReceiver]
	waitFor(t, "trigger in flight", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.inflight != "" })
	h.n.Notify([]alerting.Notification{webAlert()}) // next evaluation: not queued twice
	waitFor(t, "dispatch", func() bool { return h.n.busy.Load() == 0 })
	r.mu.Lock()
	require.Equal(t, 0, r.queue.len())
	r.mu.Unlock()
	h.waitIdle(t)
	require.Equal(t, 1.0, h.metric(t, "failed", "pagerduty", reasonGaveUp))
	require.Contains(t, h.logs.String(), `msg="notification not delivered; gave up"`)

	pd := &stub{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(pd.serve))
	srv.Listener.Close()
	srv.Listener, err = net.Listen("tcp", addr) // up again, same address
	require.NoError(t, err)
	srv.Start()
	defer srv.Close()
	h.n.Notify([]alerting.Notification{webAlert()}) // still firing
	h.waitIdle(t)
	require.Equal(t, normJSON(t, webEvent("trigger", "2026-03-01T12:00:00Z")), normJSON(t, pd.bodies()...))
	require.Equal(t, 1.0, h.metric(t, "sent", "pagerduty", "trigger"))
}

func TestRepeatInterval(t *testing.T) {
	pd := newStub(t)
	cfg := pdConfig(pd)
	cfg.RepeatInterval = time.Hour
	h := newHarness(t, Options{Config: cfg}).start(t)
	notify := func(advance time.Duration) int {
		h.clock.advance(advance)
		h.n.Notify([]alerting.Notification{webAlert()})
		h.waitIdle(t)
		return len(pd.requests())
	}
	require.Equal(t, 1, notify(0))
	require.Equal(t, 1, notify(59*time.Minute))
	require.Equal(t, 1, notify(time.Minute-time.Nanosecond))
	require.Equal(t, 2, notify(time.Nanosecond)) // an hour after the first trigger
	require.Equal(t, 2, notify(30*time.Minute))
	require.Equal(t, 3, notify(30*time.Minute))
	for _, b := range pd.bodies() {
		require.JSONEq(t, webEvent("trigger", "2026-03-01T12:00:00Z"), b)
	}
}

func TestRestartNeitherRepagesNorForgets(t *testing.T) {
	pd := newStub(t)
	state := filepath.Join(t.TempDir(), "notify", "log.json")
	first := newHarness(t, Options{Config: pdConfig(pd), StateFile: state}).start(t)
	first.n.Notify([]alerting.Notification{webAlert()})
	first.waitIdle(t)
	first.stop(t)
	require.Len(t, pd.requests(), 1)
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	require.JSONEq(t, fmt.Sprintf(`{"version": 1, "deliveries": [
		{"receiver": "pagerduty", "dedup_key": %q, "action": "trigger", "at": "2026-03-01T12:01:00Z"}]}`,
		alerting.DedupKey(webAlert().Labels)), string(data))

	second := newHarness(t, Options{Config: pdConfig(pd), StateFile: state}).start(t)
	second.n.Notify([]alerting.Notification{webAlert()}) // still firing after the restart
	second.waitIdle(t)
	require.Len(t, pd.requests(), 1)
	second.n.Notify([]alerting.Notification{resolvedAt(webAlert(), t0.Add(5*time.Minute))})
	second.waitIdle(t)
	require.Len(t, pd.requests(), 2)
	require.JSONEq(t, webEvent("resolve", "2026-03-01T12:05:00Z"), pd.requests()[1].body)
	second.stop(t)

	data, err = os.ReadFile(state)
	require.NoError(t, err)
	require.JSONEq(t, `{"version": 1, "deliveries": []}`, string(data))
	_, err = os.Stat(state + ".tmp")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestRoutingToWebhookAndSlack(t *testing.T) {
	pd, hook, slack := newStub(t), newStub(t), newStub(t)
	cfg := Config{
		PagerDuty: &PagerDutyConfig{RoutingKey: "R0UT1NGKEY", EventsURL: pd.srv.URL},
		Receivers: []Receiver{
			{Name: "audit", Webhook: &WebhookConfig{URL: hook.srv.URL + "/hook"}},
			{Name: "chat", Slack: &SlackConfig{URL: slack.srv.URL + "/services/T0/B0/X", Channel: "#db"}},
		},
		Routes: []Route{
			{Match: map[string]string{"team": "audit"}, Receiver: "audit"},
			{MatchRE: map[string]string{"service": "db-.*"}, Receiver: "chat"},
		},
	}
	h := newHarness(t, Options{Config: cfg}).start(t)
	audit := firing("alertname", "DiskFull", "team", "audit", "service", "db-1")
	chat := firing("alertname", "ReplicaLag", "service", "db-2", "severity", "info")
	chat.Annotations = labels.FromStrings("description", "replica is 30s behind", "runbook_url", "https://rb/lag", "summary", "db-2 lags")
	other := firing("alertname", "Other", "service", "web")
	h.n.Notify([]alerting.Notification{audit, chat, other})
	h.waitIdle(t)
	h.n.Notify([]alerting.Notification{resolvedAt(audit, t0.Add(time.Minute)), resolvedAt(chat, t0.Add(time.Minute))})
	h.waitIdle(t)

	require.Len(t, pd.requests(), 1)
	require.Contains(t, pd.requests()[0].body, alerting.DedupKey(other.Labels))
	fp := strings.TrimPrefix(alerting.DedupKey(audit.Labels), "vigil-")
	require.Equal(t, normJSON(t,
		webhookBody("firing", "0001-01-01T00:00:00Z", fp),
		webhookBody("resolved", "2026-03-01T12:01:00Z", fp),
	), normJSON(t, hook.bodies()...))
	require.Equal(t, "/hook", hook.requests()[0].path)
	require.Equal(t, normJSON(t, slackBody("FIRING", "danger"), slackBody("RESOLVED", "good")), normJSON(t, slack.bodies()...))
	require.Equal(t, "/services/T0/B0/X", slack.requests()[0].path)
}

func webhookBody(status, endsAt, fingerprint string) string {
	return fmt.Sprintf(`{"version": "4", "status": %[1]q, "alerts": [{
		"status": %[1]q,
		"labels": {"alertname": "DiskFull", "service": "db-1", "team": "audit"},
		"annotations": {"summary": "it broke"},
		"startsAt": "2026-03-01T12:00:00Z",
		"endsAt": %[2]q,
		"generatorURL": "http://vigil.test:9096/graph?g0.expr=up+%%3D%%3D+0&g0.tab=1",
		"fingerprint": %[3]q
	}]}`, status, endsAt, fingerprint)
}

func slackBody(state, color string) string {
	return fmt.Sprintf(`{
		"channel": "#db",
		"text": "[%s] ReplicaLag: db-2 lags",
		"attachments": [{
			"color": %q,
			"title": "db-2 lags",
			"title_link": "http://vigil.test:9096/graph?g0.expr=up+%%3D%%3D+0&g0.tab=1",
			"text": "replica is 30s behind\nRunbook: <https://rb/lag>",
			"fields": [
				{"title": "alertname", "value": "ReplicaLag", "short": true},
				{"title": "service", "value": "db-2", "short": true},
				{"title": "severity", "value": "info", "short": true}
			]
		}]
	}`, state, color)
}

func TestQueueOverflowDropsOldest(t *testing.T) {
	pd := newStub(t)
	release := pd.holdRequests()
	defer release()
	cfg := pdConfig(pd)
	cfg.QueueSize = 2
	h := newHarness(t, Options{Config: cfg}).start(t)
	a, b, c, d := firing("alertname", "A"), firing("alertname", "B"), firing("alertname", "C"), firing("alertname", "D")
	h.n.Notify([]alerting.Notification{a})
	waitFor(t, "A in flight", func() bool { return len(pd.requests()) == 1 })
	h.n.Notify([]alerting.Notification{b, c, d, c}) // C twice: queued once
	waitFor(t, "dispatch", func() bool { return h.n.busy.Load() == 0 })
	require.Equal(t, 1.0, h.metric(t, "dropped", "pagerduty"))
	require.Equal(t, 2.0, h.metric(t, "queue", "pagerduty"))
	require.Contains(t, h.logs.String(), `msg="notification queue full; dropped the oldest" receiver=pagerduty dedup_key=`+alerting.DedupKey(b.Labels)+` alertname=B`)
	release()
	h.waitIdle(t)
	require.Equal(t, []string{"A", "C", "D"}, alertNames(t, pd.bodies()))
	require.Equal(t, 0.0, h.metric(t, "queue", "pagerduty"))
}

func TestInboxOverflowDropsOldestBatch(t *testing.T) {
	pd := newStub(t)
	cfg := pdConfig(pd)
	cfg.QueueSize = 2
	h := newHarness(t, Options{Config: cfg}) // not running: the inbox fills
	h.n.Notify([]alerting.Notification{firing("alertname", "A"), firing("alertname", "A2")})
	h.n.Notify([]alerting.Notification{firing("alertname", "B")})
	h.n.Notify([]alerting.Notification{firing("alertname", "C")})
	require.Equal(t, 2.0, h.metric(t, "dropped", ""))
	h.start(t)
	h.waitIdle(t)
	require.Equal(t, []string{"B", "C"}, alertNames(t, pd.bodies()))
}

func TestFailingReceiverDoesNotDelayOthers(t *testing.T) {
	slow, fast := newStub(t), newStub(t)
	release := slow.holdRequests()
	defer release()
	cfg := Config{
		Receivers: []Receiver{
			{Name: "slow", Webhook: &WebhookConfig{URL: slow.srv.URL}},
			{Name: "fast", Webhook: &WebhookConfig{URL: fast.srv.URL}},
		},
		Routes:  []Route{{Match: map[string]string{"team": "slow"}, Receiver: "slow"}},
		Default: "fast",
	}
	h := newHarness(t, Options{Config: cfg}).start(t)
	h.n.Notify([]alerting.Notification{firing("alertname", "S1", "team", "slow"), firing("alertname", "S2", "team", "slow")})
	waitFor(t, "S1 held", func() bool { return len(slow.requests()) == 1 })
	h.n.Notify([]alerting.Notification{firing("alertname", "F")})
	waitFor(t, "F delivered", func() bool { return h.metric(t, "sent", "fast", "trigger") == 1 })
	require.Len(t, slow.requests(), 1)
	release()
	h.waitIdle(t)
	require.Len(t, slow.requests(), 2)
}

func TestRunStopsRetryingOnCancel(t *testing.T) {
	pd := newStub(t)
	pd.failWith(http.StatusServiceUnavailable)
	state := filepath.Join(t.TempDir(), "log.json")
	h := newHarness(t, Options{Config: pdConfig(pd), StateFile: state}).start(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	waitFor(t, "two attempts", func() bool { return len(pd.requests()) >= 2 })
	h.stop(t)
	require.Equal(t, 1.0, h.metric(t, "failed", "pagerduty", reasonCanceled))
	_, err := os.Stat(state)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing was delivered, so there is nothing to log")
}

func TestPagerDutyAcceptsUndecodable2xx(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusAccepted) // no body
	}))
	defer srv.Close()
	s := newPagerDutySender(PagerDutyConfig{RoutingKey: "k", EventsURL: srv.URL + "/"}, srv.Client())
	require.NoError(t, s.send(t.Context(), event{action: actionTrigger, dedupKey: "vigil-0", n: webAlert()}))
	require.Equal(t, int32(1), got.Load())
}

func TestPagerDutyStatusAndBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("slow down"))
	}))
	defer srv.Close()
	s := newPagerDutySender(PagerDutyConfig{RoutingKey: "k", EventsURL: srv.URL}, srv.Client())
	err := s.send(t.Context(), event{action: actionTrigger, dedupKey: "vigil-0", n: webAlert()})
	var se *sendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, sendError{status: 429, body: "slow down", retryAfter: 7 * time.Second, err: se.err}, *se)
	require.True(t, retryable(err))
	require.Equal(t, "HTTP status 429: slow down", err.Error())
}
