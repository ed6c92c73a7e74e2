package sevbridge

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsre/vigil/alerting/oncall"
)

// OnCallStandards tells whether a PagerDuty escalation policy meets its
// on-call standard. *oncall.Runner implements it from its last successful
// check.
type OnCallStandards interface {
	// ViolationsOf returns the violations of the escalation policy with
	// this ID (exactly) or name (in any case, as the on-call standards
	// match names): none when it meets its standard, when no standard
	// applies, when it is unknown or when no check has succeeded yet. The
	// engine calls it while paging, under the Bridge's lock: it must answer
	// from memory, without blocking, and be safe for concurrent use.
	ViolationsOf(policy string) []oncall.Violation
}

// SetOnCallStandards sets what the engine asks, when it pages a role whose
// rotation names an escalation_policy, whether that policy misses its
// on-call standard. nil (the default) gives no warnings.
func (e *Engine) SetOnCallStandards(s OnCallStandards) { e.oncall = s }

// warnOnCall adds an oncall_warning entry after role's paged entry when the
// role's escalation policy has violations, unless the SEV's last warning
// for the role reads the same (a re-page at a new level with unchanged
// violations). The page itself is already queued: a warning never holds it
// up.
func (e *Engine) warnOnCall(s *step, st *sevState, role string) {
	policy := st.escalation[role]
	if e.oncall == nil || policy == "" {
		return
	}
	vs := e.oncall.ViolationsOf(policy)
	if len(vs) == 0 {
		return
	}
	detail := onCallWarning(role, policy, vs)
	if st.warned[role] == detail {
		return
	}
	st.warned[role] = detail
	s.entry(st, KindOnCallWarning, Actor, detail)
}

// onCallWarning is the detail of an oncall_warning entry, e.g.
//
//	IMOC is paged through escalation policy "SEV IMOC", which misses its
//	on-call standard "critical": layers: 1 escalation layer; the standard
//	requires at least 2; notification: ...
//
// naming the policy as PagerDuty does (configured is the rotation's
// escalation_policy, shown when the violations carry no name), with each
// violation as "check: detail" in check order.
func onCallWarning(role, configured string, vs []oncall.Violation) string {
	vs = slices.Clone(vs)
	slices.SortStableFunc(vs, func(a, b oncall.Violation) int {
		return cmp.Or(cmp.Compare(a.Check, b.Check), cmp.Compare(a.Detail, b.Detail))
	})
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Check + ": " + v.Detail
	}
	return fmt.Sprintf("%s is paged through escalation policy %q, which misses its on-call standard %q: %s",
		strings.ToUpper(role), cmpOrStr(vs[0].Policy, configured), vs[0].Standard, strings.Join(parts, "; "))
}

// warnedRole returns the role an oncall_warning entry is about, from its
// detail's first word.
func warnedRole(detail string) (string, bool) {
	first, _, _ := strings.Cut(detail, " ")
	role := strings.ToLower(first)
	return role, slices.Contains(roleOrder, role)
}
