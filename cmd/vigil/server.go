package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/prometheus/storage"

	alertapi "github.com/vigilsre/vigil/alerting/api"
	"github.com/vigilsre/vigil/ingest"
	"github.com/vigilsre/vigil/query"
	"github.com/vigilsre/vigil/query/api"
	sevapi "github.com/vigilsre/vigil/sevbridge/api"
	"github.com/vigilsre/vigil/tsdb"
	"github.com/vigilsre/vigil/tsdb/block"
)

// shutdownTimeout bounds how long a graceful stop waits for in-flight
// requests before it closes their connections.
const shutdownTimeout = 30 * time.Second

// readTimeout bounds how long a client may take to send a whole request, so
// a slow sender cannot hold a goroutine and its buffers forever (Prometheus
// uses the same 5m for its web server).
const readTimeout = 5 * time.Minute

// store is what the server needs of the time-series store; *tsdb.DB is one.
type store interface {
	ingest.Appender
	storage.Queryable
	Flush(ctx context.Context) (block.Meta, error) // POST /api/v1/admin/flush, through storeFlusher
	NumSeries() int
	Close() error
}

// serveEnv is what serve takes from its surroundings besides the
// configuration. Tests swap the store opener.
type serveEnv struct {
	logs     io.Writer                         // where the logs go
	addrFile string                            // file to write the bound address to; "" for none
	open     func(tsdb.Options) (store, error) // opens the store, replaying its WAL
	hup      <-chan os.Signal                  // SIGHUP: reload the rule files; nil for never
}

// openTSDB opens Vigil's store.
func openTSDB(opts tsdb.Options) (store, error) {
	db, err := tsdb.Open(opts)
	if err != nil {
		return nil, err // not a typed nil in a non-nil interface
	}
	return db, nil
}

// server is one run of "vigil serve".
type server struct {
	cfg    Config
	env    serveEnv
	logger *slog.Logger
	reg    *prometheus.Registry
	gate   *gate
	addr   string       // the bound listen address
	oncall *oncallStack // the on-call checks; nil without an oncall section
}

// serve runs the server until ctx is done, then stops it gracefully. The
// order matters: listen first (so /-/healthy answers during the WAL replay),
// open the store, load the rules and start evaluating, mount the handlers
// and report ready; on the way out close the gate (503), shut HTTP down
// (in-flight requests finish), stop evaluation, notification and the SEV
// bridge, and only then close the store, so every acknowledged push and
// every rule result is synced and no request meets a stopped component.
func serve(ctx context.Context, cfg Config, env serveEnv) error {
	reg, err := newRegistry()
	if err != nil {
		return err
	}
	s := &server{cfg: cfg, env: env, logger: newLogger(cfg.Log, env.logs), reg: reg, gate: newGate("starting: replaying WAL")}
	return s.run(ctx)
}

func (s *server) run(ctx context.Context) error {
	ln, err := s.listen()
	if err != nil {
		return err
	}
	hs := s.httpServer()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	db, err := s.openStore(ctx)
	if err != nil {
		return errors.Join(err, s.stopHTTP(hs))
	}
	stopHTTP := onceErr(func() error { return s.stopHTTP(hs) })
	err = s.serveReady(ctx, db, served, stopHTTP)
	return errors.Join(err, stopHTTP(), s.closeStore(db))
}

// listen opens the listener, logs the bound address and writes it to the
// address file when one is asked for.
func (s *server) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Server.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.cfg.Server.Listen, err)
	}
	s.addr = ln.Addr().String()
	s.logger.Info("listening", "addr", s.addr)
	if s.env.addrFile != "" {
		if err := writeFileAtomic(s.env.addrFile, []byte(s.addr+"\n")); err != nil {
			return nil, errors.Join(fmt.Errorf("write listen address file: %w", err), ln.Close())
		}
	}
	return ln, nil
}

