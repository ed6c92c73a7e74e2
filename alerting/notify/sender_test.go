package notify

import (
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func TestSeverity(t *testing.T) {
	for in, want := range map[string]string{
		"critical": "critical", "error": "error", "warning": "warning", "info": "info",
		"Warning": "warning", "": "critical", "page": "critical", "high": "critical",
	} {
		require.Equal(t, want, severity(in), in)
	}
}

func TestSummaryFallsBackToLabels(t *testing.T) {
	n := firing("alertname", "DiskFull", "instance", "db-1", "job", "node")
	n.Annotations = labels.EmptyLabels()
	require.Equal(t, `DiskFull {instance="db-1", job="node"}`, summary(n))
	n.Labels = labels.FromStrings("alertname", "Watchdog")
	require.Equal(t, "Watchdog", summary(n))
	n.Labels = labels.FromStrings("job", "x")
	require.Equal(t, `{job="x"}`, summary(n))
}

func TestSummaryIsCutAtARuneBoundary(t *testing.T) {
	n := firing("alertname", "A")
	n.Annotations = labels.FromStrings("summary", strings.Repeat("a", 1022)+"é€")
	s := summary(n)
	require.Equal(t, strings.Repeat("a", 1022)+"é", s)
	require.LessOrEqual(t, len(s), maxSummary)
}

func TestSource(t *testing.T) {
	s := newPagerDutySender(PagerDutyConfig{RoutingKey: "k"}, nil)
	require.Equal(t, "web-1:8080", s.source(labels.FromStrings("instance", "web-1:8080")))
	require.Equal(t, "vigil", s.source(labels.FromStrings("job", "x")))
	s = newPagerDutySender(PagerDutyConfig{RoutingKey: "k", Source: "vigil-eu"}, nil)
	require.Equal(t, "vigil-eu", s.source(labels.FromStrings("instance", "web-1:8080")))
}
