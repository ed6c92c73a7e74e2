package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/vigilsre/vigil/query/api"
)

// Build information. The Makefile sets these at link time with
// -ldflags "-X main.version=... -X main.revision=..."; buildInfo falls back
// to what the Go toolchain recorded, then to "unknown".
var (
	version   string
	revision  string
	branch    string
	buildUser string
	buildDate string
)

// buildInfo returns the build information of this binary, as "vigil version"
// prints it and /api/v1/status/buildinfo serves it.
func buildInfo() api.BuildInfo {
	info := api.BuildInfo{
		Version:   version,
		Revision:  revision,
		Branch:    orUnknown(branch),
		BuildUser: orUnknown(buildUser),
		BuildDate: orUnknown(buildDate),
		GoVersion: runtime.Version(),
	}
	fromToolchain(&info)
	info.Version = orUnknown(info.Version)
	info.Revision = orUnknown(info.Revision)
	return info
}

// fromToolchain fills an empty version or revision from the build
// information the Go toolchain embeds (set by "go install ...@v1.2.3" and by
// builds inside a git checkout).
func fromToolchain(info *api.BuildInfo) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && info.Revision == "" {
			info.Revision = s.Value
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// newVersionCmd builds "vigil version".
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, revision and Go version of this binary",
		Long: `Print the build information of this binary: the version (from "git describe"
when built with make), the git revision, the branch, who built it and when,
and the Go version. A running server serves the same values at
/api/v1/status/buildinfo.`,
		Example: `  vigil version
  curl -s http://localhost:9096/api/v1/status/buildinfo`,
		Args: argsError(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return printVersion(cmd.OutOrStdout(), buildInfo())
		},
	}
}

// printVersion writes info in the layout of "prometheus --version".
func printVersion(w io.Writer, info api.BuildInfo) error {
	_, err := fmt.Fprintf(w, `vigil, version %s (branch: %s, revision: %s)
  build user:       %s
  build date:       %s
  go version:       %s
  platform:         %s/%s
`, info.Version, info.Branch, info.Revision, info.BuildUser, info.BuildDate, info.GoVersion, runtime.GOOS, runtime.GOARCH)
	return err
}
