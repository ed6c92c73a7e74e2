//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package tsdb

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

// flock locks belong to open file descriptions, so a second Open in the same
// process contends exactly as a second process would.
func TestOpenLocksDataDir(t *testing.T) {
	dir := t.TempDir()
	first := openTestDB(t, Options{Dir: dir})

	second, err := Open(Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.Nil(t, second)
	require.ErrorIs(t, err, ErrLocked)
	require.EqualError(t, err, fmt.Sprintf(
		"data directory in use: another process (pid %d) holds %s; is another vigil serve running on %s?",
		os.Getpid(), filepath.Join(dir, lockFileName), dir))

	// The failed Open changed nothing: the first DB still works.
	res, err := first.AppendBatch(batchOf(spec(labels.FromStrings("a", "b"), Sample{1, 1})))
	require.NoError(t, err)
	require.Equal(t, 1, res.Appended)
}

func TestCloseReleasesLock(t *testing.T) {
	dir := t.TempDir()
	first := openTestDB(t, Options{Dir: dir})
	appendOK(t, first, spec(labels.FromStrings("a", "b"), Sample{1, 1}))
	require.NoError(t, first.Close())

	second := openTestDB(t, Options{Dir: dir})
	require.Equal(t, 1, second.NumSeries())
	pid, err := os.ReadFile(filepath.Join(dir, lockFileName))
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("%d\n", os.Getpid()), string(pid))
}

// An Open that fails after taking the lock gives it back.
func TestFailedOpenReleasesLock(t *testing.T) {
	dir := t.TempDir()
	walPath := filepath.Join(dir, "wal")
	require.NoError(t, os.WriteFile(walPath, nil, 0o644)) // not a directory
	_, err := Open(Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "open wal "+walPath)

	require.NoError(t, os.Remove(walPath))
	openTestDB(t, Options{Dir: dir})
}

// A LOCK file left by a process that died holds no lock: the kernel drops
// flock locks with the process.
func TestStaleLockFileIsNoObstacle(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, lockFileName), []byte("999999\n"), 0o644))
	openTestDB(t, Options{Dir: dir})
}

func TestLockFileUnusable(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, lockFileName), 0o755))
	_, err := Open(Options{Dir: dir})
	require.ErrorContains(t, err, "open lock file "+filepath.Join(dir, lockFileName))
}
