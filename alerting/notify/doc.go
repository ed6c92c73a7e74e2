// Package notify delivers alert notifications: to PagerDuty's Events API v2,
// to generic JSON webhooks and to Slack-compatible incoming webhooks.
//
// A Notifier implements alerting.Notifier. After every evaluation of a rule
// group the rules engine hands it every firing alert and every alert that
// just resolved; Notify queues the batch and returns without blocking.
// Run delivers:
//
//	n, err := notify.New(notify.Options{
//		Config: notify.Config{PagerDuty: &notify.PagerDutyConfig{RoutingKey: key}},
//		StateFile: filepath.Join(dataDir, "notify", "log.json"),
//		Registerer: reg,
//	})
//	if err != nil {
//		return err // every configuration problem, joined
//	}
//	go n.Run(ctx) // returns when ctx is done and every goroutine stopped
//	manager := alerting.NewManager(alerting.Options{Notifier: n, ...})
//
// # Routing
//
// Each alert goes to the receiver of the first Route whose matchers all
// match its labels, else to Config.Default. With only the PagerDuty
// shorthand and no routes, every alert goes to PagerDuty.
//
// # What is sent
//
// Per receiver and dedup key (alerting.DedupKey of the labels, identical on
// every replica) the notification log holds the last delivered trigger, its
// time and the causes it named. The causes of a notification are its
// CausedBy when it is Suppressed (explained by a firing cause), else none.
// From the log:
//
//	resolved,   trigger delivered                      → resolve
//	resolved,   never triggered                        → nothing
//	suppressed, never triggered                        → nothing: it never pages
//	firing,     never triggered (or resolved since)    → trigger
//	firing,     trigger delivered naming other causes  → update
//	suppressed, trigger delivered naming these causes  → nothing, not even a repeat
//	firing,     trigger delivered < repeat_interval    → nothing
//	firing,     trigger delivered >= repeat_interval   → trigger again
//
// An update is a trigger with the same dedup key: an alert paged before its
// cause fired keeps its incident, which learns of the causes once per change
// of the cause list (compared as a set), and once more when the causes
// resolve while it still fires. (PagerDuty opens a new incident for an
// update only if the old one was resolved by hand.)
//
// An alert already queued for a receiver is not queued twice: the queued
// entry takes the newest state. An alert being sent is queued again only if
// its new state would send something after the current send succeeds (a
// resolve behind a trigger); so a queued trigger whose alert becomes
// suppressed before its turn is not sent, and a first trigger still being
// retried then is withdrawn (no further attempt). The log records successful
// deliveries only, so when a receiver is down and a send gives up, the next
// Notify of the still-firing alert (every evaluation) tries again, and it is
// delivered once the receiver is back.
//
// # Delivery
//
// Every receiver has a bounded queue (Config.QueueSize alerts; when full the
// oldest is dropped and counted) and a send loop of its own, so a failing
// receiver delays no other. A send is retried on network errors, 429 and 5xx
// with exponential backoff (500 ms doubling to 30 s, jittered to between
// half and all of it, at least a 429's Retry-After), each attempt bounded by
// 10 s, until Config.GiveUpAfter after the first attempt; then it is logged
// and counted. Every failed attempt is counted as it fails, so a receiver
// that cannot be reached shows in the metrics at once. Any other 4xx is logged with the start of the response body
// and not retried; a rejected trigger is not sent again for the same firing
// alert until repeat_interval has passed (nor resent on every evaluation).
//
// # Messages
//
// PagerDuty events carry routing_key, event_action (trigger or resolve; an
// update is a trigger), dedup_key, payload.summary (the summary annotation,
// else the alert name and labels; prefixed "[data missing] " while the
// alert's State is "unknown"), payload.source (PagerDutyConfig.Source, else the instance
// label, else "vigil"), payload.severity (the severity label when it is
// critical, error, warning or info, else critical), payload.timestamp (when
// the alert started firing; when it resolved for a resolve),
// payload.custom_details {labels, annotations, value, state: "firing",
// "unknown (data missing)" or "resolved", and caused_by: the causes when
// suppressed}, links to the runbook_url annotation and to the GeneratorURL,
// client and client_url. Webhooks get Alertmanager's payload {version: "4",
// status, alerts: [{status, labels, annotations, startsAt, endsAt,
// generatorURL, fingerprint, causedBy (when suppressed)}]}, one alert per
// request. Slack gets {text: "[FIRING] name: summary", attachments: [{color,
// title, title_link, text, fields}]}, the text holding the description, a
// "Caused by: A{…}; B{…}" line when suppressed, and the runbook.
//
// # The notification log
//
// With Options.StateFile the log is a JSON file,
//
//	{"version": 1, "deliveries": [
//	  {"receiver": "pagerduty", "dedup_key": "vigil-…", "action": "trigger", "at": "…",
//	   "caused_by": ["MetadataDBDown{region=\"us-east\"}"]}]}
//
// rewritten after every delivery through a temp file, fsync, rename and an
// fsync of the directory, and saved again when Run returns. A delivered
// resolve removes the entry. New loads it: an alert delivered as a trigger
// before a restart and still firing after it is not triggered again until
// repeat_interval, nor updated again for causes already sent, and is
// resolved when it resolves. A corrupt file is logged and replaced by an
// empty log, never fatal.
//
// # Direct senders
//
// PagerDutySender (Trigger, Resolve with a caller-chosen dedup key) and
// PostJSON deliver one event while the caller waits, with the same retry
// rules and the same metrics (receiver label SenderOptions.Receiver), but
// no queue and no notification log: the caller decides what to send.
//
// # Metrics
//
// A Notifier and any number of direct senders may share one Registerer.
//
//	vigil_notifications_total{receiver,action}                 delivered: trigger, resolve, update, post
//	vigil_notifications_failed_total{receiver,reason}          final outcome: rejected, gave_up, canceled
//	vigil_notification_attempts_failed_total{receiver,reason}  each failed attempt: network, 429, 5xx, 4xx, other
//	vigil_notifications_dropped_total{receiver}                full queue (receiver="": the inbox)
//	vigil_notification_latency_seconds{receiver}               queued (or sent, for direct senders) → delivered
//	vigil_notify_queue_length{receiver}
package notify
