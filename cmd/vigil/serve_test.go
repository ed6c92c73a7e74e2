package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/storage"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
	"github.com/vigilsre/vigil/tsdb/block"
)

func TestServeFlagsLoad(t *testing.T) {
	full, err := ParseFile("testdata/full.good.yml")
	require.NoError(t, err)
	with := func(c Config, edit func(*Config)) Config {
		edit(&c)
		return c
	}
	tests := []struct {
		name    string
		args    []string
		want    Config
		wantErr string
	}{
		{"no file runs on defaults", nil, DefaultConfig(), ""},
		{"file", []string{"--config", "testdata/full.good.yml"}, full, ""},
		{"--listen overrides the file", []string{"--config", "testdata/full.good.yml", "--listen", "127.0.0.1:0"},
			with(full, func(c *Config) { c.Server.Listen = "127.0.0.1:0" }), ""},
		{"--data-dir overrides the file", []string{"--data-dir", "/tmp/v", "--config", "testdata/full.good.yml"},
			with(full, func(c *Config) { c.Storage.DataDir = "/tmp/v" }), ""},
		{"--listen overrides the default", []string{"--listen", ":19096"},
			with(DefaultConfig(), func(c *Config) { c.Server.Listen = ":19096" }), ""},
		{"bad --listen", []string{"--listen", "9096"}, Config{},
			`--listen: invalid address "9096": want HOST:PORT, such as ":9096" or "127.0.0.1:9096" (see "vigil serve --help")`},
		{"empty --data-dir", []string{"--data-dir", ""}, Config{}, `--data-dir: must not be empty (see "vigil serve --help")`},
		{"bad file", []string{"--config", "testdata/bad_duration.bad.yml", "--listen", ":1"}, Config{},
			"invalid configuration; nothing was started:\n" + `testdata/bad_duration.bad.yml:4: storage.retention: invalid duration "15x"`},
		{"missing file", []string{"--config", "testdata/none.yml"}, Config{},
			"read config: open testdata/none.yml: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f serveFlags
			fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
			f.register(fs)
			require.NoError(t, fs.Parse(tt.args))
			got, err := f.load(fs)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStderr string
	}{
		{"bad configuration", []string{"serve", "--config", "testdata/many_problems.bad.yml"}, 1,
			"vigil: invalid configuration; nothing was started:\ntestdata/many_problems.bad.yml:3: server.listen:"},
		{"unknown flag", []string{"serve", "--bogus"}, 2, "vigil: unknown flag: --bogus (see \"vigil serve --help\")\n"},
		{"extra argument", []string{"serve", "x"}, 2, "vigil: unknown command \"x\" for \"vigil serve\" (see \"vigil serve --help\")\n"},
		{"unknown command", []string{"bogus"}, 2, "vigil: unknown command \"bogus\" for \"vigil\" (see \"vigil --help\")\n"},
		{"query needs an expression", []string{"query"}, 2, "vigil: accepts 1 arg(s), received 0 (see \"vigil query --help\")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tt.code, code, stderr.String())
			require.True(t, strings.HasPrefix(stderr.String(), tt.wantStderr), "stderr:\n%s", stderr.String())
			require.Empty(t, stdout.String())
		})
	}
}

func TestHelpOfEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"push", "--help"}, {"query", "--help"},
		{"rules", "--help"}, {"rules", "check", "--help"}, {"deps", "--help"}, {"deps", "check", "--help"},
		{"deps", "graph", "--help"}, {"bench", "--help"}, {"bench", "ingest", "--help"}, {"version", "--help"}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, nil, &stdout, &stderr)
		require.Equal(t, 0, code, "%v: %s", args, stderr.String())
		require.Contains(t, stdout.String(), "Usage:", "%v", args)
		require.Contains(t, stdout.String(), "Examples:", "%v", args)
	}
}

// fakeStore records what the server appends and whether it was closed.
type fakeStore struct {
	mu      sync.Mutex
	batches []tsdb.Batch
	closed  bool
	flushes int
}

func (s *fakeStore) AppendBatch(b *tsdb.Batch) (tsdb.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c tsdb.Batch
	for _, bs := range b.Series {
		c.Series = append(c.Series, tsdb.BatchSeries{Labels: bs.Labels.Copy(), Samples: append([]tsdb.Sample(nil), bs.Samples...)})
	}
	s.batches = append(s.batches, c)
	return tsdb.AppendResult{Appended: b.Samples()}, nil
}

