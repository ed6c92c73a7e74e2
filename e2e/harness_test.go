package e2e

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	longFlag = flag.Bool("long", false, "run the long variants (more crash rounds)")
	seedFlag = flag.Uint64("seed", 0, "seed for the crash test (0 picks one from the clock and logs it)")
)

// Deadlines for a server to come up and to go down. Generous: the machine is
// shared, and a start replays the WAL.
const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	pollInterval = 10 * time.Millisecond
)

// buildDir holds the binary; TestMain creates it and removes it at the end.
var buildDir string

// vigilBinary builds cmd/vigil into buildDir on first use, once for the whole
// package, and returns its path (or why there is none; each test that needs
// the binary fails with that error). Building lazily keeps `go test -list`
// (which `make fuzz` runs) and runs of tests that start no server from paying
// for a build.
var vigilBinary = sync.OnceValues(func() (string, error) {
	return buildVigil(buildDir)
})

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "vigil-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	buildDir = dir
	raiseParallel()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// minParallel is how many parallel tests run at once unless -test.parallel
// says otherwise. The parallel tests (alerting_test.go,
// dependencies_test.go) spend their time waiting for the wall clock, not
// computing, so the default of GOMAXPROCS (2 on a small machine) would only
// serialize them; minParallel lets all of them run at once.
const minParallel = 16

// raiseParallel sets -test.parallel to minParallel when it was not given
// and is lower.
func raiseParallel() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	p := flag.Lookup("test.parallel")
	if given || p == nil {
		return
	}
	if n, err := strconv.Atoi(p.Value.String()); err == nil && n < minParallel {
		_ = p.Value.Set(strconv.Itoa(minParallel))
	}
}

// buildVigil builds cmd/vigil into dir, once for the whole package.
func buildVigil(dir string) (string, error) {
	bin := filepath.Join(dir, "vigil")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/vigilsre/vigil/cmd/vigil")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build cmd/vigil: %w\n%s", err, out)
	}
	return bin, nil
}

// logBuffer collects a server's stdout and stderr across restarts, keeping
// the last maxLog bytes. Safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

const maxLog = 256 << 10

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.buf.Len() > 2*maxLog {
		tail := bytes.Clone(b.buf.Bytes()[b.buf.Len()-maxLog:])
		b.buf.Reset()
		b.buf.WriteString("[... earlier output dropped ...]\n")
		b.buf.Write(tail)
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is one run of a server binary.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // the result of Wait; read only after exited is closed
}

// startProcess starts bin with args, its output going to out.
func startProcess(bin string, args []string, out io.Writer) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// hasExited reports whether the process has exited, and how.
func (p *process) hasExited() (bool, error) {
	select {
	case <-p.exited:
		return true, p.err
	default:
		return false, nil
	}
}

// stop sends SIGTERM and waits for the exit; it returns the exit error
// (nil for exit code 0). A process still running after stopTimeout is killed.
func (p *process) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send SIGTERM: %w", err)
	}
	select {
	case <-p.exited:
		return p.err
	case <-time.After(stopTimeout):
		p.kill()
		return fmt.Errorf("still running %v after SIGTERM; killed", stopTimeout)
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// poll calls cond every pollInterval until it reports done or an error, or
// until timeout passes.
func poll(timeout time.Duration, what string, cond func() (bool, error)) error {
	return pollEvery(pollInterval, timeout, what, cond)
}

// pollEvery is poll with its own interval, for conditions that cost a
// request to the server.
func pollEvery(interval, timeout time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, err := cond()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not done after %v", what, timeout)
		}
		time.Sleep(interval)
	}
}

