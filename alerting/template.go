package alerting

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/template"
)

// templateDefs are the variables every label and annotation template of an
// alerting rule can use, as in Prometheus.
const templateDefs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// expander expands the templates of one alert: its labels and annotations
// with $labels (the series' labels), $value, $externalURL and Prometheus'
// template functions (humanize, query, …).
type expander struct {
	name        string // template name, "__alert_" + alert name
	data        any
	ts          model.Time
	query       template.QueryFunc
	externalURL *url.URL
	err         error // the first expansion error, for the log
}

// newExpander prepares the expansion of the templates of alert name for
// sample s evaluated at ts.
func newExpander(name string, s promql.Sample, ts time.Time, e *env) *expander {
	return &expander{
		name:        "__alert_" + name,
		data:        template.AlertTemplateData(s.Metric.Map(), map[string]string{}, e.externalURL, s),
		ts:          model.TimeFromUnixNano(ts.UnixNano()),
		query:       templateQuery(e.query),
		externalURL: e.parsedURL,
	}
}

// expand returns text expanded; a text without "{{" is returned as it is
// (the common case, and the template engine would return it unchanged). A
// failed expansion gives "<error expanding template: …>" as Prometheus does,
// so a broken template never hides the alert. ctx bounds the `query`
// template function.
func (x *expander) expand(ctx context.Context, text string) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	tmpl := template.NewTemplateExpander(ctx, templateDefs+text, x.name, x.data, x.ts, x.query, x.externalURL, nil)
	out, err := tmpl.Expand()
	if err != nil {
		if x.err == nil {
			x.err = err
		}
		return fmt.Sprintf("<error expanding template: %s>", err)
	}
	return out
}

// expandAll returns ls with every value expanded.
func (x *expander) expandAll(ctx context.Context, ls labels.Labels, b *labels.ScratchBuilder) labels.Labels {
	b.Reset()
	ls.Range(func(l labels.Label) {
		b.Add(l.Name, x.expand(ctx, l.Value))
	})
	return b.Labels()
}
