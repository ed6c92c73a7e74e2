package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// newLogger builds the server's logger from the log section.
func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == logFormatJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// newRegistry builds the registry every component registers its metrics
// with and /metrics serves: Go runtime and process metrics, and
// vigil_build_info.
func newRegistry() (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	info := buildInfo()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vigil_build_info",
		Help: "A metric with a constant '1' value labeled by the version, revision, branch and Go version Vigil was built from.",
		ConstLabels: prometheus.Labels{
			"version": info.Version, "revision": info.Revision, "branch": info.Branch, "goversion": info.GoVersion,
		},
	})
	build.Set(1)
	cs := []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), build}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return reg, nil
}
