package fleet

import "math/rand/v2"

// hostRand returns the random source of one host: independent of every
// other host's, so hosts can be generated in any order.
func hostRand(seed int64, host int) rand.PCG {
	a := splitmix(uint64(seed))
	return *rand.NewPCG(a, splitmix(a^uint64(host)*0x9e3779b97f4a7c15))
}

// splitmix scrambles x (SplitMix64's finalizer).
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// uniform returns a float in [0, 1).
func uniform(r *rand.PCG) float64 {
	return float64(r.Uint64()>>11) / (1 << 53)
}

// intn returns an integer in [0, n); n > 0.
func intn(r *rand.PCG, n int) int {
	return int(r.Uint64() % uint64(n))
}

// between returns an integer in [lo, hi].
func between(r *rand.PCG, lo, hi int) int {
	return lo + intn(r, hi-lo+1)
}
