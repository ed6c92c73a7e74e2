package oncall

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Check applies to each policy of snap the first of standards that
// selects it and reports every way the policies miss their standard,
// sorted by policy name, policy ID, check and detail. Report.Violations is
// empty, not nil, when every policy meets its standard. Check reads no
// clock: coverage windows start at snap.Taken. It does not modify snap or
// standards.
func Check(snap *Snapshot, standards []Standard) Report {
	r := Report{Violations: []Violation{}}
	if snap == nil {
		return r
	}
	for i := range snap.Policies {
		p := &snap.Policies[i]
		s := firstSelecting(standards, p)
		if s == nil {
			continue
		}
		r.Checked++
		c := checker{snap: snap, p: p, s: s, out: r.Violations}
		c.run()
		r.Violations = c.out
	}
	sortViolations(r.Violations)
	return r
}

// firstSelecting returns the first standard that selects p, or nil.
func firstSelecting(standards []Standard, p *Policy) *Standard {
	for i := range standards {
		if standards[i].Selects(*p) {
			return &standards[i]
		}
	}
	return nil
}

// sortViolations sorts by policy name, policy ID, check, then detail.
func sortViolations(vs []Violation) {
	slices.SortFunc(vs, func(a, b Violation) int {
		return cmp.Or(
			cmp.Compare(a.Policy, b.Policy),
			cmp.Compare(a.PolicyID, b.PolicyID),
			cmp.Compare(a.Check, b.Check),
			cmp.Compare(a.Detail, b.Detail),
		)
	})
}

// checker checks one policy against its standard, appending to out.
type checker struct {
	snap *Snapshot
	p    *Policy
	s    *Standard
	out  []Violation
}

// run runs every check the standard asks for.
func (c *checker) run() {
	c.layers()
	c.layerDelay()
	c.chainDelay()
	c.loops()
	c.notification()
	c.coverage()
}

// add appends a violation of check with a detail formatted from format.
func (c *checker) add(check, format string, args ...any) {
	team := ""
	if len(c.p.Teams) > 0 {
		team = c.p.Teams[0].Name
	}
	c.out = append(c.out, Violation{
		PolicyID: c.p.ID,
		Policy:   c.p.Name,
		Team:     team,
		Standard: c.s.Name,
		Check:    check,
		Detail:   fmt.Sprintf(format, args...),
	})
}

// layers checks the number of escalation rules against MinLayers.
func (c *checker) layers() {
	if n := len(c.p.Rules); n < c.s.MinLayers {
		c.add(CheckLayers, "%s; the standard %q requires at least %d",
			plural(n, "escalation layer"), c.s.Name, c.s.MinLayers)
	}
}

// layerDelay checks the delay of every rule that escalates: each but the
// last, and the last too when the policy loops back to the first.
func (c *checker) layerDelay() {
	if c.s.MaxLayerDelay <= 0 {
		return
	}
	last := len(c.p.Rules) - 1
	for i, r := range c.p.Rules {
		escalates := i < last || c.p.NumLoops > 0
		if escalates && r.Delay > c.s.MaxLayerDelay {
			c.add(CheckLayerDelay, "Layer %d waits %s before escalating; the standard %q allows at most %s",
				i+1, formatDuration(r.Delay), c.s.Name, formatDuration(c.s.MaxLayerDelay))
		}
	}
}

// chainDelay checks how long a page takes to reach the last rule.
func (c *checker) chainDelay() {
	if c.s.MaxChain <= 0 || len(c.p.Rules) < 2 {
		return
	}
	var chain time.Duration
	for _, r := range c.p.Rules[:len(c.p.Rules)-1] {
		chain += r.Delay
	}
	if chain > c.s.MaxChain {
		c.add(CheckChainDelay, "The last of %d layers is reached after %s; the standard %q allows at most %s",
			len(c.p.Rules), formatDuration(chain), c.s.Name, formatDuration(c.s.MaxChain))
	}
}

// loops checks how often the policy repeats against MinLoops.
func (c *checker) loops() {
	if n := c.p.NumLoops; n < c.s.MinLoops {
		c.add(CheckLoops, "The policy repeats %s after its last layer; the standard %q requires at least %d",
			plural(n, "time"), c.s.Name, c.s.MinLoops)
	}
}

// schedules returns the schedules the policy's rules target, each once, in
// order of first appearance.
func (c *checker) schedules() []Ref {
	var refs []Ref
	for _, t := range c.targets() {
		if t.Type == TargetSchedule {
			refs = append(refs, t.Ref)
		}
	}
	return refs
}

// scheduleLabel names a schedule in a detail: its name quoted, or its ID
// when it has no name. It prefers the name read with the schedule.
func (c *checker) scheduleLabel(ref Ref) string {
	if s, ok := c.snap.Schedules[ref.ID]; ok && s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("%q", cmp.Or(ref.Name, ref.ID))
}
