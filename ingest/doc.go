// Package ingest is Vigil's write edge: the HTTP push endpoints, their
// decoders and the validation of what they decode.
//
// # Endpoints
//
// A Handler, mounted with Register, serves
//
//	POST /api/v1/write               Prometheus remote write 1.0 (snappy-compressed protobuf)
//	POST /api/v1/import/prometheus   text exposition format 0.0.4 (optionally Content-Encoding: gzip)
//
// and answers
//
//	204  every sample was stored, or was a duplicate of a stored one
//	400  the request is invalid and nothing was stored; the message names
//	     the first problem, its series or its line, and counts the others.
//	     Or: some samples were rejected by the store and the others stored;
//	     the message reads "stored N samples; rejected M: X out of order,
//	     Y conflicting values; first: <the first rejection>"
//	413  the body, as sent or decompressed, is over Options.MaxBodyBytes
//	415  a Content-Encoding (or remote write 2.0) the endpoint does not speak
//	500  the store failed
//
// with the header X-Prometheus-Remote-Write-Samples-Written: N, the number of
// samples stored.
//
// The whole request is decoded and validated into a pooled tsdb.Batch before
// the store sees any of it, so a bad request changes nothing.
//
// # Decoders
//
// DecodeRemoteWrite and ParseText are pure functions from bytes to a Batch,
// so they can be fuzzed and benchmarked without a server:
//
//	var b tsdb.Batch
//	if err := ingest.ParseText(&b, []byte("up{job=\"api\"} 1\n"), nowMillis); err != nil {
//		return err // an *InvalidError naming the line
//	}
//
// They append to the batch; reset it to reuse its memory. The batch keeps no
// reference to the body. Warm, they allocate once per new series (its label
// set) and never per sample.
//
// The remote-write decoder reads the protobuf wire format by hand, straight
// into the batch. It accepts and rejects exactly what gogo's
// prompb.WriteRequest.Unmarshal does (FuzzDecodeRemoteWrite checks it):
// unknown fields are skipped, malformed varints and lengths are errors.
// Exemplars and metadata are dropped; native histograms are not stored yet
// and are counted as rejected.
//
// # Validation
//
// Both decoders validate each series the same way: the metric
// name is in the classic charset [a-zA-Z_:][a-zA-Z0-9_:]*, label names are
// [a-zA-Z_][a-zA-Z0-9_]*, label values are valid UTF-8, no label name
// appears twice, labels with empty values are dropped (an empty value is an
// absent label, as in Prometheus) and at least one label remains. Labels are
// sorted. Errors name the series:
//
//	line 3: invalid label name "0x" in series cpu{0x="1"}
//
// # Text format
//
// ParseText follows Prometheus' own parsers (model/textparse and
// common/expfmt); where they differ it takes the stricter reading of the
// format's specification, except for trailing blanks:
//
//   - blank lines and comments are skipped, but a "# HELP name text" must
//     have valid UTF-8 text and a "# TYPE name type" a known type (counter,
//     gauge, histogram, summary, untyped), as both parsers require;
//   - blanks (spaces, tabs) may lead and trail a line and surround every
//     token, including between the metric name and "{";
//   - name{} is the bare name; a trailing comma inside the braces is
//     allowed, a missing comma between labels is not (as expfmt);
//   - label values are quoted, with the escapes \\, \" and \n only; another
//     escape or a raw line break in a value is an error (as expfmt);
//   - values are Go floats without hexadecimal or underscores, NaN and
//     ±Inf in any case; a value out of range is an error;
//   - the timestamp is optional integer milliseconds (a sign is allowed, as
//     in expfmt); without one a sample gets the arrival time;
//   - "\r" is not a blank, so CRLF line ends are an error (as in both);
//   - quoted UTF-8 metric and label names are not supported.
//
// # Metrics
//
// Given a Registerer, a Handler exports vigil_ingest_requests_total{handler,
// code}, vigil_ingest_samples_total{handler} (samples stored),
// vigil_ingest_samples_rejected_total{handler,reason} (reason: out_of_order,
// conflict, invalid, native_histogram) and
// vigil_ingest_request_duration_seconds{handler}.
package ingest
