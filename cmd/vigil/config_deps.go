package main

import (
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// dependenciesSchema maps the keys of the dependencies section. Relative
// services file globs are resolved against dir, the directory of the
// configuration file, as rule file globs are.
func dependenciesSchema(d *decoder, c *DependenciesConfig, dir string) schema {
	return schema{
		"files":   d.globs(&c.Files, dir),
		"weights": d.weights(&c.Weights),
	}
}

// weightsKeys records where the keys of a weights section are set, for the
// checks that span the section.
type weightsKeys struct {
	expr, caller, callee int // lines; 0 when the key is not set
}

// weights decodes dependencies.weights: the keys it sets over
// DefaultWeightsConfig, then the checks across keys. A section with a
// problem leaves dst nil.
func (d *decoder) weights(dst **WeightsConfig) decodeFunc {
	return func(n *yaml.Node, path string) {
		w := DefaultWeightsConfig()
		var at weightsKeys
		before := len(d.errs)
		d.mapping(weightsSchema(d, &w, &at))(n, path)
		if n.Kind != yaml.MappingNode {
			return
		}
		d.checkWeights(&w, at, n, path)
		if len(d.errs) == before {
			*dst = &w
		}
	}
}

// weightsSchema maps the keys of dependencies.weights.
func weightsSchema(d *decoder, w *WeightsConfig, at *weightsKeys) schema {
	return schema{
		"expr":               line(&at.expr, d.promQL(&w.Expr)),
		"caller_label":       line(&at.caller, d.labelName(&w.CallerLabel)),
		"callee_label":       line(&at.callee, d.labelName(&w.CalleeLabel)),
		"user_callers":       d.userCallers(&w.UserCallers),
		"interval":           d.positiveDuration(&w.Interval),
		"critical_threshold": d.positiveFraction(&w.CriticalThreshold),
	}
}

// checkWeights checks what no single key can: expr is there, and the two
// labels differ.
func (d *decoder) checkWeights(w *WeightsConfig, at weightsKeys, n *yaml.Node, path string) {
	if at.expr == 0 {
		d.errorf(n, path, "expr is required: a PromQL expression of the request rate by caller and callee label, such as 'sum by (caller, callee) (rate(rpc_requests_total[5m]))'")
	}
	if w.CallerLabel == w.CalleeLabel {
		d.errorAt(max(at.caller, at.callee, n.Line), path, "caller_label and callee_label are both %q; they must differ", w.CallerLabel)
	}
}

// promQL decodes a PromQL expression, parsed here so that a typo stops the
// start rather than every later evaluation.
func (d *decoder) promQL(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		var s string
		d.nonEmpty(&s)(n, path)
		if s == "" {
			return
		}
		if _, err := parser.NewParser(parser.Options{}).ParseExpr(s); err != nil {
			d.errorf(n, path, "invalid PromQL expression %q: %s", s, oneLine(err.Error()))
			return
		}
		*dst = s
	}
}

// oneLine joins the lines of a multi-line message, so that a problem
// stays on the line of its FILE:LINE.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// labelName decodes a label name, [a-zA-Z_][a-zA-Z0-9_]*.
func (d *decoder) labelName(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a label name")
		if !ok {
			return
		}
		if !model.LegacyValidation.IsValidLabelName(s) {
			d.errorf(n, path, "invalid label name %q: want letters, digits and _, not starting with a digit", s)
			return
		}
		*dst = s
	}
}

// userCallers decodes dependencies.weights.user_callers: a non-empty list
// of caller label values, "" (no caller label) included.
func (d *decoder) userCallers(dst *[]string) decodeFunc {
	return func(n *yaml.Node, path string) {
		var callers []string
		d.list(
			func(n int) { callers = make([]string, n) },
			func(i int) decodeFunc { return d.str(&callers[i]) },
		)(n, path)
		if n.Kind != yaml.SequenceNode {
			return
		}
		if len(callers) == 0 {
			d.errorf(n, path, `must not be empty: list the callers that are users ("" for requests without a caller)`)
			return
		}
		*dst = callers
	}
}
