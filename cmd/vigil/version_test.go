package main

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/query/api"
)

func TestPrintVersion(t *testing.T) {
	var b bytes.Buffer
	info := api.BuildInfo{Version: "v0.1.0-3-gabcdef0", Revision: "abcdef0123", Branch: "main",
		BuildUser: "ci@builder", BuildDate: "2025-01-02T15:04:05Z", GoVersion: "go1.26.8"}
	require.NoError(t, printVersion(&b, info))
	require.Equal(t, `vigil, version v0.1.0-3-gabcdef0 (branch: main, revision: abcdef0123)
  build user:       ci@builder
  build date:       2025-01-02T15:04:05Z
  go version:       go1.26.8
  platform:         `+runtime.GOOS+"/"+runtime.GOARCH+"\n", b.String())
}

func TestBuildInfoFallbacks(t *testing.T) {
	info := buildInfo() // a test binary has no -ldflags
	require.Equal(t, runtime.Version(), info.GoVersion)
	for name, v := range map[string]string{"version": info.Version, "revision": info.Revision, "branch": info.Branch,
		"build user": info.BuildUser, "build date": info.BuildDate} {
		require.NotEmpty(t, v, name)
	}
}
