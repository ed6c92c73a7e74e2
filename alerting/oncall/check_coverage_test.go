package oncall

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// at returns taken plus h hours.
func at(h float64) time.Time {
	return taken.Add(time.Duration(h * float64(time.Hour)))
}

func shift(from, to float64, user string) Shift {
	return Shift{Start: at(from), End: at(to), User: Ref{ID: "P" + user, Name: user}}
}

func TestScheduleGaps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []Shift
		want    []span
	}{
		{"empty schedule", nil, []span{{at(0), at(24)}}},
		{"covered", []Shift{shift(0, 12, "a"), shift(12, 24, "b")}, nil},
		{"shifts beyond the window are clipped", []Shift{shift(-5, 3, "a"), shift(20, 40, "b")}, []span{{at(3), at(20)}}},
		{"shifts outside the window are ignored", []Shift{shift(-5, 0, "a"), shift(24, 30, "b")}, []span{{at(0), at(24)}}},
		{"overlapping shifts", []Shift{shift(0, 10, "a"), shift(2, 6, "b"), shift(5, 12, "c"), shift(14, 24, "d")},
			[]span{{at(12), at(14)}}},
		{"unsorted shifts", []Shift{shift(14, 24, "d"), shift(5, 12, "c"), shift(0, 6, "a")}, []span{{at(12), at(14)}}},
		{"a shift inside another does not end coverage", []Shift{shift(0, 20, "a"), shift(1, 2, "b"), shift(22, 24, "c")},
			[]span{{at(20), at(22)}}},
		{"empty and reversed shifts cover nothing", []Shift{shift(0, 0, "a"), shift(10, 8, "b"), shift(12, 24, "c")},
			[]span{{at(0), at(12)}}},
		{"gaps at both ends", []Shift{shift(1, 23, "a")}, []span{{at(0), at(1)}, {at(23), at(24)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, scheduleGaps(tc.entries, at(0), at(24)))
		})
	}
}

// coverageDetails checks a policy paging the given schedules.
func coverageDetails(s Standard, schedules ...Schedule) []string {
	var targets []Target
	byID := make(map[string]Schedule)
	for _, sc := range schedules {
		targets = append(targets, scheduleTarget(sc.ID, sc.Name))
		byID[sc.ID] = sc
	}
	snap := &Snapshot{Taken: taken, Policies: []Policy{policyWith(rule(time.Minute, targets...))}, Schedules: byID}
	return details(snap, s)
}

func schedule(id, name string, entries ...Shift) Schedule {
	return Schedule{Ref: Ref{ID: id, Name: name}, Entries: entries, Until: at(24 * 15)}
}

