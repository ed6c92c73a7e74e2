package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// logVersion is the version of the notification log's file format.
const logVersion = 1

// deliveryLog remembers, per receiver and dedup key, the last trigger that
// was delivered, when, and the causes it named (an update is recorded as
// the trigger it is). A delivered resolve removes the entry: for every
// decision "resolved last" and "never delivered" are the same, and this keeps
// the log as small as the set of open incidents.
//
// With a path the log is persisted: loaded at start, rewritten atomically
// (temp file, fsync, rename, fsync of the directory) by save. It is safe for
// concurrent use.
type deliveryLog struct {
	path   string // "" keeps the log in memory only
	logger *slog.Logger

	saveMu sync.Mutex // serializes save, so files are written in order

	mu      sync.Mutex // guards the fields below
	entries map[logKey]delivery
	dirty   bool // entries changed since the last successful save
}

// logKey identifies an alert at a receiver.
type logKey struct{ receiver, dedupKey string }

// delivery is the last action delivered for an alert, when, and the causes
// (alerting.Notification.CausedBy) the delivered trigger carried.
type delivery struct {
	action   action
	at       time.Time
	causedBy []string
}

// logFile is the JSON form of the log.
type logFile struct {
	Version    int            `json:"version"`
	Deliveries []logFileEntry `json:"deliveries"`
}

type logFileEntry struct {
	Receiver string    `json:"receiver"`
	DedupKey string    `json:"dedup_key"`
	Action   string    `json:"action"`
	At       time.Time `json:"at"`
	CausedBy []string  `json:"caused_by,omitempty"`
}

// loadLog reads the log at path. A missing file is an empty log; an
// unreadable or corrupt one is logged and replaced by an empty log, because
// a lost log costs at most one repeated page while refusing to start costs
// every page.
func loadLog(path string, logger *slog.Logger) *deliveryLog {
	l := &deliveryLog{path: path, logger: logger, entries: make(map[logKey]delivery)}
	if path == "" {
		return l
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l
	}
	if err == nil {
		err = l.decode(data)
	}
	if err != nil {
		logger.Error("notification log is unreadable; starting with an empty log", "file", path, "err", err)
		clear(l.entries)
	}
	return l
}

// decode fills l from data, skipping (and counting) invalid entries.
func (l *deliveryLog) decode(data []byte) error {
	var f logFile
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("decode notification log: %w", err)
	}
	if f.Version != logVersion {
		return fmt.Errorf("notification log version %d, want %d", f.Version, logVersion)
	}
	skipped := 0
	for _, e := range f.Deliveries {
		if e.Receiver == "" || e.DedupKey == "" || e.Action != actionTrigger.String() {
			skipped++
			continue
		}
		l.entries[logKey{e.Receiver, e.DedupKey}] = delivery{action: actionTrigger, at: e.At, causedBy: e.CausedBy}
	}
	if skipped > 0 {
		l.logger.Warn("notification log has invalid entries; skipped them", "file", l.path, "skipped", skipped)
	}
	return nil
}

// get returns the last delivery to receiver of the alert with dedupKey.
func (l *deliveryLog) get(receiver, dedupKey string) (delivery, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d, ok := l.entries[logKey{receiver, dedupKey}]
	return d, ok
}

// record notes a delivery in memory; save persists it. An update is
// recorded as a trigger.
func (l *deliveryLog) record(receiver, dedupKey string, d delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := logKey{receiver, dedupKey}
	if d.action == actionResolve {
		delete(l.entries, k)
	} else {
		d.action = actionTrigger
		l.entries[k] = d
	}
	l.dirty = true
}

// save writes the log to its file when it changed since the last save. On
// error the log stays dirty, so the next save tries again.
func (l *deliveryLog) save() error {
	if l.path == "" {
		return nil
	}
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	data, ok := l.snapshot()
	if !ok {
		return nil
	}
	if err := writeFileAtomic(l.path, data); err != nil {
		l.mu.Lock()
		l.dirty = true
		l.mu.Unlock()
		return err
	}
	return nil
}

// snapshot encodes the entries and clears dirty; ok is false when the log
// is clean.
func (l *deliveryLog) snapshot() (data []byte, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.dirty {
		return nil, false
	}
	f := logFile{Version: logVersion, Deliveries: make([]logFileEntry, 0, len(l.entries))}
	for k, d := range l.entries {
		f.Deliveries = append(f.Deliveries, logFileEntry{Receiver: k.receiver, DedupKey: k.dedupKey, Action: d.action.String(), At: d.at.UTC(), CausedBy: d.causedBy})
	}
	slices.SortFunc(f.Deliveries, func(a, b logFileEntry) int {
		return strings.Compare(a.Receiver+"\xff"+a.DedupKey, b.Receiver+"\xff"+b.DedupKey)
	})
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("BUG: encode notification log: %v", err))
	}
	l.dirty = false
	return append(data, '\n'), true
}

// writeFileAtomic replaces path with data so that a crash leaves either the
// old or the new file: write a temp file beside it, fsync, rename, fsync the
// directory.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("create notification log: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := writeAndClose(f, data); err != nil {
		return fmt.Errorf("write notification log %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace notification log: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// writeAndClose writes data to f, fsyncs and closes it.
func writeAndClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// syncDir fsyncs a directory, so a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open notification log directory: %w", err)
	}
	err = d.Sync()
	if err = errors.Join(err, d.Close()); err != nil {
		return fmt.Errorf("sync notification log directory %s: %w", dir, err)
	}
	return nil
}
