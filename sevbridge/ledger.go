package sevbridge

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ledgerMinute is one recorded minute of the SLA ledger.
type ledgerMinute struct {
	Down bool     `json:"down"`
	SEVs []string `json:"sevs,omitempty"`
}

// LedgerReport is the SLA ledger of one calendar month (UTC).
type LedgerReport struct {
	Month       string        `json:"month"`        // "2006-01"
	Minutes     int           `json:"minutes"`      // minutes in the month
	DownMinutes int           `json:"down_minutes"` // recorded minutes with the global SLI below down_below
	Budget      LedgerFigures `json:"budget"`       // down minutes allowed: (1 − target) × Minutes
	Left        LedgerFigures `json:"left"`         // Budget − DownMinutes (negative when overspent)
	SEVs        []LedgerSEV   `json:"sevs"`         // SEVs the down minutes fell in, by number
}

// LedgerFigures holds one figure for the SLA target and one for the internal target.
type LedgerFigures struct {
	Target   float64 `json:"target"`
	Internal float64 `json:"internal"`
}

// LedgerSEV counts the down minutes that fell in one SEV.
type LedgerSEV struct {
	ID          string `json:"id"`
	DownMinutes int    `json:"down_minutes"`
}

// RecordMinute records whether the minute starting at minute (truncated to
// the minute) was down and the SEVs active then. The first record of a minute
// wins: recording it again changes nothing.
func (s *Store) RecordMinute(minute time.Time, down bool, sevIDs []string) error {
	key := minuteKey(minute)
	data, err := json.Marshal(ledgerMinute{Down: down, SEVs: sevIDs})
	if err != nil {
		return fmt.Errorf("encode ledger minute: %w", err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMinutes)
		if b.Get(key) != nil {
			return nil
		}
		if err := b.Put(key, data); err != nil {
			return fmt.Errorf("write ledger minute %s: %w", minute.UTC().Format(time.RFC3339), err)
		}
		return nil
	})
}

// Ledger reports the calendar month (UTC) containing month against p.
func (s *Store) Ledger(month time.Time, p SLAPolicy) (LedgerReport, error) {
	start, end := monthBounds(month)
	minutes := int(end.Sub(start) / time.Minute)
	r := LedgerReport{Month: start.Format("2006-01"), Minutes: minutes, SEVs: []LedgerSEV{}}
	counts, err := s.downMinutes(start, end, &r.DownMinutes)
	if err != nil {
		return LedgerReport{}, err
	}
	r.Budget = LedgerFigures{Target: budget(p.Target, minutes), Internal: budget(p.InternalTarget, minutes)}
	r.Left = LedgerFigures{Target: round6(r.Budget.Target - float64(r.DownMinutes)), Internal: round6(r.Budget.Internal - float64(r.DownMinutes))}
	r.SEVs = ledgerSEVs(counts)
	return r, nil
}

// downMinutes counts the down minutes in [start, end) into *down and per SEV.
func (s *Store) downMinutes(start, end time.Time, down *int) (map[string]int, error) {
	counts := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMinutes).Cursor()
		endKey := minuteKey(end)
		for k, v := c.Seek(minuteKey(start)); k != nil && string(k) < string(endKey); k, v = c.Next() {
			var m ledgerMinute
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode ledger minute: %w", err)
			}
			if m.Down {
				*down++
				for _, id := range m.SEVs {
					counts[id]++
				}
			}
		}
		return nil
	})
	return counts, err
}

func ledgerSEVs(counts map[string]int) []LedgerSEV {
	out := make([]LedgerSEV, 0, len(counts))
	for id, n := range counts {
		out = append(out, LedgerSEV{ID: id, DownMinutes: n})
	}
	slices.SortFunc(out, func(a, b LedgerSEV) int {
		na, _ := parseSEVNumber(a.ID)
		nb, _ := parseSEVNumber(b.ID)
		return cmp.Or(cmp.Compare(na, nb), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// budget is (1 − target) × minutes, rounded to 6 decimals so that 0.999 of a
// 30-day month is exactly 43.2 rather than 43.20000000000004.
func budget(target float64, minutes int) float64 {
	return round6((1 - target) * float64(minutes))
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// monthBounds returns the first instant of t's month (UTC) and of the next.
func monthBounds(t time.Time) (time.Time, time.Time) {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}

// minuteKey is the big-endian Unix minute, so keys sort by time.
func minuteKey(t time.Time) []byte {
	return u64(uint64(t.Unix() / 60))
}
