package api

import (
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// RuleDiscovery is the data of /api/v1/rules.
type RuleDiscovery struct {
	RuleGroups []RuleGroup `json:"groups"`
	// GroupNextToken names the first group of the next page when group_limit
	// cut the list; empty on the last page.
	GroupNextToken string `json:"groupNextToken,omitempty"`
}

// RuleGroup is one rule group in Prometheus' shape.
type RuleGroup struct {
	Name string `json:"name"`
	File string `json:"file"`
	// Rules holds AlertingRule and RecordingRule values in file order.
	Rules []Rule `json:"rules"`
	// Interval is the evaluation interval in seconds.
	Interval float64 `json:"interval"`
	// Limit is the group's limit on alerts or series per rule; 0 is none.
	Limit int `json:"limit"`
	// EvaluationTime is how long the last evaluation took, in seconds.
	EvaluationTime float64 `json:"evaluationTime"`
	// LastEvaluation is when the last evaluation started; zero before the
	// first.
	LastEvaluation time.Time `json:"lastEvaluation"`
}

// Rule is an AlertingRule or a RecordingRule: one list keeps a group's rules
// in order while each type keeps its own fields, as in Prometheus.
type Rule any

// AlertingRule is an alerting rule in Prometheus' shape, followed by Vigil's
// addition.
type AlertingRule struct {
	// State is the most severe state of the rule's alerts: "inactive",
	// "pending" or "firing" (an unknown alert counts as firing).
	State string `json:"state"`
	Name  string `json:"name"`
	Query string `json:"query"`
	// Duration is the rule's `for`, in seconds.
	Duration float64 `json:"duration"`
	// KeepFiringFor is the rule's `keep_firing_for`, in seconds.
	KeepFiringFor float64       `json:"keepFiringFor"`
	Labels        labels.Labels `json:"labels"`
	Annotations   labels.Labels `json:"annotations"`
	// Alerts are the rule's active alerts; nil (JSON null) with
	// exclude_alerts=true.
	Alerts []Alert `json:"alerts"`
	// Health is "ok", "err" or "unknown" (not evaluated yet).
	Health string `json:"health"`
	// LastError is the error of the last evaluation; omitted when empty.
	LastError string `json:"lastError,omitempty"`
	// EvaluationTime is how long the last evaluation took, in seconds.
	EvaluationTime float64   `json:"evaluationTime"`
	LastEvaluation time.Time `json:"lastEvaluation"`
	// Type is always "alerting".
	Type string `json:"type"`

	// UnknownAlerts counts the rule's alerts in the "unknown" state; omitted
	// when 0. Vigil's addition.
	UnknownAlerts int `json:"unknownAlerts,omitempty"`
}

// RecordingRule is a recording rule in Prometheus' shape.
type RecordingRule struct {
	Name   string        `json:"name"`
	Query  string        `json:"query"`
	Labels labels.Labels `json:"labels"`
	// Health is "ok", "err" or "unknown" (not evaluated yet).
	Health string `json:"health"`
	// LastError is the error of the last evaluation; omitted when empty.
	LastError string `json:"lastError,omitempty"`
	// EvaluationTime is how long the last evaluation took, in seconds.
	EvaluationTime float64   `json:"evaluationTime"`
	LastEvaluation time.Time `json:"lastEvaluation"`
	// Type is always "recording".
	Type string `json:"type"`
}

// groupOf converts a group without its rules.
func groupOf(g alerting.GroupStatus) RuleGroup {
	return RuleGroup{
		Name:           g.Name,
		File:           g.File,
		Rules:          []Rule{},
		Interval:       g.Interval.Seconds(),
		Limit:          g.Limit,
		EvaluationTime: g.EvaluationTime.Seconds(),
		LastEvaluation: g.LastEvaluation,
	}
}

// alertingRuleOf converts an alerting rule, without its alerts when
// excludeAlerts is set.
func alertingRuleOf(r alerting.RuleStatus, excludeAlerts bool) AlertingRule {
	var alerts []Alert // null when excluded, as in Prometheus
	if !excludeAlerts {
		alerts = alertsOf(r.Alerts)
	}
	return AlertingRule{
		State:          orDefault(r.State, alerting.StateInactive.String()),
		Name:           r.Name,
		Query:          r.Query,
		Duration:       r.Duration.Seconds(),
		KeepFiringFor:  r.KeepFiringFor.Seconds(),
		Labels:         r.Labels,
		Annotations:    r.Annotations,
		Alerts:         alerts,
		Health:         orDefault(r.Health, healthUnknown),
		LastError:      r.LastError,
		EvaluationTime: r.EvaluationTime.Seconds(),
		LastEvaluation: r.LastEvaluation,
		Type:           alertingType,
		UnknownAlerts:  r.Unknown,
	}
}

// recordingRuleOf converts a recording rule.
func recordingRuleOf(r alerting.RuleStatus) RecordingRule {
	return RecordingRule{
		Name:           r.Name,
		Query:          r.Query,
		Labels:         r.Labels,
		Health:         orDefault(r.Health, healthUnknown),
		LastError:      r.LastError,
		EvaluationTime: r.EvaluationTime.Seconds(),
		LastEvaluation: r.LastEvaluation,
		Type:           recordingType,
	}
}

// The rule types of alerting.RuleStatus.Type, and the health of a rule not
// evaluated yet.
const (
	alertingType  = "alerting"
	recordingType = "recording"
	healthUnknown = "unknown"
)

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
