package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/alerting/notify"
	"github.com/vigilsre/vigil/query"
)

// alertStack is the alerting half of a running server: the rule manager,
// the notifier that delivers what it decides, the reloader of the rule
// files, and the goroutines that run the first two. Evaluation writes into
// the store, so stop must return before the store is closed.
type alertStack struct {
	manager  *alerting.Manager
	notifier *notify.Notifier // nil when no receiver is configured
	reloader *reloader

	stopEval, stopNotify context.CancelFunc
	evalDone, notifyDone sync.WaitGroup
}

// startAlerting builds the notifier and the rule manager, loads the rule
// and services files (a bad file is a start error naming its file and line,
// a cycle one naming the cycle) and starts evaluating. The store must be
// open. With a SEV bridge (sev, nil without one), the alerts labelled
// sev_type and sev_level are handed to it too, and reloads re-read its
// policy; the policy was read at its start, so the first load here does
// not read it again.
func (s *server) startAlerting(db store, engine *query.Engine, sev *sevStack) (*alertStack, error) {
	notifier, err := s.newNotifier()
	if err != nil {
		return nil, err
	}
	manager, err := alerting.NewManager(s.alertingOptions(db, engine, s.alertNotifier(notifier, sev)))
	if err != nil {
		return nil, fmt.Errorf("start rule evaluation: %w", err)
	}
	a := &alertStack{manager: manager, notifier: notifier}
	if a.reloader, err = s.newReloader(manager); err != nil {
		return nil, err
	}
	if err := a.reloader.reload(); err != nil {
		return nil, fmt.Errorf("invalid %s; the server did not start:\n%w", s.loadedFiles(), err)
	}
	a.reloader.policy = s.policyReload(sev) // before the reloader is shared
	a.start()
	return a, nil
}

// alertNotifier is what rule evaluation notifies: the notifier, behind
// the SEV bridge's feed when there is a bridge; nil when there is neither
// (a nil *Notifier in the interface would not be nil).
func (s *server) alertNotifier(n *notify.Notifier, sev *sevStack) alerting.Notifier {
	switch {
	case sev != nil:
		f := &sevFeed{bridge: sev.bridge, now: time.Now}
		if n != nil {
			f.next = n
		}
		return f
	case n != nil:
		return n
	}
	return nil
}

// loadedFiles names the kinds of files the reloader loads, for errors.
func (s *server) loadedFiles() string {
	if len(s.cfg.Dependencies.Files) > 0 {
		return "rule or services files"
	}
	return "rule files"
}

// alertingOptions composes alerting.Options from the configuration.
func (s *server) alertingOptions(db store, engine *query.Engine, notifier alerting.Notifier) alerting.Options {
	return alerting.Options{
		Query:              engine,
		Writer:             newStoreWriter(db),
		EvaluationInterval: s.cfg.Rules.EvaluationInterval,
		MissingDataTimeout: s.cfg.Rules.MissingDataTimeout,
		ExternalURL:        s.externalURL(),
		Weights:            weightsOptions(s.cfg.Dependencies.Weights),
		Logger:             s.logger.With("component", "alerting"),
		Registerer:         s.reg,
		Notifier:           notifier,
	}
}

// weightsOptions composes alerting.WeightsOptions from
// dependencies.weights; nil when the section is absent.
func weightsOptions(w *WeightsConfig) *alerting.WeightsOptions {
	if w == nil {
		return nil
	}
	return &alerting.WeightsOptions{
		Expr:              w.Expr,
		CallerLabel:       w.CallerLabel,
		CalleeLabel:       w.CalleeLabel,
		UserCallers:       w.UserCallers,
		Interval:          w.Interval,
		CriticalThreshold: w.CriticalThreshold,
	}
}

// externalURL is rules.external_url, or else the server's own address. An
// address on every interface (":9096") is named by the host name, which
// reaches it from elsewhere, as Prometheus does.
func (s *server) externalURL() string {
	if s.cfg.Rules.ExternalURL != "" {
		return s.cfg.Rules.ExternalURL
	}
	host, port, err := net.SplitHostPort(s.addr)
	if err != nil {
		return "http://" + s.addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if host, err = os.Hostname(); err != nil {
			host = "localhost"
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// newNotifier builds the notifier, with its notification log in
// <data_dir>/notify/log.json, or returns nil when no receiver is configured: then
// alerts are evaluated and listed but not sent.
func (s *server) newNotifier() (*notify.Notifier, error) {
	if s.cfg.Notify.PagerDuty == nil && len(s.cfg.Notify.Receivers) == 0 {
		s.logger.Info("no notification receivers configured; alerts are evaluated, not sent")
		return nil, nil
	}
	n, err := notify.New(notify.Options{
		Config:     s.cfg.Notify,
		StateFile:  filepath.Join(s.cfg.Storage.DataDir, "notify", "log.json"), // its directory is created
		Logger:     s.logger.With("component", "notify"),
		Registerer: s.reg,
	})
	if err != nil {
		return nil, fmt.Errorf("start notifier: %w", err)
	}
	return n, nil
}

// newReloader builds the reloader of the rule and services files.
func (s *server) newReloader(manager *alerting.Manager) (*reloader, error) {
	m, err := newReloadMetrics(s.reg)
	if err != nil {
		return nil, err
	}
	return &reloader{manager: manager, rules: s.cfg.Rules.Files, services: s.cfg.Dependencies.Files,
		logger: s.logger.With("component", "reload"), now: time.Now, metrics: m}, nil
}

// start runs the notifier's send loops and the evaluation loop.
func (a *alertStack) start() {
	notifyCtx, stopNotify := context.WithCancel(context.Background())
	a.stopNotify = stopNotify
	if a.notifier != nil {
		a.notifyDone.Go(func() { a.notifier.Run(notifyCtx) })
	}
	evalCtx, stopEval := context.WithCancel(context.Background())
	a.stopEval = stopEval
	a.evalDone.Go(func() { a.manager.Run(evalCtx) })
}

// stop refuses further reloads, stops evaluation and waits for it, then
// stops the notifier, which flushes its notification log. In that order,
// nothing evaluates after stop returns and nothing queued by the last
// evaluation is lost from the log.
func (a *alertStack) stop() {
	a.reloader.stop()
	a.stopEval()
	a.evalDone.Wait()
	a.stopNotify()
	a.notifyDone.Wait()
}
