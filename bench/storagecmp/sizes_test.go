package storagecmp

import (
	"flag"
	"time"
)

var (
	longFlag  = flag.Bool("long", false, "run the sizes of issue 6 (slow)")
	scaleFlag = flag.Float64("scale", 1, "multiply every size (series counts) by this, for quick runs")
)

// sizes are the data sizes of the comparisons.
type sizes struct {
	DiskSeries     int           // (a) series written for the bytes-per-sample figure
	DiskSpan       time.Duration // (a) time covered, at 10 s
	MemSeries      int           // (b) series in the head
	MemSamples     int           // (b) samples per series in the head
	RestartSeries  int           // (c) series in the restarted store
	RestartSamples int           // (c) samples per series in the restarted store
	QuerySeries    int           // (d) series of the queried metric
	QuerySpan      time.Duration // (d) time covered by the data and the query
}

// currentSizes returns the sizes for the flags given.
func currentSizes() sizes {
	s := sizes{
		DiskSeries: 1030, DiskSpan: 24 * time.Hour,
		MemSeries: 100_000, MemSamples: 10,
		RestartSeries: 10_000, RestartSamples: 100,
		QuerySeries: 10_000, QuerySpan: 24 * time.Hour,
	}
	if *longFlag {
		s.DiskSeries, s.MemSeries, s.RestartSeries, s.QuerySeries = 10_300, 1_000_000, 1_000_000, 100_000
	}
	f := *scaleFlag
	if f > 0 && f != 1 {
		s.DiskSeries = max(1, int(float64(s.DiskSeries)*f))
		s.MemSeries = max(1, int(float64(s.MemSeries)*f))
		s.RestartSeries = max(1, int(float64(s.RestartSeries)*f))
		s.QuerySeries = max(1, int(float64(s.QuerySeries)*f))
	}
	return s
}
