package alerting

import (
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// GroupStatus is a snapshot of one rule group, for the API.
type GroupStatus struct {
	Name, File     string
	Interval       time.Duration
	Limit          int
	QueryOffset    time.Duration
	Rules          []RuleStatus
	LastEvaluation time.Time     // start of the last evaluation (zero before the first)
	EvaluationTime time.Duration // how long the last evaluation took
}

// RuleStatus is a snapshot of one rule of a group, for the API.
type RuleStatus struct {
	Type                string // "alerting" or "recording"
	Name                string // alert or record name
	Query               string
	Duration            time.Duration // for
	KeepFiringFor       time.Duration
	Labels, Annotations labels.Labels
	// State is the most severe state of the rule's alerts: "inactive",
	// "pending" or "firing"; an unknown alert counts as firing. Empty for
	// recording rules.
	State string
	// Unknown is how many of Alerts are in StateUnknown.
	Unknown        int
	Alerts         []Alert // pending, firing and unknown alerts
	Health         string  // "ok", "err", "unknown" (not evaluated yet)
	LastError      string
	LastEvaluation time.Time
	EvaluationTime time.Duration
}
