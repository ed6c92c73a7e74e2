// Package fleet generates the metrics of a realistic fleet of hosts,
// deterministically: the same Options give the same series and, step by
// step, the same values, bit for bit. Benchmarks use it to write one data
// set into several stores; a load generator can use it to push it.
//
// Every host exposes about a hundred series in three groups, each labelled
// with the host's instance, job and region (one of four), so that
// "sum by (region)" has something to sum:
//
//   - node metrics (job "node"): CPU seconds per cpu and mode (counters in
//     hundredths of a second, as /proc/stat counts them), load averages (two
//     decimals), memory and filesystem bytes (random walks in whole 4 KiB
//     pages, totals constant), network bytes (integer counters) and the boot
//     time (constant until the host restarts);
//   - HTTP metrics (job "app", with the host's service): requests per route,
//     method and code (counters growing by 0 to 20 per interval) and a
//     classic latency histogram per route (_bucket{le} counters, _sum,
//     _count);
//   - RPC metrics (job "app"): handled calls per method and code, calls in
//     flight, resident memory and goroutines of the process.
//
// A host restarts now and then (Options.RestartProbability per host and
// step): its counters start again from zero, as after a real restart.
//
// Generating values does not allocate: a Cursor walks the steps and writes
// every series' value of the step into the caller's buffer.
package fleet
