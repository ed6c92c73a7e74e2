package sevbridge

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxQueuedJobs bounds the persisted Changes whose effects wait to be
// executed (a few days of a PagerDuty outage at one Change a minute); the
// oldest are dropped, logged and counted when the queue is full.
const maxQueuedJobs = 10000

// effectQueue is the one ordered queue of persisted Changes whose effects
// (pages, posts, drafts) are not yet executed: the Bridge pushes in the
// order its Changes are made (under Bridge.mu), one worker started by Run
// pops in the same order, so every SEV's effects run in order. Safe for
// concurrent use.
type effectQueue struct {
	wake    chan struct{} // push → the worker looks again
	dropped prometheus.Counter

	mu   sync.Mutex
	jobs []job
}

func newEffectQueue(reg prometheus.Registerer) (*effectQueue, error) {
	q := &effectQueue{wake: make(chan struct{}, 1), dropped: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigil_sev_effects_dropped_total",
		Help: "SEV effects (pages, posts, drafts) of Changes dropped unexecuted because the effect queue was full.",
	})}
	if reg == nil {
		return q, nil
	}
	queued := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vigil_sev_effects_queued",
		Help: "Persisted SEV Changes whose effects (pages, posts, drafts) wait to be executed.",
	}, func() float64 { return float64(q.len()) })
	for _, c := range []prometheus.Collector{q.dropped, queued} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register sev effect queue metrics: %w", err)
		}
	}
	return q, nil
}

// push appends jobs and wakes the worker. When the queue is full it drops
// the oldest jobs and returns them.
func (q *effectQueue) push(jobs ...job) []job {
	q.mu.Lock()
	q.jobs = append(q.jobs, jobs...)
	var dropped []job
	if n := len(q.jobs) - maxQueuedJobs; n > 0 {
		dropped = append(dropped, q.jobs[:n]...)
		q.jobs = append([]job(nil), q.jobs[n:]...)
		q.dropped.Add(float64(n))
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return dropped
}

// pushFront puts back the unexecuted rest of a job interrupted by a stop.
func (q *effectQueue) pushFront(j job) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append([]job{j}, q.jobs...)
}

// pop removes and returns the oldest job; false when there is none.
func (q *effectQueue) pop() (job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return job{}, false
	}
	j := q.jobs[0]
	q.jobs[0] = job{}
	q.jobs = q.jobs[1:]
	if len(q.jobs) == 0 {
		q.jobs = nil
	}
	return j, true
}

func (q *effectQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs)
}

// enqueue queues the jobs that have something to execute; b.mu is held,
// so the queue keeps the order of the Changes.
func (b *Bridge) enqueue(jobs []job) {
	var todo []job
	for _, j := range jobs {
		if len(j.change.Effects) > 0 || j.draft != nil {
			todo = append(todo, j)
		}
	}
	if len(todo) == 0 {
		return
	}
	for _, j := range b.effects.push(todo...) {
		b.logger.Error("sev effect queue full: dropped the oldest change's effects",
			"sev", j.change.SEV.ID, "effects", len(j.change.Effects), "queued", maxQueuedJobs)
	}
}

// sendEffects is the effect worker, started by Run: it executes the queued
// jobs in order with send until stop is done and the queue is empty, or
// until send is done (Run's drain timeout). A job interrupted by send's end
// goes back to the front of the queue, without its sent effects.
func (b *Bridge) sendEffects(stop, send context.Context) {
	for send.Err() == nil {
		if b.sendNext(send) {
			continue
		}
		if stop.Err() != nil {
			return
		}
		select {
		case <-stop.Done():
		case <-send.Done():
		case <-b.effects.wake:
		}
	}
}

// sendNext executes the oldest queued job, if any, under b.effMu; it
// reports whether there may be more to do (a job ran and ctx is not done).
func (b *Bridge) sendNext(ctx context.Context) bool {
	b.effMu.Lock()
	defer b.effMu.Unlock()
	j, ok := b.effects.pop()
	if !ok {
		return false
	}
	if rest, stopped := b.execute(ctx, j); stopped {
		b.effects.pushFront(rest)
		return false
	}
	return true
}

// drain executes every queued job in the caller's goroutine, until the
// queue is empty or ctx is done. For tests that step the Bridge without Run.
func (b *Bridge) drain(ctx context.Context) {
	for b.sendNext(ctx) {
	}
}

// stopEffects lets the worker drain the queue for up to b.drainTimeout,
// then cancels its sends, waits for it and logs what it left queued (the
// next Run executes it; on shutdown it is lost).
func (b *Bridge) stopEffects(worker *sync.WaitGroup, cancelSend context.CancelFunc) {
	timer := time.AfterFunc(b.drainTimeout, cancelSend)
	worker.Wait()
	timer.Stop()
	cancelSend()
	for _, j := range b.effects.snapshot() {
		b.logger.Warn("sev effects not executed at stop; queued for the next run",
			"sev", j.change.SEV.ID, "effects", len(j.change.Effects), "draft", j.draft != nil)
	}
}

// snapshot returns a copy of the queued jobs.
func (q *effectQueue) snapshot() []job {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]job(nil), q.jobs...)
}
