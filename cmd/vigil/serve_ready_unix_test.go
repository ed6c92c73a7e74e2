//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeReadyAfterRuleLoad holds the rule load open: the rule file is a
// named pipe, and reading it blocks until the test writes the rules. Until
// then the store is open but the server is not ready.
func TestServeReadyAfterRuleLoad(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "rules.yml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	cfg := DefaultConfig()
	cfg.Rules.Files = []string{fifo}
	s := startTestServer(t, cfg)
	<-s.gotOpts
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	eventually(t, "loading rule files", func() bool {
		_, body := s.do("GET", "/-/ready", "")
		return body == "starting: loading rule files\n"
	})
	for _, path := range []string{"/-/ready", "/api/v1/query?query=1", "/api/v1/rules"} {
		code, body := s.do("GET", path, "")
		require.Equal(t, [2]any{503, "starting: loading rule files\n"}, [2]any{code, body}, path)
	}

	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = w.WriteString(alertRule("Loaded"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	s.waitReady()
	require.Equal(t, []string{"example/Loaded"}, s.ruleNames())
	s.cancel()
	require.NoError(t, s.wait())
}
