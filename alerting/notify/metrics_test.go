package notify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
)

func TestAttemptsFailedWhileReceiverIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // down: connections are refused

	cfg := Config{PagerDuty: &PagerDutyConfig{RoutingKey: "R0UT1NGKEY", EventsURL: "http://" + addr}, GiveUpAfter: time.Hour}
	h := newHarness(t, Options{Config: cfg}).start(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	for want := 1.0; want <= 3; want++ { // each attempt shows at once, long before give_up_after
		waitFor(t, fmt.Sprintf("%v failed attempts", want), func() bool {
			return h.metric(t, "attempts", "pagerduty", attemptNetwork) >= want
		})
	}
	require.Equal(t, 0.0, h.metric(t, "failed", "pagerduty", reasonGaveUp))
	require.Equal(t, 0.0, h.metric(t, "sent", "pagerduty", "trigger"))
}

func TestAttemptsFailedByReason(t *testing.T) {
	pd := newStub(t, http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadRequest)
	h := newHarness(t, Options{Config: pdConfig(pd)}).start(t)
	h.n.Notify([]alerting.Notification{webAlert()})
	h.waitIdle(t)
	require.Len(t, pd.requests(), 4)
	require.NoError(t, testutil.GatherAndCompare(h.reg, strings.NewReader(`
# HELP vigil_notification_attempts_failed_total Delivery attempts that failed, retried or not, by receiver and reason: network, 429, 5xx, 4xx, other.
# TYPE vigil_notification_attempts_failed_total counter
vigil_notification_attempts_failed_total{reason="429",receiver="pagerduty"} 1
vigil_notification_attempts_failed_total{reason="4xx",receiver="pagerduty"} 1
vigil_notification_attempts_failed_total{reason="5xx",receiver="pagerduty"} 2
vigil_notification_attempts_failed_total{reason="network",receiver="pagerduty"} 0
`), "vigil_notification_attempts_failed_total"))
	require.Equal(t, 1.0, h.metric(t, "failed", "pagerduty", reasonRejected), "the final outcome is still counted once")
}

func TestAttemptReason(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&sendError{err: errors.New("connection refused")}, "network"},
		{&sendError{status: 429}, "429"},
		{&sendError{status: 500}, "5xx"},
		{&sendError{status: 503}, "5xx"},
		{&sendError{status: 400}, "4xx"},
		{&sendError{status: 404}, "4xx"},
		{&sendError{status: 302}, "other"},
		{errors.New("encode notification: bad"), "other"},
	} {
		require.Equal(t, tc.want, attemptReason(tc.err), "%v", tc.err)
	}
}
