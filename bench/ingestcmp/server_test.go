package ingestcmp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Waits of a server's life.
const (
	readyTimeout = 2 * time.Minute
	pollInterval = 50 * time.Millisecond
	stopTimeout  = 3 * time.Minute
)

// server is one running server on a loopback port.
type server struct {
	kind kind
	cmd  *exec.Cmd
	url  string
	log  string // its stdout and stderr
	done chan error
}

// startServer starts bin as a server of kind k with its data under dir,
// and waits until it is ready.
func startServer(ctx context.Context, k kind, bin, dir string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args, err := k.args(dir, addr)
	if err != nil {
		return nil, err
	}
	s := &server{kind: k, url: "http://" + addr, log: filepath.Join(dir, k.Name+".log"), done: make(chan error, 1)}
	logf, err := os.Create(s.log)
	if err != nil {
		return nil, fmt.Errorf("create %s log: %w", k.Name, err)
	}
	defer logf.Close()
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitReady(ctx); err != nil {
		return nil, errors.Join(err, s.stop())
	}
	return s, nil
}

// PID is the server's process ID.
func (s *server) PID() int { return s.cmd.Process.Pid }

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls the kind's ready path until it answers 200, the server
// exits or readyTimeout passes.
func (s *server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		if s.ready(ctx) {
			return nil
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("%s exited before it was ready (%v): %s", s.kind.Name, err, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("wait for %s%s: %w: %s", s.url, s.kind.ReadyPath, ctx.Err(), s.logTail())
		case <-t.C:
		}
	}
}

// ready reports whether the ready path answers 200.
func (s *server) ready(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+s.kind.ReadyPath, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop interrupts the server and waits for it to exit; after stopTimeout
// it is killed.
func (s *server) stop() error {
	_, err := s.stopTimed()
	return err
}

// stopTimed is stop, with the time the server took to exit.
func (s *server) stopTimed() (time.Duration, error) {
	start := time.Now()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return 0, fmt.Errorf("interrupt %s: %w", s.kind.Name, err)
	}
	select {
	case err := <-s.done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return time.Since(start), fmt.Errorf("wait for %s: %w", s.kind.Name, err)
		}
		if err != nil {
			return time.Since(start), fmt.Errorf("%s exited with %v: %s", s.kind.Name, err, s.logTail())
		}
		return time.Since(start), nil
	case <-time.After(stopTimeout):
		return stopTimeout, errors.Join(fmt.Errorf("%s did not stop within %v; killed", s.kind.Name, stopTimeout), s.cmd.Process.Kill())
	}
}

// logTail returns the last lines of the server's log, for errors.
func (s *server) logTail() string {
	const tail = 2000
	b, err := os.ReadFile(s.log)
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", s.log, err)
	}
	if len(b) > tail {
		b = b[len(b)-tail:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return fmt.Sprintf("last lines of %s:\n%s", s.log, b)
}
