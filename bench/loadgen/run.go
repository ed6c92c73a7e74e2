package loadgen

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/vigilsre/vigil/bench/fleet"
)

// backgroundLabel marks the series of the background load, so they are
// not the same series as the ingest phase's.
const backgroundLabel = "loadgen"

// Run pushes the fleet o describes, then measures the push → queryable
// latency, and returns what it measured. It returns an error when the
// options are invalid, ctx ends, the server accepted none of the samples,
// or a latency measurement could not run; the Result then holds what was
// measured before.
func Run(ctx context.Context, o Options) (Result, error) {
	if err := o.Validate(); err != nil {
		return Result{}, err
	}
	o = o.withDefaults()
	f, steps, err := newFleet(&o, time.Now())
	if err != nil {
		return Result{}, err
	}
	res := Result{Mode: o.Mode, URL: o.URL, Series: f.Len(), Hosts: f.Hosts(), Steps: steps,
		IntervalSeconds: o.Interval.Seconds(), Concurrency: o.Concurrency, BatchSize: o.BatchSize, Seed: o.Seed}
	if err := ingest(ctx, &o, f, steps, &res); err != nil {
		return res, err
	}
	if o.LatencySamples <= 0 {
		return res, nil
	}
	res.Latency = &LatencyResult{}
	return res, measure(ctx, &o, f.Len(), res.Latency)
}

// newFleet returns the fleet of the ingest phase and its number of steps:
// in backfill mode, Duration of data from Start ago; live, from the next
// whole Interval on.
func newFleet(o *Options, now time.Time) (*fleet.Fleet, int, error) {
	start := now.Add(-o.Start).Truncate(o.Interval)
	if o.Mode == Live {
		start = now.Truncate(o.Interval).Add(o.Interval)
	}
	f, err := fleet.New(fleet.Options{Hosts: o.Hosts, TargetSeries: o.Series, Seed: o.Seed, Start: start, Interval: o.Interval})
	if err != nil {
		return nil, 0, fmt.Errorf("generate the fleet: %w", err)
	}
	return f, f.Steps(o.Duration), nil
}

// ingest runs the ingest phase into res, with the server's usage when
// o.PID is set.
func ingest(ctx context.Context, o *Options, f *fleet.Fleet, steps int, res *Result) error {
	var watch *procWatch
	if o.PID > 0 {
		var err error
		if watch, err = startProcWatch(o.ProcDir, o.PID); err != nil {
			return err
		}
	}
	st := &stats{}
	fd := newFeed(f, newSeriesSet(f.Series(), "", ""), o, st, o.Mode == Backfill)
	var pace func(context.Context, int) error
	if o.Mode == Live {
		pace = livePace(f)
	}
	total := int64(steps) * int64(f.Len())
	prog := startProgress(o.Progress, o.ProgressInterval, func(d time.Duration) string { return pushLine(string(o.Mode), st.counts(), total, d) })
	start := time.Now()
	err := fd.run(ctx, ctx, steps, pace)
	elapsed := time.Since(start)
	prog.end()
	res.Ingest = newPhase(st.counts(), elapsed)
	if watch != nil {
		var werr error
		if res.Server, werr = watch.finish(res.Ingest.SamplesAccepted); err == nil {
			err = werr
		}
	}
	if err == nil && res.Ingest.SamplesAccepted == 0 {
		err = fmt.Errorf("%w of %d; first error: %s", errNoAccepted, res.Ingest.SamplesSent, res.Ingest.FirstError)
	}
	return err
}

// measure measures the latency idle, then under the background load.
func measure(ctx context.Context, o *Options, series int, lr *LatencyResult) error {
	idle, err := latency(ctx, o, "idle")
	lr.Idle = &idle
	if err != nil || o.BackgroundRate <= 0 {
		return err
	}
	lr.BackgroundRate = o.BackgroundRate
	bg, err := startBackground(ctx, o, series)
	if err != nil {
		return err
	}
	loaded, err := latency(ctx, o, "load")
	lr.UnderLoad = &loaded
	phase := bg.stop()
	lr.Background = &phase
	return err
}

// latency runs one latency measurement, with progress lines.
func latency(ctx context.Context, o *Options, phase string) (Latency, error) {
	lo := o.Latency
	lo.URL, lo.WritePath, lo.QueryURL, lo.Samples, lo.Phase = o.URL, o.WritePath, o.QueryURL, o.LatencySamples, phase
	lo.Client = or(lo.Client, o.Client)
	var done, last atomic.Int64
	user := lo.OnMarker
	lo.OnMarker = func(i int, d time.Duration) {
		done.Store(int64(i + 1))
		last.Store(int64(d))
		if user != nil {
			user(i, d)
		}
	}
	prog := startProgress(o.Progress, o.ProgressInterval, func(d time.Duration) string {
		return fmt.Sprintf("latency %s %v: %d of %d markers, last %v", phase, d, done.Load(), lo.Samples, time.Duration(last.Load()))
	})
	defer prog.end()
	l, err := MeasureLatency(ctx, lo)
	if err != nil {
		return l, fmt.Errorf("measure push → queryable latency (%s): %w", phase, err)
	}
	return l, nil
}

// background is a live push running behind a latency measurement.
type background struct {
	cancel context.CancelFunc
	done   chan struct{}
	st     *stats
	start  time.Time
}

// startBackground starts pushing about o.BackgroundRate samples/s: a fleet
// of series series (with a different seed and the label loadgen=
// "background") on a grid of series/BackgroundRate, at real time.
func startBackground(ctx context.Context, o *Options, series int) (*background, error) {
	bo := *o
	bo.Interval = max(time.Millisecond, time.Duration(math.Round(float64(series)/o.BackgroundRate*1000))*time.Millisecond)
	bo.Mode, bo.Series, bo.Hosts, bo.Seed = Live, series, 0, o.Seed+1
	f, _, err := newFleet(&bo, time.Now())
	if err != nil {
		return nil, err
	}
	stop, cancel := context.WithCancel(ctx)
	b := &background{cancel: cancel, done: make(chan struct{}), st: &stats{}, start: time.Now()}
	fd := newFeed(f, newSeriesSet(f.Series(), backgroundLabel, "background"), &bo, b.st, false)
	go func() {
		defer close(b.done)
		_ = fd.run(ctx, stop, -1, livePace(f)) // ctx's end is Run's to report
	}()
	return b, nil
}

// stop ends the background push and returns what it pushed.
func (b *background) stop() Phase {
	b.cancel()
	<-b.done
	return newPhase(b.st.counts(), time.Since(b.start))
}
