package e2e

import (
	"bufio"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiAlert is one alert of /api/v1/alerts (and of a rule in /api/v1/rules),
// in Prometheus' shape plus Vigil's unknownSince.
type apiAlert struct {
	Labels          map[string]string `json:"labels"`
	Annotations     map[string]string `json:"annotations"`
	State           string            `json:"state"`
	ActiveAt        *time.Time        `json:"activeAt"`
	KeepFiringSince *time.Time        `json:"keepFiringSince"`
	UnknownSince    *time.Time        `json:"unknownSince"`
	Value           string            `json:"value"`
	// Suppressed, SuppressedBy and Held are the dependency graph's
	// additions: the alert is explained by a firing cause (and not paged),
	// by which causes, or it waits for a pending cause.
	Suppressed   bool             `json:"suppressed"`
	SuppressedBy []apiExplanation `json:"suppressedBy"`
	Held         bool             `json:"held"`
}

// apiExplanation is one cause that explains a suppressed alert: the cause
// instance and the path of graph nodes from the alert to it.
type apiExplanation struct {
	Alertname string            `json:"alertname"`
	Labels    map[string]string `json:"labels"`
	Path      []string          `json:"path"`
	Root      bool              `json:"root"`
}

func (a apiAlert) String() string {
	active := "-"
	if a.ActiveAt != nil {
		active = a.ActiveAt.Format(time.RFC3339Nano)
	}
	deps := ""
	switch {
	case a.Suppressed:
		deps = fmt.Sprintf(" suppressedBy=%+v", a.SuppressedBy)
	case a.Held:
		deps = " held"
	}
	return fmt.Sprintf("%s %s value=%s activeAt=%s%s", metricString(a.Labels), a.State, a.Value, active, deps)
}

// apiRuleGroup is one group of /api/v1/rules.
type apiRuleGroup struct {
	Name           string    `json:"name"`
	File           string    `json:"file"`
	Interval       float64   `json:"interval"`
	Rules          []apiRule `json:"rules"`
	LastEvaluation time.Time `json:"lastEvaluation"`
	EvaluationTime float64   `json:"evaluationTime"`
}

// apiRule is one rule of a group of /api/v1/rules.
type apiRule struct {
	Type           string            `json:"type"`
	Name           string            `json:"name"`
	Query          string            `json:"query"`
	Duration       float64           `json:"duration"`
	Labels         map[string]string `json:"labels"`
	Annotations    map[string]string `json:"annotations"`
	State          string            `json:"state"`
	Alerts         []apiAlert        `json:"alerts"`
	Health         string            `json:"health"`
	LastError      string            `json:"lastError"`
	LastEvaluation time.Time         `json:"lastEvaluation"`
	EvaluationTime float64           `json:"evaluationTime"`
}

// alerts calls /api/v1/alerts.
func (a *promAPI) alerts() ([]apiAlert, error) {
	var d struct {
		Alerts []apiAlert `json:"alerts"`
	}
	err := a.getData("/api/v1/alerts", url.Values{}, &d)
	return d.Alerts, err
}

// ruleGroups calls /api/v1/rules.
func (a *promAPI) ruleGroups() ([]apiRuleGroup, error) {
	var d struct {
		Groups []apiRuleGroup `json:"groups"`
	}
	err := a.getData("/api/v1/rules", url.Values{}, &d)
	return d.Groups, err
}

// rule returns the rule named name from /api/v1/rules.
func (a *promAPI) rule(name string) (apiRule, error) {
	groups, err := a.ruleGroups()
	if err != nil {
		return apiRule{}, err
	}
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Name == name {
				return r, nil
			}
		}
	}
	return apiRule{}, fmt.Errorf("/api/v1/rules has no rule %q (%d groups)", name, len(groups))
}

// alert returns the one alert of /api/v1/alerts named alertname, or ok
// false when there is none; more than one is an error.
func (a *promAPI) alert(alertname string) (al apiAlert, ok bool, err error) {
	all, err := a.alerts()
	if err != nil {
		return apiAlert{}, false, err
	}
	var found []apiAlert
	for _, x := range all {
		if x.Labels["alertname"] == alertname {
			found = append(found, x)
		}
	}
	switch len(found) {
	case 0:
		return apiAlert{}, false, nil
	case 1:
		return found[0], true, nil
	}
	return apiAlert{}, false, fmt.Errorf("/api/v1/alerts has %d alerts named %s: %v", len(found), alertname, found)
}

// metricSum returns the sum of every sample of the metric name in /metrics
// (all label sets), and the lines it read.
func (a *promAPI) metricSum(name string) (float64, []string, error) {
	resp, err := a.client.Get(a.base + "/metrics")
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var sum float64
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		lines = append(lines, line)
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, lines, fmt.Errorf("/metrics line %q: %w", line, err)
		}
		sum += v
	}
	return sum, lines, sc.Err()
}

// metricValue returns the value of the one sample of /metrics whose line
// starts with series (name{labels} exactly as exposed), or ok false.
func (a *promAPI) metricValue(series string) (v float64, ok bool, err error) {
	name, _, _ := strings.Cut(series, "{")
	_, lines, err := a.metricSum(name)
	if err != nil {
		return 0, false, err
	}
	for _, line := range lines {
		if rest, found := strings.CutPrefix(line, series+" "); found {
			v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			return v, err == nil, err
		}
	}
	return 0, false, nil
}
