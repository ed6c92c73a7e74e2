package notify

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// attemptLog returns an attempt that fails with errs in turn (the last one
// forever) and records the time of every call since start.
func attemptLog(start time.Time, at *[]time.Duration, errs ...error) func(context.Context) error {
	return func(context.Context) error {
		*at = append(*at, time.Since(start))
		err := errs[0]
		if len(errs) > 1 {
			errs = errs[1:]
		}
		return err
	}
}

func seconds(ss ...float64) []time.Duration {
	ds := make([]time.Duration, len(ss))
	for i, s := range ss {
		ds[i] = time.Duration(s * float64(time.Second))
	}
	return ds
}

func TestRetryBacksOffUntilGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRetrier(5 * time.Minute)
		r.jitter = func() float64 { return 1 } // the longest waits
		start := time.Now()
		var at []time.Duration
		var waits []time.Duration
		n, err := r.do(t.Context(), attemptLog(start, &at, &sendError{status: 500}), func(_ int, _ error, wait time.Duration) {
			waits = append(waits, wait)
		})
		require.Equal(t, 15, n)
		require.Equal(t, &sendError{status: 500}, err)
		require.Equal(t, seconds(0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5, 61.5, 91.5, 121.5, 151.5, 181.5, 211.5, 241.5, 271.5), at)
		require.Equal(t, seconds(0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30, 30, 30), waits)
		require.Equal(t, 5*time.Minute, time.Since(start), "gives up at the deadline")
	})
}

func TestRetryJitterHalvesAtMost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRetrier(10 * time.Second)
		r.jitter = func() float64 { return 0 } // the shortest waits
		var at []time.Duration
		n, err := r.do(t.Context(), attemptLog(time.Now(), &at, &sendError{err: errors.New("connection refused")}, &sendError{status: 502}, nil), nil)
		require.NoError(t, err)
		require.Equal(t, 3, n)
		require.Equal(t, seconds(0, 0.25, 0.75), at)
	})
}

func TestRetryStopsOnRejection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var at []time.Duration
		rejected := &sendError{status: http.StatusBadRequest, body: "invalid"}
		n, err := newRetrier(time.Minute).do(t.Context(), attemptLog(time.Now(), &at, rejected), nil)
		require.Equal(t, 1, n)
		require.Same(t, rejected, err)
		require.Equal(t, seconds(0), at)
	})
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRetrier(time.Minute)
		r.jitter = func() float64 { return 1 }
		var at []time.Duration
		limited := &sendError{status: http.StatusTooManyRequests, retryAfter: 10 * time.Second}
		n, err := r.do(t.Context(), attemptLog(time.Now(), &at, limited, nil), nil)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Equal(t, seconds(0, 10), at)
	})
}

func TestRetryStopsWhenCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(2*time.Second, cancel)
		r := newRetrier(time.Hour)
		r.jitter = func() float64 { return 1 }
		start := time.Now()
		var at []time.Duration
		n, err := r.do(ctx, attemptLog(start, &at, &sendError{status: 503}), nil)
		require.Equal(t, 3, n) // at 0, 0.5 and 1.5 s; canceled while waiting 2 s more
		require.Equal(t, &sendError{status: 503}, err)
		require.Equal(t, 2*time.Second, time.Since(start))
	})
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&sendError{err: errors.New("connection refused")}, true},
		{&sendError{status: 429}, true},
		{&sendError{status: 500}, true},
		{&sendError{status: 503}, true},
		{&sendError{status: 400}, false},
		{&sendError{status: 403}, false},
		{&sendError{status: 404}, false},
		{&sendError{status: 408}, false},
		{errors.New("encode notification: bad"), false},
	} {
		require.Equal(t, tc.want, retryable(tc.err), "%v", tc.err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	require.Equal(t, 7*time.Second, parseRetryAfter("7"))
	require.Equal(t, time.Duration(0), parseRetryAfter(""))
	require.Equal(t, time.Duration(0), parseRetryAfter("-3"))
	require.Equal(t, time.Duration(0), parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
}
