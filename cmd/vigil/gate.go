package main

import (
	"io"
	"net/http"
	"sync/atomic"
)

// gate stands in front of the handlers that need the store. Until open hands
// it those handlers it answers 503 with the reason it was made with, so a
// client pushing during the WAL replay learns to retry rather than losing
// data. It also answers /-/ready. Safe for concurrent use.
type gate struct {
	state atomic.Pointer[gateState]
}

// gateState is one immutable state of a gate.
type gateState struct {
	handler  http.Handler // nil until the store is open
	notReady string       // why /-/ready answers 503; "" when ready
}

func newGate(reason string) *gate {
	g := &gate{}
	g.state.Store(&gateState{notReady: reason})
	return g
}

// open starts serving h and reports ready.
func (g *gate) open(h http.Handler) {
	g.state.Store(&gateState{handler: h})
}

// close reports not ready for reason and unmounts the handlers: from then on
// the data endpoints answer 503 with reason, as before open, so a request
// arriving while the server stops is told to retry instead of reaching a
// component that is stopping (a 500) or one that acknowledges what it will
// not keep. Requests already inside a handler finish: the HTTP server's
// Shutdown waits for them before anything they use is stopped.
func (g *gate) close(reason string) {
	g.state.Store(&gateState{notReady: reason})
}

// ServeHTTP serves the request through the open handler, or answers 503.
func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := g.state.Load()
	if st.handler == nil {
		http.Error(w, st.notReady, http.StatusServiceUnavailable)
		return
	}
	st.handler.ServeHTTP(w, r)
}

// ready answers GET /-/ready: 200 once the store is open, 503 before and
// while shutting down.
func (g *gate) ready(w http.ResponseWriter, _ *http.Request) {
	if reason := g.state.Load().notReady; reason != "" {
		http.Error(w, reason, http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "Vigil is ready.\n")
}
