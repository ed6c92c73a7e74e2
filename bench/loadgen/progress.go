package loadgen

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress writes a line every interval until stopped.
type progress struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

// startProgress writes line() to w every interval; with a nil w it does
// nothing.
func startProgress(w io.Writer, interval time.Duration, line func(elapsed time.Duration) string) *progress {
	p := &progress{stop: make(chan struct{})}
	if w == nil {
		return p
	}
	start := time.Now()
	p.wg.Go(func() {
		every(p.stop, interval, func() { fmt.Fprintln(w, line(time.Since(start).Round(time.Second))) })
	})
	return p
}

// every calls fn every interval until stop is closed.
func every(stop <-chan struct{}, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fn()
		}
	}
}

// end stops the progress lines and waits for the writer.
func (p *progress) end() {
	close(p.stop)
	p.wg.Wait()
}

// pushLine describes a push in progress.
func pushLine(what string, c Counts, total int64, elapsed time.Duration) string {
	pct := ""
	if total > 0 {
		pct = fmt.Sprintf(" of %d (%.0f%%)", total, 100*float64(c.SamplesSent)/float64(total))
	}
	return fmt.Sprintf("%s %v: %d samples sent%s, %d accepted (%.0f/s), %d requests, %d errors, %d throttled, %d retries",
		what, elapsed, c.SamplesSent, pct, c.SamplesAccepted, float64(c.SamplesAccepted)/max(elapsed.Seconds(), 1e-3),
		c.Requests, c.Errors, c.Throttled, c.Retries)
}
