package notify

import (
	"time"

	"github.com/vigilsre/vigil/alerting"
)

// job is an alert waiting in a receiver's queue: its newest notification.
type job struct {
	dedupKey string
	n        alerting.Notification
	queuedAt time.Time // when the key entered the queue; kept on replace
}

// keyQueue is a bounded FIFO of jobs holding at most one job per dedup key.
// When full, push drops the oldest job. It is not safe for concurrent use.
type keyQueue struct {
	limit int
	order []string       // dedup keys, oldest first
	jobs  map[string]job // by dedup key
}

func newKeyQueue(limit int) keyQueue {
	return keyQueue{limit: limit, jobs: make(map[string]job)}
}

// len returns the number of queued jobs.
func (q *keyQueue) len() int { return len(q.order) }

// replace gives a queued key its newest notification; it returns false when
// the key is not queued.
func (q *keyQueue) replace(key string, n alerting.Notification) bool {
	j, ok := q.jobs[key]
	if ok {
		j.n = n
		q.jobs[key] = j
	}
	return ok
}

// push queues j, whose key must not be queued. When the queue is full it
// first drops the oldest job and returns it with dropped true.
func (q *keyQueue) push(j job) (old job, dropped bool) {
	if len(q.order) >= q.limit {
		old, dropped = q.pop()
	}
	q.order = append(q.order, j.dedupKey)
	q.jobs[j.dedupKey] = j
	return old, dropped
}

// pop removes and returns the oldest job.
func (q *keyQueue) pop() (job, bool) {
	if len(q.order) == 0 {
		return job{}, false
	}
	key := q.order[0]
	q.order[0] = ""
	q.order = q.order[1:]
	if len(q.order) == 0 {
		q.order = nil // let the drained backing array go
	}
	j := q.jobs[key]
	delete(q.jobs, key)
	return j, true
}
