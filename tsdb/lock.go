package tsdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lockFileName is the file in the data directory that Open locks, so that
// two stores never append to one WAL.
const lockFileName = "LOCK"

// ErrLocked is wrapped by the error of Open when another DB, in this
// process or another, has the data directory open.
var ErrLocked = errors.New("data directory in use")

// dirLock is the lock Open holds on its data directory until Close. Where
// the platform has flock(2) it is an exclusive flock on Dir/LOCK, which the
// kernel releases when the process dies, so a crash never leaves a stale
// lock behind; the file itself is never removed. The file holds the pid of
// the holder, for the error message of the next one who tries.
type dirLock struct {
	f    *os.File
	path string
}

// lockDir takes the lock on dir, or fails at once with an error wrapping
// ErrLocked when another holder has it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	l := &dirLock{f: f, path: path}
	if err := l.lock(dir); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	if err := l.writePID(); err != nil {
		return nil, errors.Join(err, l.release())
	}
	return l, nil
}

// lock takes the platform lock on l.f.
func (l *dirLock) lock(dir string) error {
	locked, err := tryLock(l.f)
	if err != nil {
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	if !locked {
		return fmt.Errorf("%w: another process%s holds %s; is another vigil serve running on %s?",
			ErrLocked, holderPID(l.f), l.path, dir)
	}
	return nil
}

// writePID replaces the file's contents with this process' pid.
func (l *dirLock) writePID() error {
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("write lock file %s: %w", l.path, err)
	}
	if _, err := l.f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return fmt.Errorf("write lock file %s: %w", l.path, err)
	}
	return nil
}

// holderPID returns " (pid N)" with the pid the holder wrote, or "" when
// the file does not hold one.
func holderPID(f *os.File) string {
	buf := make([]byte, 20)
	n, _ := f.ReadAt(buf, 0) // best effort: the pid only decorates the error
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return ""
	}
	return fmt.Sprintf(" (pid %d)", pid)
}

// release drops the lock by closing the file.
func (l *dirLock) release() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}
