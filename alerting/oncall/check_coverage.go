package oncall

import (
	"slices"
	"time"
)

// maxGapsListed is how many gaps a coverage detail lists before "and N
// more gaps".
const maxGapsListed = 5

// span is a time range [from, to).
type span struct{ from, to time.Time }

// coverage checks that each schedule the policy pages has someone on call
// for at least ScheduleCoverage of [snap.Taken, snap.Taken+CoverageWindow),
// listing the gaps of each schedule that does not.
func (c *checker) coverage() {
	need := c.s.ScheduleCoverage
	if need <= 0 {
		return
	}
	window := c.s.coverageWindow()
	from := c.snap.Taken
	to := from.Add(window)
	for _, ref := range c.schedules() {
		s, ok := c.snap.Schedules[ref.ID]
		if !ok {
			c.add(CheckCoverage, "Schedule %s could not be read, so its coverage is unknown", c.scheduleLabel(ref))
			continue
		}
		gaps := scheduleGaps(s.Entries, from, to)
		covered := window - total(gaps)
		if got := float64(covered) / float64(window); got < need {
			c.add(CheckCoverage, "Schedule %s covers %s%% of the next %s (needs %s%%): nobody on call %s",
				c.scheduleLabel(ref), formatPercentDown(got), formatDuration(window),
				formatPercent(need), formatGaps(gaps))
		}
	}
}

// scheduleGaps returns the times in [from, to) no shift of entries covers,
// in order. Shifts may overlap, touch or come in any order.
func scheduleGaps(entries []Shift, from, to time.Time) []span {
	shifts := make([]span, 0, len(entries))
	for _, e := range entries {
		s := span{maxTime(e.Start, from), minTime(e.End, to)}
		if s.from.Before(s.to) {
			shifts = append(shifts, s)
		}
	}
	slices.SortFunc(shifts, func(a, b span) int { return a.from.Compare(b.from) })
	var gaps []span
	covered := from // everything before it is covered or already a gap
	for _, s := range shifts {
		if s.from.After(covered) {
			gaps = append(gaps, span{covered, s.from})
		}
		covered = maxTime(covered, s.to)
	}
	if covered.Before(to) {
		gaps = append(gaps, span{covered, to})
	}
	return gaps
}

// total returns the summed length of spans.
func total(spans []span) time.Duration {
	var d time.Duration
	for _, s := range spans {
		d += s.to.Sub(s.from)
	}
	return d
}

// formatGaps lists at most maxGapsListed gaps, then how many more there
// are: "2026-11-27 08:00–20:00 UTC (12h), ... and 3 more gaps".
func formatGaps(gaps []span) string {
	shown := gaps[:min(len(gaps), maxGapsListed)]
	items := make([]string, 0, len(shown)+1)
	for _, g := range shown {
		items = append(items, formatSpan(g.from, g.to))
	}
	if more := len(gaps) - len(shown); more > 0 {
		items = append(items, plural(more, "more gap"))
	}
	return joinAnd(items)
}

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
