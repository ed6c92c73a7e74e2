package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/vigilsre/vigil/alerting/oncall"
	oncallapi "github.com/vigilsre/vigil/alerting/oncall/api"
)

// oncallStack is the on-call readiness checks of a running server, when the
// configuration has an oncall section: the Runner and the goroutine that
// runs it. It needs neither the store nor the rules.
type oncallStack struct {
	runner *oncall.Runner
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startOncall builds the Runner of the oncall section and starts it; nil
// without the section. A missing token does not stop the server: it is
// logged, and every check fails with reason "token" (vigil_oncall_up 0,
// vigil_oncall_check_failures_total{reason="token"}) until the server is
// restarted with the variable set.
func (s *server) startOncall() (*oncallStack, error) {
	if s.cfg.OnCall == nil {
		return nil, nil
	}
	logger := s.logger.With("component", "oncall")
	runner, err := oncall.NewRunner(oncall.RunnerOptions{
		Config:     s.cfg.OnCall,
		Reader:     s.oncallReader(),
		Registerer: s.reg,
		Logger:     logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start on-call checks: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	oc := &oncallStack{runner: runner, cancel: cancel}
	oc.done.Go(func() { runner.Run(ctx) })
	logger.Info("on-call checks started", "api_url", s.cfg.OnCall.APIURL, "interval", s.cfg.OnCall.Interval.String())
	return oc, nil
}

// oncallReader is the PagerDuty reader of the oncall section; when it
// cannot be built (no token), the error is logged and a reader that
// always fails with it stands in.
func (s *server) oncallReader() oncall.SnapshotReader {
	r, err := newOncallReader(s.cfg.OnCall, os.Getenv)
	if err != nil {
		s.logger.Error("on-call checks cannot read PagerDuty", "component", "oncall", "err", err)
		return oncall.ReadFunc(func(context.Context, time.Duration) (*oncall.Snapshot, error) { return nil, err })
	}
	return r
}

// stop stops the runner and waits for it. Nil-safe: a server without an
// oncall section has no stack.
func (oc *oncallStack) stop() {
	if oc == nil {
		return
	}
	oc.cancel()
	oc.done.Wait()
}

// registerOncall mounts GET /api/v1/oncall on mux: the runner's status, or
// a 404 saying that on-call checks are not configured.
func (s *server) registerOncall(mux *http.ServeMux, oc *oncallStack) {
	var src oncallapi.Source // a nil interface, not a nil *Runner, when not configured
	if oc != nil {
		src = oc.runner
	}
	oncallapi.New(src, oncallapi.Options{Logger: s.logger.With("component", "api")}).Register(mux)
}
