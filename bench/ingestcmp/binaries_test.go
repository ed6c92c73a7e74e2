package ingestcmp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// binaries are the server binaries of a comparison, by kind name.
type binaries map[string]string

// findBinaries returns the binary of each named server: the flag's, or
// bin/NAME at the module root, or, for Vigil, one built from the module
// into tmp.
func findBinaries(ctx context.Context, names []string, tmp string) (binaries, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	bins := binaries{}
	for _, n := range names {
		switch n {
		case "vigil":
			bins[n] = *vigilBinFlag
			if bins[n] == "" {
				bins[n], err = buildVigil(ctx, root, tmp)
			}
		case "prometheus":
			bins[n], err = existing(*promBinFlag, filepath.Join(root, "bin", "prometheus"), "make bin/prometheus")
		case "victoriametrics":
			bins[n], err = existing(*vmBinFlag, filepath.Join(root, "bin", "victoria-metrics"), "make bin/victoria-metrics")
		}
		if err != nil {
			return nil, err
		}
	}
	return bins, nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("go env GOMOD: %q: not inside the vigil module", mod)
	}
	return filepath.Dir(mod), nil
}

// buildVigil builds ./cmd/vigil of the module at root into dir.
func buildVigil(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "vigil")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/vigil")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/vigil in %s: %w\n%s", root, err, out)
	}
	return bin, nil
}

// existing returns flagged, or def, when the file exists; how says how to
// get it otherwise.
func existing(flagged, def, how string) (string, error) {
	bin := flagged
	if bin == "" {
		bin = def
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%w (run %s, or name the binary with a flag)", err, how)
	}
	return bin, nil
}
