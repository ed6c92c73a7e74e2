package fleet

import (
	"math"
	"math/rand/v2"
)

// latencyCDF is, per route, the share of requests at or below each bucket
// bound (the last is +Inf).
var latencyCDF = [numRoutes][]float64{
	{0.02, 0.05, 0.15, 0.35, 0.6, 0.85, 0.95, 0.985, 0.997, 0.999, 1},
	{0.05, 0.1, 0.3, 0.55, 0.8, 0.93, 0.98, 0.995, 0.999, 0.9998, 1},
	{0.2, 0.45, 0.75, 0.9, 0.97, 0.99, 0.996, 0.999, 0.9997, 0.9999, 1},
	{0.9, 0.99, 0.999, 0.9999, 1, 1, 1, 1, 1, 1, 1},
}

// stepScratch carries what the series of one host share within one step.
type stepScratch struct {
	cpuUsed float64             // hundredths of a second of the current cpu, busy modes so far
	reqs    [numRoutes]float64  // requests of each route in this step (or, at init, in total)
	hist    [numBuckets]float64 // requests per bucket of the current route, cumulative
	sum     float64             // latency of the current route's requests, seconds
}

// initHost sets host h's state at step 0: the host has been up for a while.
func (c *Cursor) initHost(h int) {
	hs := &c.hosts[h]
	hs.rng = hostRand(c.f.opts.Seed, h)
	r := &hs.rng
	hs.total = float64(int64(8<<30) << intn(r, 3))
	hs.busy = 0.05 + 0.5*uniform(r)
	uptime := float64(between(r, 3600, 30*86400))
	steps := math.Floor(uptime / c.dt)
	boot := float64(c.f.Timestamp(0)/1000) - uptime
	var sc stepScratch
	st := c.hostState(h)
	for i := range hostLayout {
		st[i] = c.initial(hs, &hostLayout[i], &sc, steps, boot)
	}
}

// stepHost moves host h to the step at t (ms): a restart, perhaps, then
// every series' increment or walk.
func (c *Cursor) stepHost(h int, t int64) {
	hs := &c.hosts[h]
	st := c.hostState(h)
	if p := c.f.opts.RestartProbability; p > 0 && uniform(&hs.rng) < p {
		c.restart(hs, st, t)
	}
	var sc stepScratch
	for i := range hostLayout {
		st[i] = c.next(hs, &hostLayout[i], &sc, st[i])
	}
}

func (c *Cursor) hostState(h int) []float64 {
	per := len(hostLayout)
	return c.state[h*per : (h+1)*per]
}

// restart zeroes the host's counters and sets its boot time to t.
func (c *Cursor) restart(hs *host, st []float64, t int64) {
	for i := range hostLayout {
		s := &hostLayout[i]
		switch s.kind {
		case kindCPU, kindBytes, kindRequests, kindBucket, kindSum, kindCount, kindCounter:
			st[i] = 0
		case kindBootTime:
			st[i] = float64(t / 1000)
		case kindGoroutines:
			st[i] = s.b
		case kindPages:
			if s.name == "process_resident_memory_bytes" {
				st[i] = pages(s.b * hs.total)
			}
		}
	}
}

// initial returns the value of s at step 0, for a host up for steps steps
// since boot (seconds).
func (c *Cursor) initial(hs *host, s *spec, sc *stepScratch, steps, boot float64) float64 {
	switch s.kind {
	case kindConst:
		return s.a * hs.total
	case kindBootTime:
		return boot
	case kindLoad:
		return float64(intn(&hs.rng, int(s.b)/2))
	case kindPages:
		return pages((s.b + (s.c-s.b)*uniform(&hs.rng)) * hs.total)
	case kindInFlight:
		return float64(intn(&hs.rng, int(s.a)+1))
	case kindGoroutines:
		return float64(between(&hs.rng, int(s.b), int(s.c)))
	}
	return c.initialCounter(hs, s, sc, steps)
}

// initialCounter returns a counter's value after steps steps of average
// increments; a histogram agrees with its route's request counters.
func (c *Cursor) initialCounter(hs *host, s *spec, sc *stepScratch, steps float64) float64 {
	r := int(s.c)
	switch s.kind {
	case kindCPU:
		return math.Round(steps * c.cpuMean(hs, int(s.a)))
	case kindBytes:
		return math.Round(steps * s.a / 2 * uniform(&hs.rng))
	case kindRequests:
		v := math.Round(steps * s.a / 2 * s.b * uniform(&hs.rng))
		sc.reqs[r] += v
		return v
	case kindBucket:
		return math.Floor(sc.reqs[r] * latencyCDF[r][int(s.a)])
	case kindSum:
		return micro(sc.reqs[r] * meanLatency(r))
	case kindCount:
		return sc.reqs[r]
	case kindCounter:
		return math.Round(steps * s.a / 2 * s.b * uniform(&hs.rng))
	}
	return 0
}

