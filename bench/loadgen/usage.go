package loadgen

import (
	"sync"
	"time"
)

// rssSampleInterval is how often the server's resident memory is read
// while a phase runs.
const rssSampleInterval = 250 * time.Millisecond

// ServerUsage is what the server spent on a phase, from /proc.
type ServerUsage struct {
	// PID is the server's process ID.
	PID int `json:"pid"`
	// CPUSeconds is the server's user and system CPU time during the phase.
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUSecondsPerMillion is CPUSeconds per million accepted samples.
	CPUSecondsPerMillion float64 `json:"cpu_seconds_per_million_samples"`
	// PeakRSS is the server's peak resident memory (VmHWM) at the end of
	// the phase: the most it has had since it started, in bytes.
	PeakRSS int64 `json:"peak_rss_bytes"`
	// MaxSampledRSS is the most resident memory (VmRSS) seen by reading
	// it every 250 ms during the phase, in bytes.
	MaxSampledRSS int64 `json:"max_sampled_rss_bytes"`
}

// procWatch follows a process through one phase: its CPU time at the
// start, and its resident memory every rssSampleInterval.
type procWatch struct {
	dir    string
	pid    int
	start  ProcSample
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	maxRSS int64 // guarded by mu
}

// startProcWatch reads the process once and starts sampling its memory.
func startProcWatch(dir string, pid int) (*procWatch, error) {
	s, err := ReadProc(dir, pid)
	if err != nil {
		return nil, err
	}
	p := &procWatch{dir: dir, pid: pid, start: s, stop: make(chan struct{}), maxRSS: s.RSS}
	p.wg.Go(p.sample)
	return p, nil
}

// sample reads the resident memory until stop closes.
func (p *procWatch) sample() {
	every(p.stop, rssSampleInterval, func() {
		if s, err := ReadProc(p.dir, p.pid); err == nil {
			p.seen(s.RSS)
		}
	})
}

// seen records one reading of the resident memory.
func (p *procWatch) seen(rss int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maxRSS = max(p.maxRSS, rss)
}

// finish stops sampling and returns the usage of the phase, in which the
// server accepted samples samples.
func (p *procWatch) finish(samples int64) (*ServerUsage, error) {
	close(p.stop)
	p.wg.Wait()
	end, err := ReadProc(p.dir, p.pid)
	if err != nil {
		return nil, err
	}
	p.seen(end.RSS)
	u := &ServerUsage{PID: p.pid, CPUSeconds: (end.CPU - p.start.CPU).Seconds(), PeakRSS: end.PeakRSS, MaxSampledRSS: p.maxRSS}
	if samples > 0 {
		u.CPUSecondsPerMillion = u.CPUSeconds / (float64(samples) / 1e6)
	}
	return u, nil
}
