// Package loadgen pushes a realistic fleet's metrics to any server that
// takes Prometheus remote write 1.0 (Vigil, Prometheus, VictoriaMetrics)
// and measures what it costs the server and how soon a pushed sample can be
// queried. "vigil bench ingest" is a thin command over it.
//
// # Data
//
// The series and values come from package bench/fleet: hosts × node, HTTP
// and RPC metrics on a 10 s grid, the same for the same seed. The series
// are cut into groups, one request's worth each, and every group is always
// sent by the same worker, so the samples of a series arrive in time order
// however many workers there are. A request holds at most
// Options.BatchSize samples: one sample of each series of its group, or,
// when a worker owns fewer series than a batch, several consecutive steps
// of each.
//
// # Modes
//
//   - Backfill pushes Options.Duration of data, starting Options.Start ago,
//     as fast as the server takes it.
//   - Live pushes one step of every series each Options.Interval, at real
//     time, for Options.Duration.
//
// # What Run measures
//
// The samples the server accepted per second of the run (with the requests,
// errors, 429 answers and retries); with Options.PID, the server's
// CPU-seconds per million accepted samples and its peak resident memory,
// read from /proc; and the push → queryable latency: a marker sample (a
// series of its own with a unique value) is pushed, then GET /api/v1/query
// is polled until the marker is visible. The latency is measured on an idle
// server, then under a background load of Options.BackgroundRate samples/s
// (a live fleet of the same size, labelled loadgen="background", on a grid
// of Series/BackgroundRate). MeasureLatency runs that measurement alone.
//
// Run sends with retries: a 429 or 5xx answer, or a connection error, is
// retried after the answer's Retry-After, or after an exponential backoff.
//
// # Example
//
//	res, err := loadgen.Run(ctx, loadgen.Options{URL: "http://localhost:9096", Series: 10_000, Duration: time.Hour})
//	if err != nil {
//		return err
//	}
//	return res.WriteTable(os.Stdout)
package loadgen
