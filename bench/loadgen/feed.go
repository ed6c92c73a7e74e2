package loadgen

import (
	"context"
	"sync"
	"time"

	"github.com/klauspost/compress/snappy"

	"github.com/vigilsre/vigil/bench/fleet"
)

// windowsPerWorker is how many windows may be in flight per worker: enough
// that the generator fills the next while the workers encode the last.
const windowsPerWorker = 2

// feed pushes the steps of one fleet through a set of workers. A feed runs
// once.
type feed struct {
	fleet   *fleet.Fleet
	set     *seriesSet
	plan    plan
	workers []*worker
	free    chan *window
	wg      sync.WaitGroup
}

// newFeed returns a feed of f's series (encoded in set) with the workers
// and batches of o, counting into st.
func newFeed(f *fleet.Fleet, set *seriesSet, o *Options, st *stats, multiStep bool) *feed {
	fd := &feed{fleet: f, set: set, plan: newPlan(f.Len(), o.Concurrency, o.BatchSize, multiStep)}
	nwin := windowsPerWorker*o.Concurrency + 1
	fd.free = make(chan *window, nwin)
	for range nwin {
		fd.free <- newWindow(fd.plan.steps, f.Len(), fd.free)
	}
	queue := nwin * ((fd.plan.groups + o.Concurrency - 1) / o.Concurrency)
	for range o.Concurrency {
		fd.workers = append(fd.workers, &worker{jobs: make(chan job, queue), set: set, plan: fd.plan, send: newSender(o, st)})
	}
	return fd
}

// run pushes steps steps (until stop ends when steps < 0), each no
// earlier than pace allows (nil: as fast as the workers send), then waits
// for the workers to send what was queued. It returns ctx's error if ctx
// ended first; the end of stop is no error.
func (fd *feed) run(ctx, stop context.Context, steps int, pace func(ctx context.Context, k int) error) error {
	for _, w := range fd.workers {
		fd.wg.Go(func() { w.run(ctx) })
	}
	_ = fd.generate(stop, steps, pace) // ends early only with stop
	for _, w := range fd.workers {
		close(w.jobs)
	}
	fd.wg.Wait()
	return ctx.Err()
}

// generate fills windows and queues their jobs.
func (fd *feed) generate(ctx context.Context, steps int, pace func(ctx context.Context, k int) error) error {
	c := fd.fleet.NewCursor()
	for k := 0; steps < 0 || k < steps; {
		var w *window
		select {
		case w = <-fd.free:
		case <-ctx.Done():
			return ctx.Err()
		}
		n := fd.plan.steps
		if steps >= 0 {
			n = min(n, steps-k)
		}
		if pace != nil {
			if err := pace(ctx, k); err != nil {
				return err
			}
		}
		fd.fill(c, w, n)
		fd.queue(w)
		k += n
	}
	return nil
}

// fill writes the cursor's next n steps into w.
func (fd *feed) fill(c *fleet.Cursor, w *window, n int) {
	w.ts = w.ts[:n]
	for j := range n {
		w.ts[j], _ = c.Next(w.vals[j]) // cannot fail: the buffer holds the fleet
	}
}

// queue hands one job per group of w to the group's worker.
func (fd *feed) queue(w *window) {
	w.refs.Store(int32(fd.plan.groups))
	for g := range fd.plan.groups {
		fd.workers[g%len(fd.workers)].jobs <- job{w: w, group: g}
	}
}

// worker encodes and sends the jobs of its groups, in order.
type worker struct {
	jobs chan job
	set  *seriesSet
	plan plan
	send *sender
	pb   []byte // the request before compression
	comp []byte // the compressed request
}

// run sends every job until the queue closes. A failed request is counted
// and skipped; after ctx ends, the remaining jobs are only released.
func (w *worker) run(ctx context.Context) {
	for j := range w.jobs {
		if ctx.Err() != nil {
			j.w.release()
			continue
		}
		body, samples := w.encode(j)
		_ = w.send.send(ctx, body, samples) // counted in the stats
	}
}

// encode builds the compressed request of j and releases its window.
func (w *worker) encode(j job) ([]byte, int) {
	lo, hi := w.plan.bounds(j.group)
	samples := (hi - lo) * len(j.w.ts)
	w.pb = appendRequest(w.pb[:0], w.set, lo, hi, j.w)
	j.w.release()
	if n := snappy.MaxEncodedLen(len(w.pb)); cap(w.comp) < n {
		w.comp = make([]byte, n)
	}
	return snappy.Encode(w.comp[:cap(w.comp)], w.pb), samples
}

// livePace returns a pace that lets step k go at its timestamp, wall time.
func livePace(f *fleet.Fleet) func(context.Context, int) error {
	return func(ctx context.Context, k int) error {
		return sleepCtx(ctx, time.Until(time.UnixMilli(f.Timestamp(k))))
	}
}
