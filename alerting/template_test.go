package alerting

import (
	"testing"

	"github.com/prometheus/prometheus/promql"
)

// brokenAnnotation is what a template that fails at expansion becomes.
const brokenAnnotation = `<error expanding template: error executing template __alert_HighErrorRate: template: __alert_HighErrorRate:1:129: executing \"__alert_HighErrorRate\" at <humanize>: error calling humanize: strconv.ParseFloat: parsing \"api\": invalid syntax>`

func TestTemplateExpansion(t *testing.T) {
	h := newHarness(t, `
groups:
  - name: web
    rules:
      - alert: HighErrorRate
        expr: rate(errors[5m]) / rate(requests[5m]) > 0.05
        labels:
          severity: '{{ if gt $value 0.5 }}page{{ else }}ticket{{ end }}'
          static: plain
        annotations:
          summary: '{{ $labels.job }} on {{ $labels.instance }}: {{ $value | humanizePercentage }} errors'
          value: '{{ $value }}'
          link: '{{ $externalURL }}/api/v1/alerts'
          total: '{{ with query "sum(requests_total)" }}{{ . | first | value | humanize }}{{ end }} requests'
          broken: '{{ $labels.job | humanize }}'
`)
	h.q.vector(`rate(errors[5m]) / rate(requests[5m]) > 0.05`,
		sample(t, `{job="api",instance="a:80"}`, 0.75),
		sample(t, `{job="api",instance="b:80"}`, 0.0625))
	h.q.vector(`sum(requests_total)`, promql.Sample{F: 123456})
	h.q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="HighErrorRate",static="plain"}[1h]`)
	h.eval(0)
	alerts := h.m.Alerts()
	if len(alerts) != 2 {
		t.Fatalf("alerts %+v", alerts)
	}
	wantLabels := []string{
		`{alertname="HighErrorRate", instance="a:80", job="api", severity="page", static="plain"}`,
		`{alertname="HighErrorRate", instance="b:80", job="api", severity="ticket", static="plain"}`,
	}
	wantAnnotations := []string{
		`{broken="` + brokenAnnotation + `", link="http://vigil.example:9096/api/v1/alerts", summary="api on a:80: 75% errors", total="123.5k requests", value="0.75"}`,
		`{broken="` + brokenAnnotation + `", link="http://vigil.example:9096/api/v1/alerts", summary="api on b:80: 6.25% errors", total="123.5k requests", value="0.0625"}`,
	}
	for i, a := range alerts {
		if a.Labels.String() != wantLabels[i] || a.Annotations.String() != wantAnnotations[i] {
			t.Errorf("alert %d:\nlabels      %s\nannotations %s\nwant\nlabels      %s\nannotations %s", i, a.Labels, a.Annotations, wantLabels[i], wantAnnotations[i])
		}
	}
}
