package ingest

import (
	"fmt"
	"net/http"
	"strconv"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/vigilsre/vigil/tsdb"
)

// otlpAnswer is what an OTLP response carries besides the status code.
type otlpAnswer struct {
	json     bool  // answer in JSON, as the request was
	rejected int64 // partial_success.rejected_data_points
}

// otlpResult is the outcome of a stored OTLP request: 200, with a partial
// success naming the first problem when points were left out (unsupported
// kinds) or samples rejected by the store (each counted as one point).
func otlpResult(res tsdb.AppendResult, s *otlpState) outcome {
	o := outcome{code: http.StatusOK, stored: res.Appended, outOfOrder: res.OutOfOrder,
		conflicts: res.Conflicts, unsupported: s.conv.rejected.Points}
	o.otlp.rejected = int64(s.conv.rejected.Points + res.Rejected())
	first := s.conv.rejected.Err
	if first == nil {
		first = res.FirstError
	}
	if first == nil {
		return o
	}
	o.err = first
	o.msg = fmt.Sprintf("stored %d samples; rejected %d data points of unsupported kinds and %d samples (%d out of order, %d conflicting values); first: %v",
		res.Appended, s.conv.rejected.Points, res.Rejected(), res.OutOfOrder, res.Conflicts, first)
	return o
}

// respondOTLP answers as an OTLP/HTTP receiver: 200 with an
// ExportMetricsServiceResponse, or the error status with a google.rpc.Status,
// in the encoding of the request.
func respondOTLP(w http.ResponseWriter, o *outcome) {
	var msg proto.Message
	if o.code == http.StatusOK {
		resp := &colmetricspb.ExportMetricsServiceResponse{}
		if o.msg != "" {
			resp.PartialSuccess = &colmetricspb.ExportMetricsPartialSuccess{
				RejectedDataPoints: o.otlp.rejected, ErrorMessage: printable(o.msg)}
		}
		msg = resp
	} else {
		msg = &statuspb.Status{Code: grpcCode(o.code), Message: printable(o.msg)}
	}
	body, ct := marshalOTLP(msg, o.otlp.json)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(o.code)
	_, _ = w.Write(body) // the client went away: nothing to do
}

// marshalOTLP encodes m as protobuf or JSON. Neither can fail on the
// messages built here (valid UTF-8, no unknown types); should one, the
// body is empty.
func marshalOTLP(m proto.Message, json bool) ([]byte, string) {
	if json {
		b, _ := protojson.Marshal(m)
		return b, otlpJSON
	}
	b, _ := proto.Marshal(m)
	return b, otlpProtobuf
}

// grpcCode is the gRPC status code of an HTTP status, for the Status body.
func grpcCode(code int) int32 {
	switch code {
	case http.StatusBadRequest:
		return 3 // INVALID_ARGUMENT
	case http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return 8 // RESOURCE_EXHAUSTED
	case http.StatusUnsupportedMediaType:
		return 12 // UNIMPLEMENTED
	case http.StatusServiceUnavailable:
		return 14 // UNAVAILABLE
	}
	return 13 // INTERNAL
}
