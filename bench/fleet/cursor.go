package fleet

import (
	"fmt"
	"math/rand/v2"
)

// Cursor walks the steps of a fleet: each Next writes the values of one step
// and moves to the next. Cursors of one fleet are independent and give the
// same values. A Cursor is not safe for concurrent use.
type Cursor struct {
	f     *Fleet
	k     int       // the step the next Next writes
	state []float64 // every series of every whole host, before division
	hosts []host
	dt    float64 // seconds per step
}

// host is what a cursor keeps of one host besides its series' state.
type host struct {
	rng   rand.PCG
	total float64 // memory size in bytes; other sizes derive from it
	busy  float64 // share of CPU time spent busy, on average
}

// NewCursor returns a cursor at step 0.
func (f *Fleet) NewCursor() *Cursor {
	per := len(hostLayout)
	c := &Cursor{f: f, state: make([]float64, f.opts.Hosts*per), hosts: make([]host, f.opts.Hosts), dt: f.opts.Interval.Seconds()}
	for h := range c.hosts {
		c.initHost(h)
	}
	return c
}

// Step returns the step that the next call to Next writes.
func (c *Cursor) Step() int { return c.k }

// Next writes the value of every series at the cursor's step into
// dst[:Len()] (index i is Series()[i]), moves to the next step and returns
// the step's timestamp in milliseconds. It does not allocate. dst must hold
// at least Len() values.
func (c *Cursor) Next(dst []float64) (int64, error) {
	if len(dst) < c.f.n {
		return 0, fmt.Errorf("fleet cursor: buffer holds %d values, the fleet has %d series", len(dst), c.f.n)
	}
	t := c.f.Timestamp(c.k)
	if c.k > 0 {
		for h := range c.hosts {
			c.stepHost(h, t)
		}
	}
	per := len(hostLayout)
	for i := range dst[:c.f.n] {
		dst[i] = c.state[i] / hostLayout[i%per].div
	}
	c.k++
	return t, nil
}