func TestCheckCoverage(t *testing.T) {
	full := Standard{Name: "critical", ScheduleCoverage: 1, CoverageWindow: 14 * 24 * time.Hour}
	// taken is 2026-11-20 08:00 UTC; 14 days end 2026-12-04 08:00 UTC.
	for _, tc := range []struct {
		name     string
		s        Standard
		schedule Schedule
		want     []string
	}{
		{"fully covered", full, schedule("PS", "Web primary", shift(0, 200, "a"), shift(150, 336, "b")), []string{}},
		{"one gap", full, schedule("PS", "Web primary", shift(0, 168, "a"), shift(180, 400, "b")), []string{
			`coverage: Schedule "Web primary" covers 96.4% of the next 336h (needs 100%): nobody on call 2026-11-27 08:00–20:00 UTC (12h)`,
		}},
		{"a gap over midnight", full, schedule("PS", "Web primary", shift(0, 12, "a"), shift(24, 336, "b")), []string{
			`coverage: Schedule "Web primary" covers 96.4% of the next 336h (needs 100%): nobody on call 2026-11-20 20:00 – 2026-11-21 08:00 UTC (12h)`,
		}},
		{"a short gap never reads as 100%", full, schedule("PS", "Web primary", shift(0, 100, "a"), shift(100.25, 336, "b")), []string{
			`coverage: Schedule "Web primary" covers 99.9% of the next 336h (needs 100%): nobody on call 2026-11-24 12:00–12:15 UTC (15m)`,
		}},
		{"empty schedule", full, schedule("PS", "Nights"), []string{
			`coverage: Schedule "Nights" covers 0% of the next 336h (needs 100%): nobody on call 2026-11-20 08:00 – 2026-12-04 08:00 UTC (336h)`,
		}},
		{"exactly the fraction required", Standard{Name: "half", ScheduleCoverage: 0.5, CoverageWindow: 24 * time.Hour},
			schedule("PS", "Web primary", shift(6, 18, "a")), []string{}},
		{"just under the fraction required", Standard{Name: "half", ScheduleCoverage: 0.5, CoverageWindow: 24 * time.Hour},
			schedule("PS", "Web primary", shift(6, 17.5, "a")), []string{
				`coverage: Schedule "Web primary" covers 47.9% of the next 24h (needs 50%): nobody on call 2026-11-20 08:00–14:00 UTC (6h) and 2026-11-21 01:30–08:00 UTC (6h30m)`,
			}},
		{"default window", Standard{Name: "d", ScheduleCoverage: 0.995}, schedule("PS", "Web primary", shift(0, 334, "a")), []string{
			`coverage: Schedule "Web primary" covers 99.4% of the next 336h (needs 99.5%): nobody on call 2026-12-04 06:00–08:00 UTC (2h)`,
		}},
		{"at most five gaps listed", Standard{Name: "c", ScheduleCoverage: 1, CoverageWindow: 24 * time.Hour},
			schedule("PS", "Web primary", shift(1, 2, "a"), shift(3, 4, "a"), shift(5, 6, "a"), shift(7, 8, "a"), shift(9, 10, "a"), shift(11, 24, "a")),
			[]string{
				`coverage: Schedule "Web primary" covers 75% of the next 24h (needs 100%): nobody on call 2026-11-20 08:00–09:00 UTC (1h), 2026-11-20 10:00–11:00 UTC (1h), 2026-11-20 12:00–13:00 UTC (1h), 2026-11-20 14:00–15:00 UTC (1h), 2026-11-20 16:00–17:00 UTC (1h) and 1 more gap`,
			}},
		{"and N more gaps", Standard{Name: "c", ScheduleCoverage: 1, CoverageWindow: 24 * time.Hour},
			schedule("PS", "Web primary", shift(1, 2, "a"), shift(3, 4, "a"), shift(5, 6, "a"), shift(7, 8, "a"), shift(9, 10, "a"), shift(11, 12, "a"), shift(13, 14, "a")),
			[]string{
				`coverage: Schedule "Web primary" covers 29.1% of the next 24h (needs 100%): nobody on call 2026-11-20 08:00–09:00 UTC (1h), 2026-11-20 10:00–11:00 UTC (1h), 2026-11-20 12:00–13:00 UTC (1h), 2026-11-20 14:00–15:00 UTC (1h), 2026-11-20 16:00–17:00 UTC (1h) and 3 more gaps`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, coverageDetails(tc.s, tc.schedule))
		})
	}
}

func TestCheckCoverageOfEverySchedule(t *testing.T) {
	s := Standard{Name: "critical", ScheduleCoverage: 1, CoverageWindow: 24 * time.Hour}
	primary := schedule("PS1", "Web primary", shift(0, 12, "a"), shift(12, 24, "b"))
	secondary := schedule("PS2", "Web secondary", shift(0, 20, "c"))
	p := policyWith(
		rule(time.Minute, scheduleTarget("PS1", "Web primary"), scheduleTarget("PS2", "Web secondary")),
		rule(time.Minute, scheduleTarget("PS2", "Web secondary"), scheduleTarget("PS3", "Web tertiary")),
	)
	snap := &Snapshot{Taken: taken, Policies: []Policy{p}, Schedules: map[string]Schedule{"PS1": primary, "PS2": secondary}}
	require.Equal(t, []string{
		`coverage: Schedule "Web secondary" covers 83.3% of the next 24h (needs 100%): nobody on call 2026-11-21 04:00–08:00 UTC (4h)`,
		`coverage: Schedule "Web tertiary" could not be read, so its coverage is unknown`,
	}, details(snap, s))
}

func TestCheckCoverageWindowIsTheStandards(t *testing.T) {
	// The snapshot was rendered over 48h; the standard looks 24h ahead.
	sc := schedule("PS", "Web primary", shift(0, 24, "a"))
	sc.Until = at(48)
	require.Equal(t, []string{}, coverageDetails(Standard{Name: "day", ScheduleCoverage: 1, CoverageWindow: 24 * time.Hour}, sc))
	require.Equal(t, []string{
		`coverage: Schedule "Web primary" covers 50% of the next 48h (needs 100%): nobody on call 2026-11-21 08:00 – 2026-11-22 08:00 UTC (24h)`,
	}, coverageDetails(Standard{Name: "two days", ScheduleCoverage: 1, CoverageWindow: 48 * time.Hour}, sc))
}
