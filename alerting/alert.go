package alerting

import (
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// Alert is one labelled instance of an alerting rule (a snapshot; safe to keep).
type Alert struct {
	Labels          labels.Labels // alertname + series labels + rule labels + group labels
	Annotations     labels.Labels // expanded templates
	State           State
	Value           float64
	ActiveAt        time.Time // became pending
	FiredAt         time.Time // became firing (zero if never)
	ResolvedAt      time.Time // zero while active
	LastSentAt      time.Time
	KeepFiringSince time.Time
	UnknownSince    time.Time // data went missing (StateUnknown)
}