func (s *fakeStore) Querier(_, _ int64) (storage.Querier, error) { return storage.NoopQuerier(), nil }
func (s *fakeStore) NumSeries() int                              { return 0 }

// Flush reports a block of one sample at 1000 ms for every flush.
func (s *fakeStore) Flush(context.Context) (block.Meta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushes++
	return block.Meta{ID: fmt.Sprintf("fake-%d", s.flushes), MinT: 1000, MaxT: 1000, NumSeries: 1, NumChunks: 1, NumSamples: 1, Level: 1}, nil
}

func (s *fakeStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// appended returns the batches appended so far.
func (s *fakeStore) appended() []tsdb.Batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slicesClone(s.batches)
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

// syncBuffer is a bytes.Buffer safe for concurrent use, for logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is serve running in the test process on 127.0.0.1:0 with a
// store opener the test controls.
type testServer struct {
	t       *testing.T
	base    string
	logs    *syncBuffer
	cancel  context.CancelFunc
	done    chan error
	opened  chan openResult // the test sends what the opener returns
	gotOpts chan tsdb.Options
	hup     chan os.Signal // stands in for SIGHUP
	dataDir string
}

func startTestServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.Storage.DataDir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{t: t, dataDir: cfg.Storage.DataDir, logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1),
		opened: make(chan openResult, 1), gotOpts: make(chan tsdb.Options, 1), hup: make(chan os.Signal, 1)}
	addrFile := filepath.Join(t.TempDir(), "addr")
	ended := make(chan struct{}) // closed when the test ends
	open := func(o tsdb.Options) (store, error) {
		s.gotOpts <- o
		select {
		case r := <-s.opened:
			return r.db, r.err
		case <-ended: // the test ended without opening the store
			return nil, errors.New("the test ended before the store was opened")
		}
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s.done <- serve(ctx, cfg, serveEnv{logs: s.logs, addrFile: addrFile, open: open, hup: s.hup})
	}()
	t.Cleanup(func() {
		cancel()
		close(ended)
		// Wait for the server to stop before the temporary directories go:
		// it may still be writing into them (the SEV bridge drains its
		// queue at shutdown).
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Error("serve did not return within 30s of the test's end")
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", s.logs.String())
		}
	})
	s.base = "http://" + waitFile(t, addrFile)
	return s
}

