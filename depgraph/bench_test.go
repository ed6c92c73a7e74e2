package depgraph

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// The benchmark graph: 1,000 services in 10 layers of 100, each service
// depending on 3 services of the next layer in the same region (match:
// [region]); 10 alerts per service, half listed in the service's
// alerts: list and half members by their service label, each depending on
// one or two alerts of its service's dependencies (match: [region] or
// [region, cluster]), one in twenty through an all_of pair. Firing sets are
// outages: the alerts of one service of layer 6 fire in one region, with
// instances of alerts of services above it (its dependents, as they would
// fire) and some unrelated noise in other regions.
//
// Compare runs with:
//
//	go test ./depgraph -run '^$' -bench . -benchtime=1s -count=6 > new.txt
//	benchstat old.txt new.txt
const (
	benchLayers   = 10
	benchPerLayer = 100
	benchAlerts   = 10 // per service
)

func benchSvc(layer, i int) string { return fmt.Sprintf("svc-%d-%d", layer, i) }
func benchAlert(svc string, k int) string {
	return "Alert_" + svc[4:] + "_" + strconv.Itoa(k)
}

// benchGraph returns the benchmark's alerts and services, with perLayer
// services in each layer.
func benchGraph(r *rand.Rand, perLayer int) ([]AlertSpec, Services) {
	var svcs Services
	deps := map[string][]string{}
	for l := range benchLayers {
		for i := range perLayer {
			s := Service{Name: benchSvc(l, i)}
			for range 3 * min(1, benchLayers-1-l) {
				d := ServiceDependency{Service: benchSvc(l+1, r.IntN(perLayer)), Match: []string{"region"}}
				s.DependsOn = append(s.DependsOn, d)
				deps[s.Name] = append(deps[s.Name], d.Service)
			}
			for k := range benchAlerts / 2 {
				s.Alerts = append(s.Alerts, benchAlert(s.Name, k))
			}
			svcs.Services = append(svcs.Services, s)
		}
	}
	var alerts []AlertSpec
	for _, s := range svcs.Services {
		for k := range benchAlerts {
			alerts = append(alerts, benchAlertSpec(r, s.Name, k, deps[s.Name]))
		}
	}
	return alerts, svcs
}

func benchAlertSpec(r *rand.Rand, svc string, k int, deps []string) AlertSpec {
	a := AlertSpec{Name: benchAlert(svc, k)}
	if len(deps) == 0 {
		return a
	}
	for range 1 + r.IntN(2) {
		d := Dependency{Alert: benchAlert(deps[r.IntN(len(deps))], r.IntN(benchAlerts)), Match: []string{"region"}}
		if r.IntN(2) == 0 {
			d.Match = append(d.Match, "cluster")
		}
		if r.IntN(20) == 0 {
			d.AllOf, d.Alert = []string{d.Alert, benchAlert(deps[0], r.IntN(benchAlerts))}, ""
		}
		a.DependsOn = append(a.DependsOn, d)
	}
	return a
}

// benchInstance returns an instance of alert k of svc.
func benchInstance(svc string, k int, region, cluster string) Instance {
	name := benchAlert(svc, k)
	return Instance{Alert: name, Labels: labels.FromStrings(labels.AlertName, name, "cluster", cluster, "region", region, DefaultServiceLabel, svc)}
}

// benchFiring returns an outage of n instances rooted at one service of
// layer 6 and its dependents, a tenth of it noise.
func benchFiring(r *rand.Rand, svcs Services, n, perLayer int) []Instance {
	users := dependents(svcs)
	root := benchSvc(6, r.IntN(perLayer))
	var out []Instance
	for k := range max(2, min(benchAlerts, n/10)) {
		out = append(out, benchInstance(root, k, "us-east", "c"+strconv.Itoa(k%2)))
	}
	above := users[root]
	for len(out) < n {
		svc, region := above[r.IntN(len(above))], "us-east"
		if r.IntN(10) == 0 {
			svc, region = benchSvc(r.IntN(benchLayers), r.IntN(perLayer)), "eu-west"
		}
		out = append(out, benchInstance(svc, r.IntN(benchAlerts), region, "c"+strconv.Itoa(r.IntN(3))))
	}
	return out[:n]
}

// dependents returns, per service, the services that depend on it
// transitively.
func dependents(svcs Services) map[string][]string {
	direct := map[string][]string{}
	for _, s := range svcs.Services {
		for _, d := range s.DependsOn {
			direct[d.Service] = append(direct[d.Service], s.Name)
		}
	}
	out := map[string][]string{}
	for _, s := range svcs.Services {
		seen := map[string]bool{}
		stack := []string{s.Name}
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, u := range direct[top] {
				if !seen[u] {
					seen[u] = true
					out[s.Name] = append(out[s.Name], u)
					stack = append(stack, u)
				}
			}
		}
	}
	return out
}

func buildBenchGraph(b *testing.B) (*Graph, Services) {
	alerts, svcs := benchGraph(rand.New(rand.NewPCG(1, 2)), benchPerLayer)
	g, err := Build(alerts, []Services{svcs})
	if err != nil {
		b.Fatal(err)
	}
	return g, svcs
}

// BenchmarkExplain is one evaluation: the firing set is rebuilt and every
// firing instance decided, as the alerting manager does.
func BenchmarkExplain(b *testing.B) {
	g, svcs := buildBenchGraph(b)
	for _, n := range []int{10, 50, 200} {
		b.Run("firing="+strconv.Itoa(n), func(b *testing.B) {
			in := benchFiring(rand.New(rand.NewPCG(3, uint64(n))), svcs, n, benchPerLayer)
			f := NewFiring()
			suppressed := 0
			b.ReportAllocs()
			for b.Loop() {
				f.Reset()
				for _, x := range in {
					f.Add(x)
				}
				suppressed = 0
				for _, x := range in {
					if g.Explain(x, f).Suppressed {
						suppressed++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/decision")
			b.ReportMetric(float64(suppressed), "suppressed")
		})
	}
}

// BenchmarkExplainOne is one decision against an indexed firing set: an
// alert of the top layer, suppressed or not.
func BenchmarkExplainOne(b *testing.B) {
	g, svcs := buildBenchGraph(b)
	f := NewFiring()
	in := benchFiring(rand.New(rand.NewPCG(3, 200)), svcs, 200, benchPerLayer)
	for _, x := range in {
		f.Add(x)
	}
	users := dependents(svcs)
	var top string
	for _, u := range users[in[0].Labels.Get(DefaultServiceLabel)] {
		if u[:6] == "svc-0-" {
			top = u
			break
		}
	}
	for name, d := range map[string]Instance{
		"suppressed":     benchInstance(top, 7, "us-east", "c1"),
		"not-suppressed": benchInstance(top, 7, "ap-south", "c1"),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var got Decision
			for b.Loop() {
				got = g.Explain(d, f)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/decision")
			b.ReportMetric(float64(len(got.By)), "causes")
		})
	}
}

// BenchmarkBuild is a load of the benchmark graph (a reload pays it).
func BenchmarkBuild(b *testing.B) {
	alerts, svcs := benchGraph(rand.New(rand.NewPCG(1, 2)), benchPerLayer)
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := Build(alerts, []Services{svcs}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/build")
}
