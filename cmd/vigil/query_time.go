package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// queryRange is the time range and resolution of a range query.
type queryRange struct {
	start, end time.Time
	step       time.Duration
}

// defaultRange is how far back a range query without --start reaches.
const defaultRange = time.Hour

// parseRange resolves --start, --end and --step, each optional, relative to
// now. The default step divides the range into about 250 points, at least
// one second apart, as promtool does.
func parseRange(start, end, step string, now time.Time) (queryRange, error) {
	r := queryRange{end: now}
	var err error
	if end != "" {
		if r.end, err = parseTime(end, now); err != nil {
			return r, fmt.Errorf("--end: %w", err)
		}
	}
	r.start = r.end.Add(-defaultRange)
	if start != "" {
		if r.start, err = parseTime(start, now); err != nil {
			return r, fmt.Errorf("--start: %w", err)
		}
	}
	if r.start.After(r.end) {
		return r, errors.New("--start is after --end")
	}
	r.step = autoStep(r.end.Sub(r.start))
	if step != "" {
		if r.step, err = parseStep(step); err != nil {
			return r, fmt.Errorf("--step: %w", err)
		}
	}
	return r, nil
}

// autoStep divides d into about 250 steps of whole seconds.
func autoStep(d time.Duration) time.Duration {
	return max(time.Second, (d / 250).Truncate(time.Second))
}

// parseTime reads "now", "now-DURATION", "now+DURATION", an RFC 3339 time
// or Unix seconds.
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "now" {
		return now, nil
	}
	if rest, ok := strings.CutPrefix(s, "now"); ok && len(rest) > 1 && (rest[0] == '-' || rest[0] == '+') {
		d, err := model.ParseDuration(rest[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("invalid duration %q in %q", rest[1:], s)
		}
		if rest[0] == '-' {
			d = -d
		}
		return now.Add(time.Duration(d)), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339 (2025-01-02T15:04:05Z), Unix seconds (1735830245) or now-DURATION (now-1h)", s)
}

// parseStep reads a duration (15s, 1m) or a number of seconds (15, 0.5).
func parseStep(s string) (time.Duration, error) {
	if d, err := model.ParseDuration(s); err == nil && d > 0 {
		return time.Duration(d), nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < math.MaxInt64/1e9 {
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("invalid step %q: want a positive duration (15s, 1m) or seconds (15)", s)
}

// formatTime writes t as Unix seconds with millisecond precision, the form
// the Prometheus API takes.
func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1e3, 'f', -1, 64)
}

// formatSeconds writes d in seconds, the form the Prometheus API takes.
func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}
