package tsdb

import (
	"sync"

	"github.com/prometheus/prometheus/storage"
)

// readerEpochs counts the open queriers by the epoch they were created in.
// A cut adds its block to the set and then starts a new epoch: queriers of
// the new epoch read the block, but older ones took their list of blocks
// before it, and read its samples from the head. The cut waits until those
// are closed before it truncates the head (as Prometheus' head waits for
// pending readers), so no query misses the samples in between. New queriers
// are never held up.
type readerEpochs struct {
	mu    sync.Mutex
	cond  *sync.Cond
	epoch uint64
	open  map[uint64]int // epoch → open queriers
}

// enter registers a querier in the current epoch and returns its release,
// which is safe to call more than once.
func (r *readerEpochs) enter() (release func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open == nil {
		r.open = map[uint64]int{}
		r.cond = sync.NewCond(&r.mu)
	}
	e := r.epoch
	r.open[e]++
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.open[e]--; r.open[e] == 0 {
				delete(r.open, e)
			}
			r.cond.Broadcast()
		})
	}
}

// advance starts a new epoch and waits until every querier of the earlier
// ones is closed.
func (r *readerEpochs) advance() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.epoch++
	for r.cond != nil && r.olderOpen() {
		r.cond.Wait()
	}
}

// olderOpen reports whether a querier of an epoch before the current one is
// open. The caller holds mu.
func (r *readerEpochs) olderOpen() bool {
	for e := range r.open {
		if e < r.epoch {
			return true
		}
	}
	return false
}

// readerQuerier releases its registration when it is closed.
type readerQuerier struct {
	storage.Querier
	release func()
}

// Close closes the querier and lets a waiting cut truncate the head.
func (q *readerQuerier) Close() error {
	defer q.release()
	return q.Querier.Close()
}
