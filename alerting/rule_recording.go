package alerting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// ErrDuplicateRecordingLabelSet is the error of a recording rule whose
// result has two series with the same labels once the rule's name and
// labels are set (Prometheus' message).
var ErrDuplicateRecordingLabelSet = errors.New("vector contains metrics with the same labelset after applying rule labels")

// recordingRule writes the result of its expression back as a new series.
type recordingRule struct {
	ruleBase
}

// newRecordingRule builds the rule r of a file; ls are its labels merged
// over the group's.
func newRecordingRule(r rulefmt.Rule, expr parser.Expr, ls labels.Labels) *recordingRule {
	return &recordingRule{ruleBase: newRuleBase(r.Record, expr, ls)}
}

// definition is the rule as written.
func (r *recordingRule) definition() string {
	return fmt.Sprintf("record %q expr %q labels %s", r.name, r.query, r.labels)
}

// eval queries the expression at ts minus the query offset and returns
// its series renamed to the rule's name with the rule's labels set.
// Histogram samples are skipped: Vigil's store holds floats.
func (r *recordingRule) eval(ctx context.Context, e *env, ts time.Time, gp groupParams) ([]Sample, error) {
	qts := ts.Add(-gp.queryOffset)
	vec, err := instantVector(ctx, e.query, r.query, qts)
	if err != nil {
		return nil, err
	}
	out := make([]Sample, 0, len(vec))
	seen := make(map[uint64]struct{}, len(vec))
	lb := labels.NewBuilder(labels.EmptyLabels())
	for _, s := range vec {
		if s.H != nil {
			continue
		}
		lb.Reset(s.Metric)
		lb.Set(labels.MetricName, r.name)
		r.labels.Range(func(l labels.Label) { lb.Set(l.Name, l.Value) })
		ls := lb.Labels()
		if _, dup := seen[ls.Hash()]; dup {
			return nil, ErrDuplicateRecordingLabelSet
		}
		seen[ls.Hash()] = struct{}{}
		out = append(out, Sample{Labels: ls, T: qts.UnixMilli(), V: s.F})
	}
	if gp.limit > 0 && len(out) > gp.limit {
		return nil, fmt.Errorf("exceeded limit of %d with %d series", gp.limit, len(out))
	}
	return out, nil
}

// status returns a snapshot of the rule.
func (r *recordingRule) status() RuleStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.baseStatus("recording")
}