// httpReady reports whether GET url answers 200.
func httpReady(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// vigilOptions says how to run a Vigil server.
type vigilOptions struct {
	// Config is the YAML configuration. Default: wal_sync always, log level
	// warn.
	Config string
	// DataDir is the data directory. Default: a new t.TempDir().
	DataDir string
	// Files are written next to the configuration file before the first
	// start, keyed by path relative to its directory ("rules/db.yml"), so
	// that the configuration can name them by relative globs.
	Files map[string]string
}

const defaultVigilConfig = `
storage:
  wal_sync: always
log:
  level: info
`

// vigil is a Vigil server run as a separate process; it can be stopped,
// killed and started again on the same data directory. Its methods must be
// called from the test goroutine.
type vigil struct {
	t          testing.TB
	configPath string
	dataDir    string
	addrFile   string
	logs       *logBuffer
	proc       *process
	starts     int
	api        *promAPI // talks to the current run; nil before the first start
}

// newVigil prepares a server without starting it. When the test ends the
// server is killed if still running, and its output is logged if the test
// failed.
func newVigil(t testing.TB, opts vigilOptions) *vigil {
	t.Helper()
	if _, err := vigilBinary(); err != nil {
		t.Fatal(err)
	}
	if opts.Config == "" {
		opts.Config = defaultVigilConfig
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	dir := t.TempDir()
	v := &vigil{t: t, dataDir: opts.DataDir, logs: &logBuffer{},
		configPath: filepath.Join(dir, "vigil.yml"), addrFile: filepath.Join(dir, "listen-addr")}
	if err := os.WriteFile(v.configPath, []byte(opts.Config), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFiles(dir, opts.Files); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.cleanup)
	return v
}

// startVigil prepares and starts a server and waits until it is ready.
func startVigil(t testing.TB, opts vigilOptions) *vigil {
	t.Helper()
	v := newVigil(t, opts)
	v.start()
	return v
}

// writeFiles writes each file of files under dir, creating directories.
func writeFiles(dir string, files map[string]string) error {
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// configDir is the directory of the configuration file and of the Files
// written next to it.
func (v *vigil) configDir() string { return filepath.Dir(v.configPath) }

func (v *vigil) cleanup() {
	if v.proc != nil {
		if done, _ := v.proc.hasExited(); !done {
			v.proc.kill()
		}
	}
	if v.t.Failed() {
		v.t.Logf("vigil output (%d starts):\n%s", v.starts, v.logs.String())
	}
}

// start runs the server on its data directory and waits until the listen
// address file appears and GET /-/ready answers 200.
func (v *vigil) start() {
	v.t.Helper()
	if err := v.tryStart(); err != nil {
		v.t.Fatalf("start vigil (run %d): %v", v.starts, err)
	}
}

func (v *vigil) tryStart() error {
	if err := os.Remove(v.addrFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	v.starts++
	fmt.Fprintf(v.logs, "=== vigil run %d ===\n", v.starts)
	args := []string{"serve", "--config", v.configPath, "--listen", "127.0.0.1:0",
		"--data-dir", v.dataDir, "--listen-addr-file", v.addrFile}
	bin, err := vigilBinary()
	if err != nil {
		return err
	}
	p, err := startProcess(bin, args, v.logs)
	if err != nil {
		return err
	}
	v.proc = p
	addr, err := v.waitAddr()
	if err != nil {
		return err
	}
	v.api = newPromAPI("http://" + addr)
	return poll(readyTimeout, "GET /-/ready == 200", func() (bool, error) {
		if done, err := p.hasExited(); done {
			return false, fmt.Errorf("exited before ready: %v", err)
		}
		return httpReady(v.api.client, v.api.base+"/-/ready"), nil
	})
}

// waitAddr polls for the listen address file and returns its address.
func (v *vigil) waitAddr() (string, error) {
	var addr string
	err := poll(readyTimeout, "listen address file "+v.addrFile, func() (bool, error) {
		if done, err := v.proc.hasExited(); done {
			return false, fmt.Errorf("exited before writing its address: %v", err)
		}
		b, err := os.ReadFile(v.addrFile)
		if err != nil {
			return false, nil
		}
		addr = strings.TrimPrefix(strings.TrimSpace(string(b)), "http://")
		_, port, err := net.SplitHostPort(addr)
		return err == nil && port != "" && port != "0", nil
	})
	return addr, err
}

// stop sends SIGTERM and requires exit code 0.
func (v *vigil) stop() {
	v.t.Helper()
	if err := v.proc.stop(); err != nil {
		v.t.Fatalf("graceful stop of vigil (run %d): %v", v.starts, err)
	}
}

// kill sends SIGKILL and waits for the process to die.
func (v *vigil) kill() {
	v.proc.kill()
}

// runVigil runs the binary with args (a command such as "rules check") and
// returns its combined output and exit code.
func runVigil(t testing.TB, args ...string) (string, int) {
	t.Helper()
	bin, err := vigilBinary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("run vigil %s: %v", strings.Join(args, " "), err)
	return "", -1
}
