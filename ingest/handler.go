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
	OTLPPath             = "/v1/metrics"
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
	adm     *admission
	metrics *metrics
	pool    ctxPool
	series  *seriesCache // nil when Options.SeriesCacheEntries < 0
}

// NewHandler returns a Handler that stores into app. Options left zero get
// their defaults; a negative MaxBodyBytes counts as zero and one over
// MaxBodyBytesLimit as the limit (see Options.Validate).
func NewHandler(app Appender, opts Options) *Handler {
	opts = opts.withDefaults()
	adm := newAdmission(int64(opts.MaxInflightRequests), opts.MaxInflightBytes)
	h := &Handler{app: app, opts: opts, adm: adm, metrics: newMetrics(opts.Registerer, adm)}
	if opts.SeriesCacheEntries > 0 {
		h.series = newSeriesCache(opts.SeriesCacheEntries)
	}
	return h
}

// Register mounts the endpoints on mux: POST /api/v1/write (remote write
// 1.0), POST /api/v1/import/prometheus (text exposition format) and POST
// /v1/metrics (OTLP/HTTP). Other methods get 405 from the mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+WritePath, h.serveWrite)
	mux.HandleFunc("POST "+ImportPath, h.serveImport)
	mux.HandleFunc("POST "+OTLPPath, h.serveOTLP)
}

func (h *Handler) serveWrite(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, remoteWrite)
}

func (h *Handler) serveImport(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, textImport)
}

func (h *Handler) serveOTLP(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, otlpMetrics)
}

// endpoint is one of the push endpoints.
type endpoint int

const (
	remoteWrite endpoint = iota
	textImport
	otlpMetrics
	numEndpoints
)

func (e endpoint) path() string {
	switch e {
	case remoteWrite:
		return WritePath
	case textImport:
		return ImportPath
	}
	return OTLPPath
}

// outcome is what became of one request.
type outcome struct {
	code int    // HTTP status
	msg  string // response body unless 204
	err  error  // the error behind a 4xx or 5xx, for the log

	stored, outOfOrder, conflicts, invalid, histograms int // samples
	unsupported                                        int // OTLP data points of unsupported kinds

	otlp otlpAnswer // how to answer an OTLP request
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, e endpoint) {
	start := h.opts.Now()
	o := h.admitted(w, r, e, start)
	o.otlp.json = e == otlpMetrics && isJSON(r)
	h.respond(w, e, &o)
	h.log(r, e, &o)
	h.metrics.observe(e, &o, h.opts.Now().Sub(start))
}

// admitted serves the request if admission control lets it in, holding a
// request slot and the bytes it reserves until the request is done.
func (h *Handler) admitted(w http.ResponseWriter, r *http.Request, e endpoint, start time.Time) outcome {
	if err := h.adm.acquire(); err != nil {
		return failure(err)
	}
	c := h.pool.get()
	defer func() {
		h.adm.release(c.reserved)
		h.pool.put(c)
	}()
	return h.handle(c, w, r, e, start)
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
		c.dec.remember(&c.batch)
	}
	if e == otlpMetrics {
		return otlpResult(res, &c.otlp)
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
	if e == otlpMetrics {
		if err := c.otlp.contentType(r); err != nil {
			return 0, err
		}
	}
	body, err := h.readBody(c, w, r, gz)
	if err != nil {
		return 0, err
	}
	switch e {
	case remoteWrite:
		// An impossible size is 413, never a 429 to retry: check before
		// reserving.
		if n := snappyLen(body); n > h.opts.MaxBodyBytes {
			return 0, fmt.Errorf("%w: the remote-write body decompresses to %d bytes, over the limit of %d bytes", ErrTooLarge, n, h.opts.MaxBodyBytes)
		} else if err := h.adm.reserve(&c.reserved, n); err != nil {
			return 0, err
		}
		c.dec.cache = h.series
		return c.dec.decodeRemoteWrite(&c.batch, body, h.opts.MaxBodyBytes)
	case otlpMetrics:
		return 0, c.otlp.decode(&c.batch, body, h.opts.MaxBodyBytes)
	}
	c.dec.cache = h.series
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
func (h *Handler) respond(w http.ResponseWriter, e endpoint, o *outcome) {
	w.Header().Set(SamplesWrittenHeader, strconv.Itoa(o.stored))
	if o.code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	if e == otlpMetrics {
		respondOTLP(w, o)
		return
	}
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
