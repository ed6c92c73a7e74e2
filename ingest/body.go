package ingest

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// contentEncoding checks the request's Content-Encoding (and, for remote
// write, its protocol version) and says whether the body is gzipped.
func contentEncoding(r *http.Request, e endpoint) (gz bool, err error) {
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	if e == remoteWrite {
		if strings.Contains(r.Header.Get("Content-Type"), "io.prometheus.write.v2.Request") {
			return false, fmt.Errorf("%w: remote write 2.0 is not supported; send remote write 1.0 (prometheus.WriteRequest)", ErrUnsupportedEncoding)
		}
		if enc != "" && enc != "snappy" {
			return false, fmt.Errorf("%w: Content-Encoding %q; remote write takes snappy", ErrUnsupportedEncoding, enc)
		}
		return false, nil
	}
	switch enc {
	case "", "identity":
		return false, nil
	case "gzip", "x-gzip":
		return true, nil
	}
	return false, fmt.Errorf("%w: Content-Encoding %q; send identity or gzip", ErrUnsupportedEncoding, enc)
}

// readBody reads the request body into c.body, gunzipping it when gz is
// set. Both the body as sent and the body as decompressed may be at most
// MaxBodyBytes long. Admission control reserves the Content-Length before
// the first byte is read, and otherwise the bytes as they are read, sent
// and decompressed.
func (h *Handler) readBody(c *requestCtx, w http.ResponseWriter, r *http.Request, gz bool) ([]byte, error) {
	limit := h.opts.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: the body is %d bytes, over the limit of %d bytes", ErrTooLarge, r.ContentLength, limit)
	}
	if err := h.adm.reserve(&c.reserved, r.ContentLength); err != nil {
		return nil, err
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength < 0 {
		c.meter = meteredReader{r: src, adm: h.adm, own: &c.reserved}
		src = &c.meter
	}
	if gz {
		var err error
		if src, err = c.gunzip(src); err != nil {
			return nil, bodyError(err, "read gzip body", limit)
		}
		c.gzMeter = meteredReader{r: src, adm: h.adm, own: &c.reserved}
		src = &c.gzMeter
	}
	c.limit = io.LimitedReader{R: src, N: limit + 1}
	body, err := readAll(c.body[:0], &c.limit, r.ContentLength)
	c.body = body
	if err != nil {
		return nil, bodyError(err, readWhat(gz), limit)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: the body decompresses to more than the limit of %d bytes", ErrTooLarge, limit)
	}
	return body, nil
}

// gunzip returns a gzip reader over src, reusing c's.
func (c *requestCtx) gunzip(src io.Reader) (io.Reader, error) {
	if c.gz == nil {
		gz, err := gzip.NewReader(src)
		c.gz = gz
		return gz, err
	}
	return c.gz, c.gz.Reset(src)
}

func readWhat(gz bool) string {
	if gz {
		return "read gzip body"
	}
	return "read body"
}

// bodyError classifies an error reading the body.
func bodyError(err error, what string, limit int64) error {
	var maxBytes *http.MaxBytesError
	if errors.Is(err, ErrOverloaded) {
		return err
	}
	if errors.As(err, &maxBytes) {
		return fmt.Errorf("%w: the body is over the limit of %d bytes", ErrTooLarge, limit)
	}
	return &InvalidError{Err: fmt.Errorf("%s: %w", what, err), Problems: 1}
}

// readAll reads r to its end, appending to dst. sizeHint is the expected
// length, or -1.
func readAll(dst []byte, r io.Reader, sizeHint int64) ([]byte, error) {
	if sizeHint > 0 {
		dst = slices.Grow(dst, int(sizeHint)+1) // +1: see io.EOF without growing
	}
	for {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, max(512, len(dst)))
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}