// waitFile polls for a file and returns its content without the newline.
func waitFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return strings.TrimSuffix(string(b), "\n")
		}
		if time.Now().After(deadline) {
			t.Fatalf("no file %s after 10s", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// do sends a request and returns the status and body.
func (s *testServer) do(method, path, body string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	require.NoError(s.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, string(b)
}

// waitReady polls /-/ready until it answers 200.
func (s *testServer) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, _ := s.do("GET", "/-/ready", ""); code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatal("not ready after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wait returns serve's result.
func (s *testServer) wait() error {
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.t.Fatal("serve did not return within 30s")
		return nil
	}
}

func TestServeStartsBeforeStoreAndStops(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Storage.WALSync = time.Second
	cfg.Storage.Retention = time.Hour
	cfg.Storage.RetentionSize = 10 << 30
	cfg.Storage.BlockDuration = 30 * time.Minute
	cfg.Storage.OutOfOrderWindow = 5 * time.Minute
	cfg.Server.EnableAdminAPI = true
	s := startTestServer(t, cfg)
	opts := <-s.gotOpts
	require.Equal(t, cfg.Storage.Retention, opts.Retention)
	require.Equal(t, time.Second, opts.WALSyncInterval)
	require.Equal(t, int64(10<<30), opts.RetentionSize)
	require.Equal(t, 30*time.Minute, opts.BlockDuration)
	require.Equal(t, 5*time.Minute, opts.OutOfOrderWindow)
	require.NotNil(t, opts.Logger)
	require.NotNil(t, opts.Registerer)

	// The WAL replay is running: healthy, not ready, data endpoints refuse.
	code, body := s.do("GET", "/-/healthy", "")
	require.Equal(t, [2]any{200, "Vigil is healthy.\n"}, [2]any{code, body})
	for _, r := range [][2]string{{"GET", "/-/ready"}, {"POST", "/api/v1/import/prometheus"}, {"GET", "/api/v1/query?query=1"}} {
		code, body := s.do(r[0], r[1], "m 1\n")
		require.Equal(t, [2]any{503, "starting: replaying WAL\n"}, [2]any{code, body}, r[1])
	}
	code, body = s.do("GET", "/metrics", "")
	require.Equal(t, 200, code)
	require.Contains(t, body, "\nvigil_build_info{")
	require.Contains(t, body, "\ngo_goroutines ")

	db := &fakeStore{}
	s.opened <- openResult{db: db}
	s.waitReady()
	code, body = s.do("GET", "/-/ready", "")
	require.Equal(t, [2]any{200, "Vigil is ready.\n"}, [2]any{code, body})
	code, body = s.do("GET", "/api/v1/query?query=1", "")
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"status":"success"`)
	code, body = s.do("POST", "/api/v1/admin/flush", "")
	require.Equal(t, [2]any{200, `{"status":"success","data":{"block":{"id":"fake-1","minTime":1000,"maxTime":1000,"numSeries":1,"numSamples":1,"level":1}}}`},
		[2]any{code, body})

	s.cancel()
	require.NoError(t, s.wait())
	require.True(t, db.closed)
	require.Contains(t, s.logs.String(), "msg=listening addr="+strings.TrimPrefix(s.base, "http://")+"\n")
	require.Contains(t, s.logs.String(), "msg=\"store closed\"")
}

func TestServePushReachesStore(t *testing.T) {
	s := startTestServer(t, DefaultConfig())
	<-s.gotOpts
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	s.waitReady()
	code, body := s.do("POST", "/api/v1/import/prometheus", "pushed_total{job=\"a\"} 7 1700000000000\n")
	require.Equal(t, 204, code, body)
	require.Len(t, db.appended(), 1)
	b := db.appended()[0]
	require.Len(t, b.Series, 1)
	require.Equal(t, `{__name__="pushed_total", job="a"}`, b.Series[0].Labels.String())
	require.Equal(t, []tsdb.Sample{{T: 1700000000000, V: 7}}, b.Series[0].Samples)
	s.cancel()
	require.NoError(t, s.wait())
}

func TestServeStoreOpenError(t *testing.T) {
	s := startTestServer(t, DefaultConfig())
	opts := <-s.gotOpts
	code, _ := s.do("GET", "/-/healthy", "")
	require.Equal(t, 200, code)
	s.opened <- openResult{err: errors.New("wal segment 3: permission denied")}
	require.EqualError(t, s.wait(), "open store in "+opts.Dir+": wal segment 3: permission denied")
}

func TestServeStopDuringReplay(t *testing.T) {
	s := startTestServer(t, DefaultConfig())
	<-s.gotOpts
	s.cancel()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.logs.String(), `msg="stop requested; waiting for the WAL replay to finish"`) {
		require.False(t, time.Now().After(deadline), "stop not noticed during the replay")
		time.Sleep(5 * time.Millisecond)
	}
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	require.NoError(t, s.wait())
	require.True(t, db.closed, "a store that finished opening after the stop is closed")
}

func TestServeSelfMonitoring(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SelfMonitoring = SelfMonitoringConfig{Enabled: true, Interval: 10 * time.Millisecond}
	s := startTestServer(t, cfg)
	<-s.gotOpts
	db := &fakeStore{}
	s.opened <- openResult{db: db}
	deadline := time.Now().Add(10 * time.Second)
	for len(db.appended()) == 0 {
		require.False(t, time.Now().After(deadline), "no self-monitoring samples after 10s")
		time.Sleep(5 * time.Millisecond)
	}
	instance := strings.TrimPrefix(s.base, "http://")
	found := false
	for _, bs := range db.appended()[0].Series {
		if bs.Labels.Get("__name__") == "vigil_build_info" {
			found = true
			require.Equal(t, "vigil", bs.Labels.Get("job"))
			require.Equal(t, instance, bs.Labels.Get("instance"))
			require.Equal(t, 1.0, bs.Samples[0].V)
		}
	}
	require.True(t, found, "vigil_build_info is among the self-monitoring samples")
	s.cancel()
	require.NoError(t, s.wait())
}
