package alerting

import (
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/depgraph"
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

	// Suppressed is set on a firing or unknown alert that a firing cause
	// explains (see the package doc): it is handed over with
	// Notification.Suppressed and does not page. SuppressedBy holds the
	// explanations, root causes first; nil when not suppressed. A resolved
	// alert keeps the last decision.
	Suppressed   bool
	SuppressedBy []depgraph.Explanation
	// Held is set on a firing or unknown alert that only pending causes
	// explain: it is not handed over until they fire or clear, for at most
	// the longest `for` of those causes plus their group's interval.
	Held bool

	heldSince time.Time // when Held was first set in the current hold
	paged     bool      // handed over firing and not suppressed: delivery may have paged it
}
