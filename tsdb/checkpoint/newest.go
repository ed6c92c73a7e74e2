package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Newest returns the path and segment number of the checkpoint in dir with
// the highest number. Files being written (*.tmp), other files and
// directories are ignored. ok is false, with a nil error, when there is none
// or dir does not exist. Newest does not read the file: Read checks it.
func Newest(dir string) (path string, segment int, ok bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("list checkpoints in %s: %w", dir, err)
	}
	for _, e := range entries {
		n, isCheckpoint := parseName(e.Name())
		if isCheckpoint && e.Type().IsRegular() && (!ok || n > segment) {
			path, segment, ok = filepath.Join(dir, e.Name()), n, true
		}
	}
	return path, segment, ok, nil
}
