package notify

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff between attempts: 500 ms doubling up to 30 s, each delay jittered
// down to half its value, so receivers that fail together do not retry in
// lockstep.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 30 * time.Second
)

// retrier repeats an attempt on retryable errors, with exponential backoff,
// until it succeeds, fails for good, or giveUpAfter has passed since the
// first attempt. Waits use timers, so testing/synctest controls them.
type retrier struct {
	base, max   time.Duration
	giveUpAfter time.Duration
	jitter      func() float64 // in [0, 1]; rand.Float64 by default
}

func newRetrier(giveUpAfter time.Duration) retrier {
	return retrier{base: backoffBase, max: backoffMax, giveUpAfter: giveUpAfter, jitter: rand.Float64}
}

// do calls attempt until it returns nil or a non-retryable error, or until
// ctx is done or giveUpAfter has passed; the context given to attempt ends
// then too. It returns the number of attempts and the last error. onRetry,
// when not nil, hears of every failed attempt that will be retried, and of
// the wait before the next one.
func (r retrier) do(ctx context.Context, attempt func(context.Context) error, onRetry func(n int, err error, wait time.Duration)) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.giveUpAfter)
	defer cancel()
	for n := 1; ; n++ {
		err := attempt(ctx)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return n, err
		}
		wait := r.delay(n, err)
		if onRetry != nil {
			onRetry(n, err, wait)
		}
		if !sleep(ctx, wait) {
			return n, err
		}
	}
}

// delay is the wait after failed attempt n (from 1): base·2^(n-1) capped at
// max, jittered into [d/2, d], and at least what a 429 or 503 asked for in
// Retry-After.
func (r retrier) delay(n int, err error) time.Duration {
	d := r.max
	if n <= 30 {
		d = min(r.max, r.base<<(n-1))
	}
	d = d/2 + time.Duration(r.jitter()*float64(d/2))
	var se *sendError
	if errors.As(err, &se) {
		d = max(d, se.retryAfter)
	}
	return d
}

// sleep waits for d; it returns false, early, when ctx is done.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
