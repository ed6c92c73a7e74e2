package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/alerting/notify"
)

// A Notifier with only the PagerDuty shorthand pages every alert once,
// however many evaluations hand it the firing alert, and resolves it.
func Example() {
	events := make(chan string, 10)
	pd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Action  string `json:"event_action"`
			Payload struct {
				Summary  string `json:"summary"`
				Severity string `json:"severity"`
			} `json:"payload"`
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		w.WriteHeader(http.StatusAccepted)
		events <- fmt.Sprintf("%s %q %s", ev.Action, ev.Payload.Summary, ev.Payload.Severity)
	}))
	defer pd.Close()

	n, err := notify.New(notify.Options{
		Config: notify.Config{
			PagerDuty: &notify.PagerDutyConfig{RoutingKey: "R0UT1NGKEY", EventsURL: pd.URL},
		},
		StateFile: "", // in memory; use <data_dir>/notify/log.json to survive restarts
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); n.Run(ctx) }()

	alert := alerting.Notification{
		Labels:      labels.FromStrings("alertname", "DiskFull", "instance", "db-1", "severity", "warning"),
		Annotations: labels.FromStrings("summary", "disk of db-1 is 95% full"),
		StartsAt:    time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	n.Notify([]alerting.Notification{alert})
	fmt.Println(<-events)
	n.Notify([]alerting.Notification{alert}) // next evaluation: already paged
	alert.EndsAt = alert.StartsAt.Add(10 * time.Minute)
	n.Notify([]alerting.Notification{alert})
	fmt.Println(<-events)

	cancel()
	<-done
	// Output:
	// trigger "disk of db-1 is 95% full" warning
	// resolve "disk of db-1 is 95% full" warning
}
