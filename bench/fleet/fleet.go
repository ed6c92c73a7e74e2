package fleet

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// DefaultInterval is the interval between two steps when Options.Interval is 0.
const DefaultInterval = 10 * time.Second

// DefaultRestartProbability is the chance that a host restarts at a given step
// when Options.RestartProbability is 0: about once a month per host at 10 s.
const DefaultRestartProbability = 4e-6

// Options describe a fleet. Set Hosts or TargetSeries.
type Options struct {
	// Hosts is the number of hosts. Each has SeriesPerHost() series.
	Hosts int
	// TargetSeries, used when Hosts is 0, is the exact number of series:
	// whole hosts, and the first series of one more host if needed.
	TargetSeries int
	// Seed makes the values; the same seed gives the same values.
	Seed int64
	// Start is the time of step 0. Default: 2026-01-01T00:00:00Z.
	Start time.Time
	// Interval is the time between two steps, whole milliseconds.
	// Default: DefaultInterval.
	Interval time.Duration
	// RestartProbability is the chance that a host restarts at a given
	// step (its counters reset). 0 means DefaultRestartProbability; a
	// negative value means never.
	RestartProbability float64
}

// Validate reports every problem with the options, joined.
func (o Options) Validate() error {
	var errs []error
	if o.Hosts < 0 || o.TargetSeries < 0 {
		errs = append(errs, fmt.Errorf("fleet options: Hosts %d and TargetSeries %d must not be negative", o.Hosts, o.TargetSeries))
	}
	if o.Hosts == 0 && o.TargetSeries == 0 {
		errs = append(errs, errors.New("fleet options: set Hosts or TargetSeries"))
	}
	if o.Interval < 0 || o.Interval%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("fleet options: Interval is %v; use whole milliseconds, or 0 for %v", o.Interval, DefaultInterval))
	}
	if o.RestartProbability >= 1 {
		errs = append(errs, fmt.Errorf("fleet options: RestartProbability is %v; use less than 1", o.RestartProbability))
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields with their defaults.
func (o Options) withDefaults() Options {
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.RestartProbability == 0 {
		o.RestartProbability = DefaultRestartProbability
	}
	if o.Hosts == 0 {
		per := len(hostLayout)
		o.Hosts = (o.TargetSeries + per - 1) / per
	}
	return o
}

// Fleet is the set of series of a fleet. It is immutable and safe for
// concurrent use; each Cursor over it is not.
type Fleet struct {
	opts   Options
	series []labels.Labels
	n      int // series generated: len(series)
}

// New returns the fleet the options describe.
func New(opts Options) (*Fleet, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	n := opts.Hosts * len(hostLayout)
	if opts.TargetSeries > 0 && opts.TargetSeries < n {
		n = opts.TargetSeries
	}
	f := &Fleet{opts: opts, n: n}
	f.series = buildSeries(opts.Hosts, n)
	return f, nil
}

// SeriesPerHost returns the number of series of one host.
func SeriesPerHost() int { return len(hostLayout) }

// Regions returns the region label values, in host order: host h is in
// Regions()[h%len(Regions())].
func Regions() []string { return append([]string(nil), regions...) }

// Len returns the number of series.
func (f *Fleet) Len() int { return f.n }

// Hosts returns the number of hosts (the last may be cut short).
func (f *Fleet) Hosts() int { return f.opts.Hosts }

// Series returns the labels of every series, sorted by name within each
// series, in the fleet's stable order: the index of a series here is its
// index in every values buffer. The caller must not modify the slice.
func (f *Fleet) Series() []labels.Labels { return f.series }

// Interval returns the time between two steps.
func (f *Fleet) Interval() time.Duration { return f.opts.Interval }

// Timestamp returns the time of step k in milliseconds since the epoch.
func (f *Fleet) Timestamp(k int) int64 {
	return f.opts.Start.UnixMilli() + int64(k)*f.opts.Interval.Milliseconds()
}

// Steps returns the number of steps that cover d.
func (f *Fleet) Steps(d time.Duration) int {
	return int(d / f.opts.Interval)
}
