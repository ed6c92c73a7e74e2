// Package ingest is Vigil's write edge: the HTTP push endpoints, their
// decoders and the validation of what they decode.
//
// # Endpoints
//
// A Handler, mounted with Register, serves
//
//	POST /api/v1/write               Prometheus remote write 1.0 (snappy-compressed protobuf)
//	POST /api/v1/import/prometheus   text exposition format 0.0.4 (optionally Content-Encoding: gzip)
//	POST /v1/metrics                 OTLP/HTTP metrics, protobuf or JSON (optionally gzip); see OTLP below
//
// The first two answer
//
//	204  every sample was stored, or was a duplicate of a stored one
//	400  the request is invalid and nothing was stored; the message names
//	     the first problem, its series or its line, and counts the others.
//	     Or: some samples were rejected by the store and the others stored;
//	     the message reads "stored N samples; rejected M: X out of order,
//	     Y conflicting values; first: <the first rejection>"
//	413  the body, as sent or decompressed, is over Options.MaxBodyBytes
//	415  a Content-Encoding (or remote write 2.0) the endpoint does not speak
//	429  admission control: Options.MaxInflightRequests requests, or
//	     Options.MaxInflightBytes bytes of bodies (as sent and decompressed),
//	     are already in flight. Retry-After: 1; nothing is stored. The
//	     request is refused before its body is read when it has a
//	     Content-Length; a request alone on the server is always served.
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
// # OTLP
//
// POST /v1/metrics takes an ExportMetricsServiceRequest
// (Content-Type application/x-protobuf or application/json) and maps it to
// Prometheus series as Prometheus' own OTLP receiver does with its default
// settings, using github.com/prometheus/otlptranslator for names:
//
//   - gauges and non-monotonic sums are gauges; monotonic sums are counters
//     with _total; explicit-bucket histograms become _bucket{le} (cumulative,
//     le="+Inf" is the count), _sum and _count; summaries become _sum,
//     _count and {quantile}; names get their unit suffix (_seconds, _bytes,
//     _ratio...) and are escaped to [a-zA-Z0-9_:];
//   - data point attributes become labels, names escaped (http.route →
//     http_route); two attributes that escape to one name have their values
//     joined with ";";
//   - the resource's service.name (prefixed by "service.namespace/") is job
//     and its service.instance.id is instance; its other attributes label a
//     target_info series of value 1;
//   - a point flagged "no recorded value" is a stale marker; timestamps are
//     truncated to milliseconds; exemplars are dropped.
//
// Sums and histograms of delta or unspecified temporality and exponential
// histograms are not stored (Vigil keeps no native histograms). Unlike
// Prometheus, which fails the whole request, such points are left out and
// the rest stored: the answer is 200 with a partial_success naming the
// first one and counting them, together with the samples the store
// rejected (out of order, conflicting). A malformed body, or a metric or
// attribute name that does not translate, is 400 and stores nothing; 413,
// 415 and 429 are as above. Answers are an ExportMetricsServiceResponse or,
// for errors, a google.rpc.Status, in the encoding of the request.
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
// # Known series
//
// Most pushes repeat the series of the pushes before. A Handler keeps a
// series cache: the raw bytes that named a series in a request — the Label
// fields of a remote-write TimeSeries as they came, or a text line's series
// text such as `up{job="api"}` — mapped to the store's reference of the
// series (tsdb.BatchSeries.Ref). A series whose bytes are in the cache goes
// into the batch by reference alone: its labels are not decoded, validated,
// sorted, built or hashed again, so a request of known series allocates
// nothing per series or sample. Only bytes that were valid and stored are
// cached, so the cache changes no answer; the same series written another
// way (another label order, other blanks) is another entry of the same
// series, and the text parser still gathers every line of a series in a
// request into one batch series. When the store no longer knows a cached
// reference (the series was dropped after a cut), it asks for the labels
// (tsdb.Batch.Resolve) and the decoder rebuilds them from the raw bytes.
// The cache is bounded (Options.SeriesCacheEntries); OTLP does not use it.
//
// # Metrics
//
// Given a Registerer, a Handler exports vigil_ingest_requests_total{handler,
// code} (code 429: refused by admission control),
// vigil_ingest_samples_total{handler} (samples stored),
// vigil_ingest_samples_rejected_total{handler,reason} (reason: out_of_order,
// conflict, invalid, native_histogram, unsupported),
// vigil_ingest_request_duration_seconds{handler}, and the gauges
// vigil_ingest_inflight_requests and vigil_ingest_inflight_bytes.
package ingest
