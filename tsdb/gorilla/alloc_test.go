package gorilla

import (
	"bytes"
	"testing"
)

// The hot paths must not allocate: the head appends to reused chunks and
// queries decode through reused iterators.
func TestAllocs(t *testing.T) {
	samples := zip(jittered(120, 10_000, 50, 16), gauge(16))
	c := NewChunk(0)
	appendAll := func() {
		c.Reset()
		for _, s := range samples {
			c.Append(s.t, s.v)
		}
	}
	appendAll() // grow the buffer once
	b := bytes.Clone(c.Bytes())
	var it Iterator
	var sink int64
	tests := []struct {
		name string
		run  func()
	}{
		{"Reset and Append 120 samples", appendAll},
		{"Reset and iterate 120 samples", func() {
			it.Reset(b)
			for it.Next() {
				ts, _ := it.At()
				sink += ts
			}
		}},
		{"Reset and SeekTo the middle", func() {
			it.Reset(b)
			it.SeekTo(samples[60].t)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.run); got != 0 {
				t.Fatalf("%v allocations per run, want 0", got)
			}
		})
	}
	if sink == 0 || it.Err() != nil {
		t.Fatalf("iteration decoded nothing (sink %d) or failed: %v", sink, it.Err())
	}
}
