package main

import (
	"net/http"
	"net/http/pprof"
)

// handleProfiles serves Go's runtime profiles under /debug/pprof/, as
// Prometheus and VictoriaMetrics do, so a slow or large server can be
// profiled where it runs: `go tool pprof http://HOST:9096/debug/pprof/heap`.
func handleProfiles(mux *http.ServeMux) {
	mux.HandleFunc("/debug/pprof/", pprof.Index) // heap, allocs, goroutine, block, mutex, ...
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
}
