package alerting

import (
	"context"
	"time"

	"github.com/cespare/xxhash/v2"
)

// offset is the group's place within its interval, stable across restarts
// and replicas: the hash of file and name modulo the interval. It spreads
// groups over the interval instead of running them all at once.
func (g *group) offset() time.Duration {
	h := xxhash.Sum64String(g.file + "\xff" + g.name)
	return time.Duration(h % uint64(g.interval))
}

// slot returns the latest evaluation time at or before t: a multiple of the
// interval (since the Unix epoch) plus the offset, as Prometheus'
// Group.EvalTimestamp.
func (g *group) slot(t time.Time) time.Time {
	off := g.offset().Nanoseconds()
	adj := t.UnixNano() - off
	base := adj - adj%g.interval.Nanoseconds()
	if adj < 0 && adj%g.interval.Nanoseconds() != 0 {
		base -= g.interval.Nanoseconds() // floor, not truncation, before 1970
	}
	return time.Unix(0, base+off).UTC()
}

// start runs the group in a goroutine of its own until stop.
func (g *group) start(ctx context.Context) {
	ctx, g.cancel = context.WithCancel(ctx)
	g.done = make(chan struct{})
	go func() {
		defer close(g.done)
		g.run(ctx)
	}()
}

// stop ends the goroutine start began and waits for it (an evaluation in
// flight is cancelled). It does nothing on a group that was not started,
// and may be called again.
func (g *group) stop() {
	if g.cancel == nil {
		return
	}
	g.cancel()
	<-g.done
}

// run evaluates the group at each slot from the next one on until ctx is
// done. An evaluation that runs past the next slots skips them (counted
// in vigil_rule_group_iterations_missed_total); the one after evaluates at
// its own slot, so timestamps stay on the grid.
func (g *group) run(ctx context.Context) {
	next := g.slot(g.env.now()).Add(g.interval)
	timer := time.NewTimer(next.Sub(g.env.now()))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if missed := g.env.now().Sub(next) / g.interval; missed > 0 {
			g.env.metrics.missed.WithLabelValues(g.key()).Add(float64(missed))
			next = next.Add(missed * g.interval)
		}
		g.eval(ctx, next)
		next = next.Add(g.interval)
		timer.Reset(next.Sub(g.env.now()))
	}
}
