package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/prometheus/model/labels"
)

// errEmptyLabelSet is the problem of a series without a label, once labels
// with empty values are dropped.
var errEmptyLabelSet = errors.New("empty label set (labels with empty values count as absent)")

// seriesBuilder turns the labels of one decoded series into a sorted, valid
// labels.Labels. Both decoders go through it, so the rules live here only:
//
//   - the metric name (label __name__) is in the classic charset
//     [a-zA-Z_:][a-zA-Z0-9_:]*; label names are [a-zA-Z_][a-zA-Z0-9_]*;
//   - label values are valid UTF-8;
//   - no label name appears twice;
//   - a label with an empty value is dropped, as Prometheus treats it as
//     absent, and at least one label must remain.
type seriesBuilder struct {
	sb labels.ScratchBuilder
}

// build returns the labels ls (views into a request, in the order they came)
// sorted and without empty values, or the first problem found. It allocates
// the label set and nothing else; the label set shares no memory with ls.
func (b *seriesBuilder) build(ls []wireLabel) (labels.Labels, error) {
	hasEmpty := false
	for _, l := range ls {
		if err := checkLabel(l.name, l.value); err != nil {
			return labels.EmptyLabels(), err
		}
		hasEmpty = hasEmpty || len(l.value) == 0
	}
	b.sb.Reset()
	for _, l := range ls {
		b.sb.Add(labelString(l.name), labelString(l.value))
	}
	b.sb.Sort()
	out := b.sb.Labels()
	if name, dup := out.HasDuplicateLabelNames(); dup {
		return labels.EmptyLabels(), fmt.Errorf("duplicate label name %q", name)
	}
	if hasEmpty {
		out = out.WithoutEmpty()
	}
	if out.IsEmpty() {
		return out, errEmptyLabelSet
	}
	return out, nil
}

// checkLabel checks one label's name and value.
func checkLabel(name, value []byte) error {
	switch {
	case !validLabelName(name):
		return fmt.Errorf("invalid label name %q", name)
	case string(name) == labels.MetricName && !validMetricName(value):
		return fmt.Errorf("invalid metric name %q", value)
	case !utf8.Valid(value):
		return fmt.Errorf("invalid UTF-8 in the value of label %s: %q", name, value)
	}
	return nil
}

// validMetricName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validMetricName(s []byte) bool {
	for i, c := range s {
		if !(isNameStart(c) || c == ':' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return len(s) > 0
}

// validLabelName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]*.
func validLabelName(s []byte) bool {
	for i, c := range s {
		if !(isNameStart(c) || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return len(s) > 0
}

func isNameStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// seriesError names the series that has a problem.
func seriesError(problem error, series string) error {
	return fmt.Errorf("%w in series %s", problem, series)
}

// wireLabel is a label as it came in a request: views into the request.
type wireLabel struct {
	name, value []byte
}

// formatSeries writes labels in the order they came, for an error message:
// name{a="1", b="2"} when there is a valid metric name, {__name__="1x"}
// otherwise. Names that are not valid are quoted; values are always quoted.
func formatSeries(ls []wireLabel) string {
	var b strings.Builder
	name := metricNameOf(ls)
	b.Write(name)
	b.WriteByte('{')
	sep, skip := "", name != nil
	for _, l := range ls {
		if skip && string(l.name) == labels.MetricName {
			skip = false // printed before the braces
			continue
		}
		b.WriteString(sep)
		writeLabelName(&b, l.name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(l.value)))
		sep = ", "
	}
	b.WriteByte('}')
	return b.String()
}

// metricNameOf returns the value of the first __name__ label of ls if it is
// a valid metric name, nil otherwise.
func metricNameOf(ls []wireLabel) []byte {
	for _, l := range ls {
		if string(l.name) != labels.MetricName {
			continue
		}
		if validMetricName(l.value) {
			return l.value
		}
		return nil
	}
	return nil
}

func writeLabelName(b *strings.Builder, name []byte) {
	if validLabelName(name) {
		b.Write(name)
		return
	}
	b.WriteString(strconv.Quote(string(name)))
}
