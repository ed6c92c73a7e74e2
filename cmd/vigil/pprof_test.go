package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeProfiles: the runtime profiles answer, before the store is even
// open, as /metrics does.
func TestServeProfiles(t *testing.T) {
	s := startTestServer(t, DefaultConfig())
	<-s.gotOpts
	code, body := s.do("GET", "/debug/pprof/", "")
	require.Equal(t, 200, code)
	require.True(t, strings.Contains(body, "heap") && strings.Contains(body, "goroutine"), body)
	code, body = s.do("GET", "/debug/pprof/goroutine?debug=1", "")
	require.Equal(t, 200, code)
	require.True(t, strings.HasPrefix(body, "goroutine profile: total "), body)
	s.opened <- openResult{db: &fakeStore{}}
	s.waitReady()
	s.cancel()
	require.NoError(t, s.wait())
}