// cpuMean returns the mean hundredths of a second per step in a CPU mode.
func (c *Cursor) cpuMean(hs *host, mode int) float64 {
	total := c.dt * 100
	busy := [...]float64{0.7, 0.2, 0.05, 0.01, 0.03, 0.005, 0.005}
	if mode < len(busy) {
		return total * hs.busy * busy[mode]
	}
	return total * (1 - hs.busy)
}

// next returns the value of s one step after v.
func (c *Cursor) next(hs *host, s *spec, sc *stepScratch, v float64) float64 {
	r := &hs.rng
	switch s.kind {
	case kindCPU:
		return v + c.cpuStep(hs, int(s.a), sc)
	case kindLoad:
		return clamp(v+float64(between(r, -int(s.a), int(s.a))), 0, s.b)
	case kindPages:
		d := float64(between(r, -int(s.a), int(s.a))) * pageSize
		return clamp(v+d, pages(s.b*hs.total), pages(s.c*hs.total))
	case kindBytes:
		return v + float64(intn(r, int(s.a)))
	case kindInFlight:
		return float64(intn(r, int(s.a)+1))
	case kindGoroutines:
		return clamp(v+float64(between(r, -int(s.a), int(s.a))), s.b, s.c)
	case kindCounter:
		return v + c.increment(r, s)
	}
	return c.nextHTTP(r, s, sc, v)
}

// nextHTTP returns the next value of an HTTP request counter or histogram
// series; the request counters of a route come before its histogram.
func (c *Cursor) nextHTTP(r *rand.PCG, s *spec, sc *stepScratch, v float64) float64 {
	route := int(s.c)
	switch s.kind {
	case kindRequests:
		d := c.increment(r, s)
		sc.reqs[route] += d
		return v + d
	case kindBucket:
		if s.a == 0 {
			sc.observe(r, route)
		}
		return v + sc.hist[int(s.a)]
	case kindSum:
		return micro(v + sc.sum)
	case kindCount:
		return v + sc.reqs[route]
	}
	return v
}

// increment returns a counter's increment: [0, a] with probability b, else 0.
func (c *Cursor) increment(r *rand.PCG, s *spec) float64 {
	if s.b < 1 && uniform(r) >= s.b {
		return 0
	}
	return float64(intn(r, int(s.a)+1))
}

// cpuStep returns the hundredths of a second a CPU spent in a mode in one
// step; idle, the last mode, gets what the others left.
func (c *Cursor) cpuStep(hs *host, mode int, sc *stepScratch) float64 {
	if mode == 0 {
		sc.cpuUsed = 0
	}
	total := c.dt * 100
	if mode == len(cpuModes)-1 {
		return max(0, total-sc.cpuUsed)
	}
	d := math.Round(c.cpuMean(hs, mode) * 2 * uniform(&hs.rng))
	sc.cpuUsed += d
	return d
}

// observe draws the latencies of the step's requests of a route into the
// histogram scratch (cumulative per bucket) and their sum.
func (sc *stepScratch) observe(r *rand.PCG, route int) {
	sc.hist = [numBuckets]float64{}
	sc.sum = 0
	cdf := latencyCDF[route]
	for range int(sc.reqs[route]) {
		u := uniform(r)
		b := 0
		for b < len(cdf)-1 && u >= cdf[b] {
			b++
		}
		sc.sum += micro(bucketLow(b) + (bucketHigh(b)-bucketLow(b))*uniform(r))
		for i := b; i < len(sc.hist); i++ {
			sc.hist[i]++
		}
	}
}

func bucketLow(b int) float64 {
	if b == 0 {
		return 0.001
	}
	return bucketBounds[b-1]
}

func bucketHigh(b int) float64 {
	if b < len(bucketBounds) {
		return bucketBounds[b]
	}
	return 2 * bucketBounds[len(bucketBounds)-1]
}

// meanLatency returns the mean latency of a route's requests, roughly.
func meanLatency(route int) float64 {
	cdf := latencyCDF[route]
	m, prev := 0.0, 0.0
	for b, p := range cdf {
		m += (p - prev) * (bucketLow(b) + bucketHigh(b)) / 2
		prev = p
	}
	return m
}

// micro rounds seconds to whole microseconds.
func micro(s float64) float64 { return math.Round(s*1e6) / 1e6 }

// pages rounds bytes down to whole pages.
func pages(b float64) float64 { return math.Floor(b/pageSize) * pageSize }

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
