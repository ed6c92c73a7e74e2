package ingestcmp

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// kind is how to run one of the three servers.
type kind struct {
	// Name is the server's name in -servers; Title its column heading.
	Name, Title string
	// ReadyPath answers 200 once the server takes pushes and queries.
	ReadyPath string
	// MarkerTimeout is how long a latency marker may stay invisible;
	// 0 means loadgen's default.
	MarkerTimeout time.Duration
	// Markers is the number of latency markers of each measurement;
	// 0 means -markers.
	Markers int
	// QueryParams, when set, are added to every marker query, through a
	// proxy in front of the query API.
	QueryParams url.Values
	// args returns the command line (after the binary) of a server
	// listening on addr with its data under dir.
	args func(dir, addr string) ([]string, error)
}

// kindOf returns the kind named name.
func kindOf(name string) (kind, error) {
	switch name {
	case "vigil":
		return kind{Name: name, Title: "Vigil", ReadyPath: "/-/ready", args: vigilArgs}, nil
	case "prometheus":
		return kind{Name: name, Title: "Prometheus", ReadyPath: "/-/ready", args: promArgs}, nil
	case "victoriametrics":
		k := kind{Name: name, Title: "VictoriaMetrics", ReadyPath: "/health", MarkerTimeout: *vmTimeoutFlag, Markers: *vmMarkersFlag, args: vmArgs}
		if *vmOffsetFlag != "" {
			k.QueryParams = url.Values{"latency_offset": {*vmOffsetFlag}}
		}
		return k, nil
	}
	return kind{}, fmt.Errorf("unknown server %q: want vigil, prometheus or victoriametrics", name)
}

// vigilArgs writes a configuration with the data directory and
// -vigil-wal-sync, and serves it.
func vigilArgs(dir, addr string) ([]string, error) {
	cfg := filepath.Join(dir, "vigil.yml")
	body := fmt.Sprintf("storage:\n  data_dir: %q\n  wal_sync: %q\n", filepath.Join(dir, "data"), *walSyncFlag)
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		return nil, fmt.Errorf("write vigil configuration: %w", err)
	}
	return []string{"serve", "--config", cfg, "--listen", addr}, nil
}

// promArgs writes an empty scrape configuration and turns the
// remote-write receiver on; everything else is Prometheus' default.
func promArgs(dir, addr string) ([]string, error) {
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("scrape_configs: []\n"), 0o644); err != nil {
		return nil, fmt.Errorf("write prometheus configuration: %w", err)
	}
	return []string{"--config.file=" + cfg, "--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr, "--web.enable-remote-write-receiver"}, nil
}

// vmArgs keeps every sample (the data starts Duration ago) and is
// otherwise VictoriaMetrics' default.
func vmArgs(dir, addr string) ([]string, error) {
	return []string{"-httpListenAddr=" + addr, "-storageDataPath=" + filepath.Join(dir, "data"), "-retentionPeriod=100y"}, nil
}
