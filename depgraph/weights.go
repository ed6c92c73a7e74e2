package depgraph

import (
	"math"
	"slices"
)

// Call is one edge of the call graph: the rate of requests Caller sends to
// Callee (for example one series of
// `sum by (caller, callee) (rate(rpc_requests_total[5m]))`).
type Call struct {
	Caller, Callee string
	Rate           float64
}

// Weights returns, for every service of the call graph, its weight: the
// share of user-facing requests whose path reaches it, in [0, 1].
//
// The model. Calls whose caller is "" or one of userCallers are user
// traffic; T is their total rate and an entry service s receives U(s) of
// it. A service c forwards to callee s the fraction
// f(c, s) = min(1, rate(c→s) / In(c)) of the traffic it receives, In(c)
// being its user traffic plus the calls it receives. Then
//
//	w(s) = min(1, U(s)/T + Σ_c w(c)·f(c, s))
//
// Contributions of different callers add up, as if their calls came from
// distinct user requests (an upper bound when they share requests; the
// cap at 1 keeps a diamond from counting a request twice past the whole).
//
// Cycles. A call back into a service on the request's own path (A calls B
// calls A) reaches nothing new and must not dilute the fractions, so In(c)
// counts only calls from outside c's call cycle (its strongly connected
// component), falling back to every call when only its cycle calls it
// (it has no other inbound traffic). The weights are computed component by
// component in topological order; inside a cycle, w is the least fixed
// point of the equation above, reached by iterating from 0 (the iteration
// only increases and is capped at 1, so it converges). Self-calls are
// ignored. Example: users send 100/s to A, A sends 50/s to B and B sends
// 50/s back to A: w(A) = 1 and w(B) = 0.5.
//
// Rates that are negative, NaN or infinite are ignored. With no user
// traffic every weight is 0.
func Weights(calls []Call, userCallers []string) map[string]float64 {
	cg := newCallGraph(calls, userCallers)
	out := make(map[string]float64, len(cg.names))
	w := cg.solve()
	for i, name := range cg.names {
		out[name] = w[i]
	}
	return out
}

// callGraph is the aggregated call graph of Weights.
type callGraph struct {
	names []string
	idx   map[string]int32
	user  []float64           // user traffic per service
	rate  []map[int32]float64 // caller → callee → rate
	in    [][]int32           // callee → callers
	total float64             // all user traffic
}

func newCallGraph(calls []Call, userCallers []string) *callGraph {
	cg := &callGraph{idx: map[string]int32{}}
	users := map[string]bool{"": true}
	for _, u := range userCallers {
		users[u] = true
	}
	for _, c := range calls {
		if c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) || c.Callee == "" {
			continue
		}
		cg.add(c, users[c.Caller])
	}
	return cg
}

// add records one call.
func (cg *callGraph) add(c Call, fromUser bool) {
	to := cg.id(c.Callee)
	if fromUser {
		cg.user[to] += c.Rate
		cg.total += c.Rate
		return
	}
	from := cg.id(c.Caller)
	if from == to {
		return
	}
	if _, ok := cg.rate[from][to]; !ok {
		cg.in[to] = append(cg.in[to], from)
	}
	cg.rate[from][to] += c.Rate
}

func (cg *callGraph) id(name string) int32 {
	if i, ok := cg.idx[name]; ok {
		return i
	}
	i := int32(len(cg.names))
	cg.idx[name] = i
	cg.names = append(cg.names, name)
	cg.user = append(cg.user, 0)
	cg.rate = append(cg.rate, map[int32]float64{})
	cg.in = append(cg.in, nil)
	return i
}

// solve returns the weights, component by component.
func (cg *callGraph) solve() []float64 {
	w := make([]float64, len(cg.names))
	if cg.total <= 0 {
		return w
	}
	comps := components(cg.successors())
	comp := make([]int32, len(cg.names))
	for ci, c := range comps {
		for _, v := range c {
			comp[v] = int32(ci)
		}
	}
	inbound := cg.inbound(comp)
	for ci := len(comps) - 1; ci >= 0; ci-- { // topological order
		cg.fixpoint(comps[ci], w, inbound)
	}
	return w
}

// successors returns the callees of every service, sorted.
func (cg *callGraph) successors() [][]int32 {
	adj := make([][]int32, len(cg.names))
	for from, m := range cg.rate {
		for to := range m {
			adj[from] = append(adj[from], to)
		}
		slices.Sort(adj[from])
	}
	return adj
}

// inbound returns In(c) per service (see Weights).
func (cg *callGraph) inbound(comp []int32) []float64 {
	in := make([]float64, len(cg.names))
	for s := range cg.names {
		outside, all := cg.user[s], cg.user[s]
		for _, c := range cg.in[s] {
			r := cg.rate[c][int32(s)]
			all += r
			if comp[c] != comp[s] {
				outside += r
			}
		}
		in[s] = outside
		if outside == 0 {
			in[s] = all
		}
	}
	return in
}

// fixpoint iterates the weights of one component until they settle.
func (cg *callGraph) fixpoint(comp []int32, w, inbound []float64) {
	slices.Sort(comp)
	for range 10_000 {
		changed := 0.0
		for _, s := range comp {
			v := cg.weight(s, w, inbound)
			changed = max(changed, math.Abs(v-w[s]))
			w[s] = v
		}
		if changed <= 1e-12 {
			return
		}
	}
}

// weight evaluates w(s) from the current weights of its callers.
func (cg *callGraph) weight(s int32, w, inbound []float64) float64 {
	v := cg.user[s] / cg.total
	for _, c := range cg.in[s] {
		if inbound[c] > 0 {
			v += w[c] * min(1, cg.rate[c][s]/inbound[c])
		}
	}
	return min(1, v)
}
