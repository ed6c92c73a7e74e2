package alerting

import (
	"context"
	"slices"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// probe tells, for an alert its rule's expression stopped returning,
// whether the condition cleared or the input data went missing. It
// evaluates the operand of the rule's top comparison that the alert's
// labels come from: if that operand still returns a series with the
// alert's labels, the condition cleared; if not, the data is missing.
type probe struct {
	query string   // the operand, printed
	drop  []string // sorted label names not compared: alertname, rule labels, group_x labels
}

// newProbe returns the probe of an expression whose top node (inside any
// parentheses) is a filtering comparison (`a > b`, not `a > bool b`), or
// nil for any other shape, whose alerts resolve when they disappear (as in
// Prometheus). Chained comparisons (`5 < x < 10`) probe their innermost
// operand. An operand that contains `and` or `unless` gets no probe: there
// an absent series may be filtered rather than missing.
func newProbe(expr parser.Expr, ruleLabels labels.Labels) *probe {
	operand, include := comparedOperand(expr)
	if operand == nil || hasSetFilter(operand) {
		return nil
	}
	drop := []string{labels.AlertName}
	ruleLabels.Range(func(l labels.Label) { drop = append(drop, l.Name) })
	drop = append(drop, include...)
	slices.Sort(drop)
	return &probe{query: operand.String(), drop: slices.Compact(drop)}
}

// comparedOperand returns the operand of expr's top comparison whose
// labels the result carries, and the labels group_left/group_right copies
// from the other side; nil if expr is no filtering comparison.
func comparedOperand(expr parser.Expr) (parser.Expr, []string) {
	b, ok := unparen(expr).(*parser.BinaryExpr)
	if !ok || !b.Op.IsComparisonOperator() || b.ReturnBool {
		return nil, nil
	}
	side, include := b.LHS, []string(nil)
	switch {
	case b.LHS.Type() != parser.ValueTypeVector:
		side = b.RHS
	case b.VectorMatching != nil && b.VectorMatching.Card == parser.CardOneToMany:
		side, include = b.RHS, b.VectorMatching.Include
	case b.VectorMatching != nil && b.VectorMatching.Card == parser.CardManyToOne:
		include = b.VectorMatching.Include
	}
	if inner, innerInclude := comparedOperand(side); inner != nil {
		return inner, append(include, innerInclude...)
	}
	return side, include
}

// unparen strips the parentheses around e.
func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// hasSetFilter reports whether e uses `and` or `unless` anywhere.
func hasSetFilter(e parser.Expr) bool {
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if b, ok := n.(*parser.BinaryExpr); ok && (b.Op == parser.LAND || b.Op == parser.LUNLESS) {
			found = true
		}
		return nil
	})
	return found
}

// present evaluates the probe at ts and returns the keys of the series it
// returned, to be matched with key.
func (p *probe) present(ctx context.Context, q Querier, ts time.Time) (map[uint64]struct{}, error) {
	vec, err := instantVector(ctx, q, p.query, ts)
	if err != nil {
		return nil, err
	}
	keys := make(map[uint64]struct{}, len(vec))
	var buf []byte
	for _, s := range vec {
		var h uint64
		h, buf = s.Metric.HashWithoutLabels(buf, p.drop...)
		keys[h] = struct{}{}
	}
	return keys, nil
}

// key is the hash an alert's labels and the series it came from share:
// every label but __name__ and the probe's dropped names.
func (p *probe) key(ls labels.Labels, buf []byte) (uint64, []byte) {
	return ls.HashWithoutLabels(buf, p.drop...)
}