// writeFileAtomic writes data to a temporary file and renames it to path,
// so a reader polling for path never sees it half written.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// httpServer builds the HTTP server with the routes that do not need the
// store; everything else goes through the gate.
func (s *server) httpServer() *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /-/healthy", healthy)
	mux.HandleFunc("GET /-/ready", s.gate.ready)
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(s.reg, promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
	handleProfiles(mux)
	mux.Handle("/", s.gate)
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

// healthy answers GET /-/healthy: 200 while the process is up.
func healthy(w http.ResponseWriter, _ *http.Request) {
	io.WriteString(w, "Vigil is healthy.\n")
}

// openStore opens the store, which replays its WAL. A stop requested
// meanwhile is honoured once the replay is done: the store is then closed
// cleanly instead of being abandoned halfway.
func (s *server) openStore(ctx context.Context) (store, error) {
	opts := s.storeOptions()
	s.logger.Info("opening store", "dir", opts.Dir)
	start := time.Now()
	done := make(chan openResult, 1)
	go func() {
		db, err := s.env.open(opts)
		done <- openResult{db, err}
	}()
	var r openResult
	select {
	case r = <-done:
	case <-ctx.Done():
		s.logger.Info("stop requested; waiting for the WAL replay to finish")
		r = <-done
	}
	if r.err != nil {
		return nil, fmt.Errorf("open store in %s: %w", opts.Dir, r.err)
	}
	db := r.db
	s.logger.Info("store open", "series", db.NumSeries(), "duration", time.Since(start).Round(time.Millisecond).String())
	return db, nil
}

// openResult is what the store opener returned.
type openResult struct {
	db  store
	err error
}

// storeOptions composes tsdb.Options from the configuration.
func (s *server) storeOptions() tsdb.Options {
	return tsdb.Options{
		Dir:              s.cfg.Storage.DataDir,
		WALSyncInterval:  s.cfg.Storage.WALSync,
		Retention:        s.cfg.Storage.Retention,
		RetentionSize:    s.cfg.Storage.RetentionSize,
		BlockDuration:    s.cfg.Storage.BlockDuration,
		OutOfOrderWindow: s.cfg.Storage.OutOfOrderWindow,
		Logger:           s.logger.With("component", "tsdb"),
		Registerer:       s.reg,
	}
}

// serveReady starts the SEV bridge (when a policy is configured), loads
// the rules and starts evaluating them, mounts the push, query, alerting
// and SEV handlers, reports ready and serves until ctx is done or the HTTP
// server fails, reloading the rule files and the SEV policy on every
// SIGHUP. On the way out the order is: the gate closes (data endpoints
// answer 503), stopHTTP shuts HTTP down (waiting for in-flight requests),
// then self-monitoring, evaluation (and the notifier) and the bridge
// (closing the SEV store) stop, before it returns, so the store can be
// closed. stopHTTP must be safe to call again.
func (s *server) serveReady(ctx context.Context, db store, served <-chan error, stopHTTP func() error) (err error) {
	s.gate.close("starting: loading rule files")
	engine := s.queryEngine(db)
	if s.oncall, err = s.startOncall(); err != nil { // before the bridge, which warns from its checks
		return err
	}
	defer s.oncall.stop()
	sev, err := s.startSEV(engine)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, sev.stop()) }()
	al, err := s.startAlerting(db, engine, sev)
	if err != nil {
		return err
	}
	defer al.stop()
	s.gate.open(s.dataHandler(db, engine, al, sev))
	s.logger.Info("ready", "addr", s.addr)
	stopMonitor := s.startSelfMonitor(db)
	defer stopMonitor()
	defer func() { err = errors.Join(err, stopHTTP()) }() // runs first: no request is in flight when the rest stops
	return s.wait(ctx, served, al.reloader)
}

// wait serves until ctx is done or the HTTP server fails, reloading on
// SIGHUP; a rejected reload is logged by the reloader and changes nothing.
func (s *server) wait(ctx context.Context, served <-chan error, r *reloader) error {
	for {
		select {
		case <-ctx.Done():
			s.gate.close("shutting down")
			s.logger.Info("shutting down")
			return nil
		case err := <-served:
			return fmt.Errorf("serve http: %w", err)
		case <-s.env.hup:
			s.logger.Info("SIGHUP: reloading")
			_ = r.reload() // logged by the reloader
		}
	}
}

// queryEngine builds the PromQL engine over db.
func (s *server) queryEngine(db store) *query.Engine {
	return query.New(db, query.Options{
		Timeout:       s.cfg.Query.Timeout,
		MaxSamples:    s.cfg.Query.MaxSamples,
		LookbackDelta: s.cfg.Query.LookbackDelta,
		Logger:        s.logger.With("component", "query"),
		Registerer:    s.reg,
	})
}

// dataHandler builds the endpoints that need the store: push, query, the
// flush of the head into a block, the rules and alerts, the dependency
// graph, the SEVs and the SLA ledger (with a SEV bridge), and POST
// /-/reload.
func (s *server) dataHandler(db store, engine *query.Engine, al *alertStack, sev *sevStack) http.Handler {
	mux := http.NewServeMux()
	ingest.NewHandler(db, ingest.Options{
		MaxBodyBytes:        s.cfg.Ingest.MaxBodyBytes,
		MaxInflightRequests: s.cfg.Ingest.MaxInflightRequests,
		MaxInflightBytes:    s.cfg.Ingest.MaxInflightBytes,
		Logger:              s.logger.With("component", "ingest"),
		Registerer:          s.reg,
	}).Register(mux)
	apiOpts := api.Options{BuildInfo: buildInfo(), Logger: s.logger.With("component", "api")}
	if s.cfg.Server.EnableAdminAPI {
		apiOpts.Flusher = storeFlusher{db}
	}
	api.New(engine, apiOpts).Register(mux)
	alertapi.New(al.manager, alertapi.Options{Logger: s.logger.With("component", "api"), Deps: al.manager}).Register(mux)
	if sev != nil {
		sevapi.New(sev.bridge, sevapi.Options{Logger: s.logger.With("component", "api")}).Register(mux)
	}
	s.registerOncall(mux, s.oncall)
	mux.Handle("POST /-/reload", al.reloader)
	return mux
}

// onceErr returns a function that calls f the first time only and returns
// its error then; later calls return nil, so the error is reported once.
func onceErr(f func() error) func() error {
	var once sync.Once
	return func() (err error) {
		once.Do(func() { err = f() })
		return err
	}
}

// stopHTTP stops accepting connections and waits for in-flight requests, at
// most shutdownTimeout; then it closes what is left.
func (s *server) stopHTTP(hs *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		return errors.Join(fmt.Errorf("shut down http server: %w", err), hs.Close())
	}
	return nil
}

// closeStore closes the store, which syncs its WAL.
func (s *server) closeStore(db store) error {
	if err := db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	s.logger.Info("store closed")
	return nil
}
