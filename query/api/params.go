package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// The defaults of optional start and end parameters: Prometheus' MinTime and
// MaxTime, far enough to cover any data (and not the int64 extremes).
var (
	minTime = time.Unix(math.MinInt64/1000+62135596801, 0).UTC()
	maxTime = time.Unix(math.MaxInt64/1000-62135596801, 999999999).UTC()

	minTimeFormatted = minTime.Format(time.RFC3339Nano)
	maxTimeFormatted = maxTime.Format(time.RFC3339Nano)
)

// maxPoints is the most points per series a range query may ask for.
const maxPoints = 11000

// invalidParam is the bad_data error of a parameter that cannot be used.
func invalidParam(err error, name string) *Error {
	return &Error{Type: ErrorBadData, Err: fmt.Errorf("invalid parameter %q: %w", name, err)}
}

// badData is a bad_data error with the given message.
func badData(msg string) *Error {
	return &Error{Type: ErrorBadData, Err: errors.New(msg)}
}

// parseTimeParam parses the optional time parameter name, def when absent.
func parseTimeParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	val := r.FormValue(name)
	if val == "" {
		return def, nil
	}
	t, err := parseTime(val)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time value for '%s': %w", name, err)
	}
	return t, nil
}

// parseTime parses float Unix seconds (rounded to the millisecond) or an RFC
// 3339 time.
func parseTime(s string) (time.Time, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec, frac := math.Modf(f)
		frac = math.Round(frac*1000) / 1000
		return time.Unix(int64(sec), int64(frac*float64(time.Second))).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// time.Parse takes four-digit years only; accept the defaults' own text.
	switch s {
	case minTimeFormatted:
		return minTime, nil
	case maxTimeFormatted:
		return maxTime, nil
	}
	return time.Time{}, fmt.Errorf("cannot parse %q to a valid timestamp", s)
}

// parseDuration parses float seconds or a Prometheus duration ("1m30s").
func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		ns := f * float64(time.Second)
		// float64(math.MaxInt64) is 2^63, which int64 cannot hold; NaN
		// passes every comparison.
		if math.IsNaN(ns) || ns >= float64(math.MaxInt64) || ns < float64(math.MinInt64) {
			return 0, fmt.Errorf("cannot parse %q to a valid duration. It overflows int64", s)
		}
		return time.Duration(ns), nil
	}
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	return 0, fmt.Errorf("cannot parse %q to a valid duration", s)
}

// parseTimeout parses the optional timeout parameter; 0 when absent.
func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return 0, invalidParam(err, "timeout")
	}
	if d <= 0 {
		return 0, invalidParam(fmt.Errorf("timeout must be positive, got %s", d), "timeout")
	}
	return d, nil
}

// parseLimit parses the optional limit parameter; 0 (no limit) when absent.
func parseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	limit, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	if limit < 0 {
		return 0, errors.New("limit must be non-negative")
	}
	return limit, nil
}
