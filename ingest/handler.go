package ingest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsre/vigil/tsdb"
)

// The push endpoints, and the response header that counts stored samples.
const (
	WritePath            = "/api/v1/write"
	ImportPath           = "/api/v1/import/prometheus"
	SamplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written"
)

// errNativeHistograms is the reason native histograms of a remote-write
// request are rejected.
var errNativeHistograms = errors.New("native histograms are not supported yet")

// Appender stores decoded batches; *tsdb.DB implements it. AppendBatch must
// be safe for concurrent use and must not keep b after it returns. Its error
// is a storage failure; rejected samples are counted in the result.
type Appender interface {
	AppendBatch(b *tsdb.Batch) (tsdb.AppendResult, error)
}

// Handler serves the push endpoints. It decodes and validates a whole
// request into a pooled Batch before the first append, so a bad request
// stores nothing. It is safe for concurrent use.
type Handler struct {
	app     Appender
	opts    Options
	metrics *metrics
	pool    ctxPool
}

// NewHandler returns a Handler that stores into app. Options left zero get
// their defaults; a negative MaxBodyBytes counts as zero (see
// Options.Validate).
func NewHandler(app Appender, opts Options) *Handler {
	opts = opts.withDefaults()
	return &Handler{app: app, opts: opts, metrics: newMetrics(opts.Registerer)}
}

// Register mounts the endpoints on mux: POST /api/v1/write (remote write
// 1.0) and POST /api/v1/import/prometheus (text exposition format). Other
// methods get 405 from the mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+WritePath, h.serveWrite)
	mux.HandleFunc("POST "+ImportPath, h.serveImport)
}

func (h *Handler) serveWrite(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, remoteWrite)
}

func (h *Handler) serveImport(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, textImport)
}

// endpoint is one of the push endpoints.
type endpoint int

const (
	remoteWrite endpoint = iota
	textImport
	numEndpoints
)

func (e endpoint) path() string {
	if e == remoteWrite {
		return WritePath
	}
	return ImportPath
}

// outcome is what became of one request.
type outcome struct {
	code int    // HTTP status
	msg  string // response body unless 204
	err  error  // the error behind a 4xx or 5xx, for the log

	stored, outOfOrder, conflicts, invalid, histograms int // samples
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, e endpoint) {
	start := h.opts.Now()
	c := h.pool.get()
	defer h.pool.put(c)
	o := h.handle(c, w, r, e, start)
	h.respond(w, &o)
	h.log(r, e, &o)
	h.metrics.observe(e, &o, h.opts.Now().Sub(start))
}

// handle decodes the request, then stores it.
func (h *Handler) handle(c *requestCtx, w http.ResponseWriter, r *http.Request, e endpoint, start time.Time) outcome {
	histograms, err := h.decode(c, w, r, e, start)
	if err != nil {
		return failure(err)
	}
	var res tsdb.AppendResult
	if len(c.batch.Series) > 0 {
		if res, err = h.app.AppendBatch(&c.batch); err != nil {
			err = fmt.Errorf("store samples: %w", err)
			return outcome{code: statusCode(err), msg: err.Error(), err: err}
		}
	}
	return result(res, histograms)
}

// decode reads and decodes the body into c.batch. It returns the number of
// native histograms the request carried.
func (h *Handler) decode(c *requestCtx, w http.ResponseWriter, r *http.Request, e endpoint, start time.Time) (int, error) {
	gz, err := contentEncoding(r, e)
	if err != nil {
		return 0, err
	}
	body, err := h.readBody(c, w, r, gz)
	if err != nil {
		return 0, err
	}
	if e == remoteWrite {
		return c.dec.decodeRemoteWrite(&c.batch, body, h.opts.MaxBodyBytes)
	}
	return 0, c.dec.parseText(&c.batch, body, start.UnixMilli())
}

// failure is the outcome of a request that was not stored at all.
func failure(err error) outcome {
	o := outcome{code: statusCode(err), msg: err.Error(), err: err}
	var invalid *InvalidError
	if errors.As(err, &invalid) {
		o.invalid = invalid.Samples
	}
	return o
}

// result is the outcome of a stored request: 204, or 400 when some samples
// were rejected.
func result(res tsdb.AppendResult, histograms int) outcome {
	o := outcome{code: http.StatusNoContent, stored: res.Appended,
		outOfOrder: res.OutOfOrder, conflicts: res.Conflicts, histograms: histograms}
	rejected := res.Rejected() + histograms
	if rejected == 0 {
		return o
	}
	first := res.FirstError
	if first == nil {
		first = errNativeHistograms
	}
	o.code, o.err = http.StatusBadRequest, first
	o.msg = fmt.Sprintf("stored %d samples; rejected %d: %d out of order, %d conflicting values%s; first: %v",
		res.Appended, rejected, res.OutOfOrder, res.Conflicts, histogramPart(histograms), first)
	return o
}

func histogramPart(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d native histograms", n)
}

// respond writes the outcome.
func (h *Handler) respond(w http.ResponseWriter, o *outcome) {
	w.Header().Set(SamplesWrittenHeader, strconv.Itoa(o.stored))
	if o.code == http.StatusNoContent {
		w.WriteHeader(o.code)
		return
	}
	http.Error(w, printable(o.msg), o.code) // printable: a storage error may quote anything
}

// log logs failed requests: storage failures as errors, bad requests at
// debug level since they are the client's to fix and can be many.
func (h *Handler) log(r *http.Request, e endpoint, o *outcome) {
	switch {
	case o.code >= 500:
		h.opts.Logger.Error("push not stored", "handler", e.path(), "remote", r.RemoteAddr, "err", o.err)
	case o.code >= 400:
		h.opts.Logger.Debug("push refused", "handler", e.path(), "remote", r.RemoteAddr, "code", o.code, "err", o.err)
	}
}
