package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// serveGate sends GET /x through g and returns the status and body.
func serveGate(t *testing.T, g *gate, h func(http.ResponseWriter, *http.Request)) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	b, err := io.ReadAll(rec.Result().Body)
	require.NoError(t, err)
	return rec.Code, string(b)
}

func TestGateStates(t *testing.T) {
	g := newGate("starting")
	data := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "data\n") })
	check := func(wantData, wantReady [2]any) {
		t.Helper()
		code, body := serveGate(t, g, g.ServeHTTP)
		require.Equal(t, wantData, [2]any{code, body})
		code, body = serveGate(t, g, g.ready)
		require.Equal(t, wantReady, [2]any{code, body})
	}
	check([2]any{503, "starting\n"}, [2]any{503, "starting\n"})
	g.open(data)
	check([2]any{200, "data\n"}, [2]any{200, "Vigil is ready.\n"})
	// Shutting down: the data handlers are unmounted, as before open.
	g.close("shutting down")
	check([2]any{503, "shutting down\n"}, [2]any{503, "shutting down\n"})
}
