package loadgen

import "sync/atomic"

// plan is how the steps of n series are cut into requests: the series into
// groups of about the same size, a group's requests always going to the
// same worker, and steps consecutive steps of a group in one request.
type plan struct {
	n      int // series
	groups int // group g is series [g*size, min((g+1)*size, n))
	size   int
	steps  int // steps per request
}

// newPlan cuts n series into at most batch samples per request, in a
// multiple of workers groups when there are enough series, so the workers
// share the work evenly. With multiStep, a request holds as many whole
// steps of its group as fit in batch; else one.
func newPlan(n, workers, batch int, multiStep bool) plan {
	per := workers * batch
	groups := min(n, workers*((n+per-1)/per))
	size := (n + groups - 1) / groups
	p := plan{n: n, groups: (n + size - 1) / size, size: size, steps: 1}
	if multiStep {
		p.steps = max(1, batch/size)
	}
	return p
}

// bounds returns the series of group g: lo to hi-1.
func (p plan) bounds(g int) (lo, hi int) {
	lo = g * p.size
	return lo, min(lo+p.size, p.n)
}

// window holds up to plan.steps consecutive steps of every series. The
// generator fills it and hands one job per group to the workers; the last
// worker to encode its group returns it to the free list.
type window struct {
	ts   []int64     // the steps' timestamps, ms; len is the steps held
	vals [][]float64 // vals[j][i] is series i at step j
	refs atomic.Int32
	free chan<- *window
}

// newWindow returns a window for steps steps of n series.
func newWindow(steps, n int, free chan<- *window) *window {
	w := &window{ts: make([]int64, 0, steps), vals: make([][]float64, steps), free: free}
	for j := range w.vals {
		w.vals[j] = make([]float64, n)
	}
	return w
}

// release marks one job of the window as encoded; after the last, the
// window is free again.
func (w *window) release() {
	if w.refs.Add(-1) == 0 {
		w.free <- w
	}
}

// job is one request to encode and send: a group of a window.
type job struct {
	w     *window
	group int
}
