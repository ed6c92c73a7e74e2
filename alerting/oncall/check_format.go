package oncall

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// formatDuration writes d compactly, as a team lead would: 15m, 1h30m,
// 336h, 45s (time.Duration.String's trailing zero units dropped).
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// formatPercent writes the fraction f as a percentage with at most one
// decimal and no trailing zeros: 1 → "100", 0.955 → "95.5".
func formatPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64)
}

// formatPercentDown is formatPercent rounded down, so that a schedule
// short of 100% never reads as 100%.
func formatPercentDown(f float64) string {
	return strconv.FormatFloat(math.Floor(f*1000+1e-9)/10, 'f', -1, 64)
}

// plural writes "1 layer" or "3 layers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// formatSpan writes [from, to) in UTC with its length:
// "2026-11-27 08:00–20:00 UTC (12h)", or with both dates when it spans
// days: "2026-11-27 20:00 – 2026-11-28 08:00 UTC (12h)".
func formatSpan(from, to time.Time) string {
	from, to = from.UTC(), to.UTC()
	length := formatDuration(to.Sub(from).Round(time.Second))
	fy, fm, fd := from.Date()
	ty, tm, td := to.Date()
	if fy == ty && fm == tm && fd == td {
		return fmt.Sprintf("%s–%s UTC (%s)", from.Format("2006-01-02 15:04"), to.Format("15:04"), length)
	}
	return fmt.Sprintf("%s – %s UTC (%s)", from.Format("2006-01-02 15:04"), to.Format("2006-01-02 15:04"), length)
}

// joinAnd joins items as "a", "a and b" or "a, b and c".
func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
