package ingestcmp

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// Flags of TestIngestComparison; the defaults are issue 7's sizes.
var (
	seriesFlag     = flag.Int("series", 100_000, "series pushed to each server")
	durationFlag   = flag.Duration("duration", time.Hour, "span of the backfilled data, ending now (10 s grid)")
	markersFlag    = flag.Int("markers", 100, "latency markers of each measurement (idle, under load)")
	bgRateFlag     = flag.Float64("background-rate", 100_000, "background load while the latency is measured, samples/s")
	gapFlag        = flag.Duration("marker-gap", 100*time.Millisecond, "wait between a latency marker showing and the next push, so the markers under load span many steps of the background load")
	concFlag       = flag.Int("concurrency", 4, "remote-write requests in flight during the backfill")
	serversFlag    = flag.String("servers", "vigil,prometheus,victoriametrics", "servers to run, in this order, comma-separated")
	walSyncFlag    = flag.String("vigil-wal-sync", "1s", "Vigil's storage.wal_sync: always or a duration")
	vmTimeoutFlag  = flag.Duration("vm-marker-timeout", 2*time.Minute, "how long a VictoriaMetrics latency marker may stay invisible")
	vmMarkersFlag  = flag.Int("vm-markers", 10, "latency markers of each VictoriaMetrics measurement (each takes about -search.latencyOffset, 30 s)")
	vmOffsetFlag   = flag.String("vm-latency-offset", "", "when set, VictoriaMetrics' marker queries carry latency_offset=VALUE (at least 1ms); default: its -search.latencyOffset (30 s)")
	vigilBinFlag   = flag.String("vigil", "", "vigil binary; default: built from this module into a temporary directory")
	promBinFlag    = flag.String("prometheus", "", "prometheus binary; default: bin/prometheus at the module root")
	vmBinFlag      = flag.String("victoria-metrics", "", "victoria-metrics binary; default: bin/victoria-metrics at the module root")
	resultsDirFlag = flag.String("results-dir", "", "when set, write each server's loadgen result there as NAME.json")
)

// serverNames returns the servers of -servers, checked.
func serverNames() ([]string, error) {
	var names []string
	for n := range strings.SplitSeq(*serversFlag, ",") {
		n = strings.TrimSpace(n)
		if _, err := kindOf(n); err != nil {
			return nil, fmt.Errorf("-servers: %w", err)
		}
		names = append(names, n)
	}
	return names, nil
}
