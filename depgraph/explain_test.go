package depgraph

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// smallBenchGraph is the benchmark's graph at a tenth of the size: 100
// services in 10 layers, 1,000 alerts, and a firing set of 60.
func smallBenchGraph(t *testing.T) (*Graph, []Instance) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	alerts, svcs := benchGraph(r, 10)
	g, err := Build(alerts, []Services{svcs})
	if err != nil {
		t.Fatal(err)
	}
	return g, benchFiring(r, svcs, 60, 10)
}

// TestExplainConcurrent decides every firing instance from several
// goroutines sharing one Firing (and its lazily built index) and compares
// with a sequential run; run it with -race.
func TestExplainConcurrent(t *testing.T) {
	g, in := smallBenchGraph(t)
	want := map[string]string{}
	seq := NewFiring()
	for _, x := range in {
		seq.Add(x)
	}
	suppressed := 0
	for _, x := range in {
		d := g.Explain(x, seq)
		want[x.String()] = summarize(d)
		if d.Suppressed {
			suppressed++
		}
	}
	if suppressed == 0 || suppressed == len(in) {
		t.Fatalf("%d of %d suppressed: the case tests nothing", suppressed, len(in))
	}
	shared := NewFiring()
	for _, x := range in {
		shared.Add(x)
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(in)*4)
	for w := range 4 {
		wg.Go(func() {
			for j := range in {
				x := in[(j+w*7)%len(in)]
				if got := summarize(g.Explain(x, shared)); got != want[x.String()] {
					errs <- fmt.Sprintf("%s: got %s, want %s", x, got, want[x.String()])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestExplainAllocs pins the allocations of a decision against an indexed
// firing set: none when not suppressed, and one for By plus one per path
// when suppressed.
func TestExplainAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	g, in := smallBenchGraph(t)
	f := NewFiring()
	for _, x := range in {
		f.Add(x)
	}
	for _, x := range in {
		d := g.Explain(x, f) // builds the index and the Root memo
		want := 0.0
		if d.Suppressed {
			want = float64(1 + len(d.By))
		}
		if got := testing.AllocsPerRun(20, func() { g.Explain(x, f) }); got != want {
			t.Fatalf("Explain(%s): %v allocations, want %v", x, got, want)
		}
	}
}
