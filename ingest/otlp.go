package ingest

import (
	"fmt"
	"mime"
	"net/http"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vigilsre/vigil/tsdb"
)

// OTLP request and response content types.
const (
	otlpProtobuf = "application/x-protobuf"
	otlpJSON     = "application/json"
)

// OTLPRejected says which data points of an OTLP request DecodeOTLP left
// out because Vigil does not store their kind: sums and histograms with
// delta (or unspecified) temporality, exponential histograms, metrics
// without data. The rest of the request is stored.
type OTLPRejected struct {
	Points int   // data points left out
	Err    error // the first reason, naming its metric; nil when nothing was left out
}

// DecodeOTLP decodes an OTLP/HTTP metrics request body, an
// ExportMetricsServiceRequest in protobuf or (json set) in the OTLP JSON
// encoding, and appends its series to dst, one BatchSeries per sample, mapped
// to Prometheus series the way Prometheus' OTLP receiver maps them (see the
// package documentation).
//
// On error the request must not be stored: dst may hold part of it. The
// error is an *InvalidError: a malformed body, or a metric or attribute
// name that does not translate to a valid Prometheus name; or it wraps
// ErrTooLarge when the series' labels would take more than 8× the default
// body limit. dst keeps no reference to body.
func DecodeOTLP(dst *tsdb.Batch, body []byte, json bool) (OTLPRejected, error) {
	var s otlpState
	s.json = json
	err := s.decode(dst, body, DefaultMaxBodyBytes)
	return s.conv.rejected, err
}

// otlpState is the OTLP decoder of one request; a requestCtx keeps one.
type otlpState struct {
	json bool // the request is JSON
	conv otlpConverter
}

func (s *otlpState) reset() {
	s.json = false
	s.conv.reset()
}

// contentType reads the request's Content-Type: protobuf or JSON.
func (s *otlpState) contentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err == nil && mt == otlpProtobuf:
		return nil
	case err == nil && mt == otlpJSON:
		s.json = true
		return nil
	}
	return fmt.Errorf("%w: Content-Type %q; OTLP/HTTP takes %s or %s", ErrUnsupportedEncoding, ct, otlpProtobuf, otlpJSON)
}

// isJSON reports whether an OTLP request is JSON, and so its answer.
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == otlpJSON
}

// decode unmarshals body and translates the request into dst.
func (s *otlpState) decode(dst *tsdb.Batch, body []byte, maxBodyBytes int64) error {
	// The generated types keep nothing worth reusing: proto.Reset zeroes them.
	req := new(colmetricspb.ExportMetricsServiceRequest)
	if err := s.unmarshal(body, req); err != nil {
		return &InvalidError{Err: err, Problems: 1}
	}
	s.conv.reset()
	s.conv.labelLimit = labelAmplification * maxBodyBytes
	return s.conv.convert(dst, req)
}

func (s *otlpState) unmarshal(body []byte, req *colmetricspb.ExportMetricsServiceRequest) error {
	if s.json {
		// Receivers must ignore unknown fields (OTLP/HTTP, JSON encoding).
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, req); err != nil {
			return fmt.Errorf("decode OTLP JSON: %w", err)
		}
		return nil
	}
	if err := proto.Unmarshal(body, req); err != nil {
		return fmt.Errorf("decode OTLP protobuf: %w", err)
	}
	return nil
}
