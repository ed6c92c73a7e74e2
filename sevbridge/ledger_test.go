package sevbridge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var defaultSLA = SLAPolicy{Target: 0.999, InternalTarget: 0.9995, DownBelow: 0.99}

// TestLedgerSyntheticMonth is the acceptance test: a 30-day month with known
// down minutes gives exactly those minutes and budgets for both targets.
func TestLedgerSyntheticMonth(t *testing.T) {
	s, _ := openTestStore(t)
	defer func() { require.NoError(t, s.Close()) }()
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	record := func(from time.Time, n int, down bool, sevs ...string) {
		for i := range n {
			require.NoError(t, s.RecordMinute(from.Add(time.Duration(i)*time.Minute), down, sevs))
		}
	}
	record(nov.Add(-time.Hour), 60, true, "SEV-1")                   // October: not counted
	record(nov, 120, false)                                          // up
	record(nov.Add(3*time.Hour), 7, true, "SEV-2")                   // 7 down in SEV-2
	record(nov.Add(5*time.Hour), 3, true, "SEV-2", "SEV-10")         // 3 down in both
	record(nov.Add(6*time.Hour), 2, true)                            // 2 down, no SEV
	record(nov.AddDate(0, 1, 0).Add(-time.Minute), 1, true, "SEV-3") // last minute of November
	record(nov.AddDate(0, 1, 0), 5, true, "SEV-4")                   // December: not counted
	record(nov.Add(3*time.Hour), 7, false)                           // re-recording changes nothing

	r, err := s.Ledger(time.Date(2026, 11, 17, 13, 0, 0, 0, time.UTC), defaultSLA)
	require.NoError(t, err)
	require.Equal(t, LedgerReport{
		Month: "2026-11", Minutes: 43200, DownMinutes: 13,
		Budget: LedgerFigures{Target: 43.2, Internal: 21.6},
		Left:   LedgerFigures{Target: 30.2, Internal: 8.6},
		SEVs:   []LedgerSEV{{ID: "SEV-2", DownMinutes: 10}, {ID: "SEV-3", DownMinutes: 1}, {ID: "SEV-10", DownMinutes: 3}},
	}, r)
}

func TestLedgerMonthLengths(t *testing.T) {
	s, _ := openTestStore(t)
	defer func() { require.NoError(t, s.Close()) }()
	for _, tc := range []struct {
		month            time.Time
		minutes          int
		target, internal float64
	}{
		{time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC), 40320, 40.32, 20.16},
		{time.Date(2028, 2, 10, 0, 0, 0, 0, time.UTC), 41760, 41.76, 20.88},
		{time.Date(2026, 4, 30, 23, 59, 0, 0, time.UTC), 43200, 43.2, 21.6},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 44640, 44.64, 22.32},
	} {
		r, err := s.Ledger(tc.month, defaultSLA)
		require.NoError(t, err)
		require.Equal(t, LedgerReport{
			Month: tc.month.Format("2006-01"), Minutes: tc.minutes,
			Budget: LedgerFigures{Target: tc.target, Internal: tc.internal},
			Left:   LedgerFigures{Target: tc.target, Internal: tc.internal},
			SEVs:   []LedgerSEV{},
		}, r)
	}
}
