package notify

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLogSavesAndLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	l := loadLog(path, logger)
	l.record("pagerduty", "vigil-00000000000000bb", delivery{action: actionTrigger, at: t0})
	l.record("audit", "vigil-00000000000000aa", delivery{action: actionTrigger, at: t0.Add(time.Second).In(time.FixedZone("X", 3600))})
	l.record("pagerduty", "vigil-00000000000000aa", delivery{action: actionTrigger, at: t0})
	l.record("pagerduty", "vigil-00000000000000aa", delivery{action: actionResolve, at: t0.Add(time.Minute)})
	require.NoError(t, l.save())

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, `{
  "version": 1,
  "deliveries": [
    {
      "receiver": "audit",
      "dedup_key": "vigil-00000000000000aa",
      "action": "trigger",
      "at": "2026-03-01T12:00:01Z"
    },
    {
      "receiver": "pagerduty",
      "dedup_key": "vigil-00000000000000bb",
      "action": "trigger",
      "at": "2026-03-01T12:00:00Z"
    }
  ]
}
`, string(data))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp file left behind")

	again := loadLog(path, logger)
	d, ok := again.get("audit", "vigil-00000000000000aa")
	require.True(t, ok)
	require.True(t, d.at.Equal(t0.Add(time.Second)))
	require.Equal(t, actionTrigger, d.action)
	_, ok = again.get("pagerduty", "vigil-00000000000000aa")
	require.False(t, ok, "a delivered resolve removes the entry")
	require.Empty(t, logs.String())
}

func TestLogSaveWritesOnlyChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	l := loadLog(path, slog.Default())
	require.NoError(t, l.save())
	_, err := os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "a clean log is not written")
	l.record("p", "k", delivery{action: actionTrigger, at: t0})
	require.NoError(t, os.Mkdir(path, 0o755)) // rename onto a directory fails
	require.Error(t, l.save())
	require.NoError(t, os.Remove(path))
	require.NoError(t, l.save(), "a failed save is retried by the next")
	_, ok := loadLog(path, slog.Default()).get("p", "k")
	require.True(t, ok)
}

func TestLogCorruptFileStartsFresh(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":     `{"version": 1, "deliveries": [{"receiver": "p", "dedu`,
		"not json":      "\x00\x01garbage",
		"other version": `{"version": 2, "deliveries": [{"receiver": "p", "dedup_key": "k", "action": "trigger", "at": "2026-03-01T12:00:00Z"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.json")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
			logs := &syncBuffer{}
			l := loadLog(path, slog.New(slog.NewTextHandler(logs, nil)))
			require.Empty(t, l.entries)
			require.Contains(t, logs.String(), `level=ERROR msg="notification log is unreadable; starting with an empty log" file=`+path)
			l.record("p", "k", delivery{action: actionTrigger, at: t0})
			require.NoError(t, l.save())
			_, ok := loadLog(path, slog.Default()).get("p", "k")
			require.True(t, ok)
		})
	}
}

func TestLogSkipsInvalidEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version": 1, "deliveries": [
		{"receiver": "p", "dedup_key": "good", "action": "trigger", "at": "2026-03-01T12:00:00Z"},
		{"receiver": "", "dedup_key": "k", "action": "trigger", "at": "2026-03-01T12:00:00Z"},
		{"receiver": "p", "dedup_key": "k", "action": "acknowledge", "at": "2026-03-01T12:00:00Z"}]}`), 0o644))
	logs := &syncBuffer{}
	l := loadLog(path, slog.New(slog.NewTextHandler(logs, nil)))
	require.Equal(t, map[logKey]delivery{{"p", "good"}: {action: actionTrigger, at: t0}}, l.entries)
	require.Contains(t, logs.String(), `level=WARN msg="notification log has invalid entries; skipped them" file=`+path+` skipped=2`)
}

func TestLogKeepsCauses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	l := loadLog(path, slog.Default())
	l.record("p", "k", delivery{action: actionTrigger, at: t0})
	l.record("p", "k", delivery{action: actionUpdate, at: t0.Add(time.Minute), causedBy: []string{`DBDown{region="eu"}`}})
	require.NoError(t, l.save())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.JSONEq(t, `{"version": 1, "deliveries": [{"receiver": "p", "dedup_key": "k", "action": "trigger",
		"at": "2026-03-01T12:01:00Z", "caused_by": ["DBDown{region=\"eu\"}"]}]}`, string(data))
	d, ok := loadLog(path, slog.Default()).get("p", "k")
	require.True(t, ok)
	require.Equal(t, delivery{action: actionTrigger, at: t0.Add(time.Minute), causedBy: []string{`DBDown{region="eu"}`}}, d)
}

func TestLogInMemory(t *testing.T) {
	l := loadLog("", slog.Default())
	l.record("p", "k", delivery{action: actionTrigger, at: t0})
	require.NoError(t, l.save())
	d, ok := l.get("p", "k")
	require.True(t, ok)
	require.Equal(t, delivery{action: actionTrigger, at: t0}, d)
}
