package ingest

import (
	"fmt"
	"math"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb"
)

// DecodeRemoteWrite decodes a Prometheus remote-write 1.0 request body, a
// snappy block-compressed prompb.WriteRequest, and appends its series to dst,
// one BatchSeries per TimeSeries that has samples. Labels are validated and
// sorted as the package documentation says; the body may decompress to at
// most DefaultMaxBodyBytes.
//
// Exemplars and metadata are checked for well-formedness and dropped. Native
// histograms are not stored yet: they are dropped too, and the Handler
// counts them as rejected.
//
// On error the request must not be stored: dst may hold part of it. The
// error is an *InvalidError, or wraps ErrTooLarge. dst keeps no reference to
// body.
func DecodeRemoteWrite(dst *tsdb.Batch, body []byte) error {
	d := getDecoder()
	defer putDecoder(d)
	_, err := d.decodeRemoteWrite(dst, body, DefaultMaxBodyBytes)
	return err
}

// decodeRemoteWrite is DecodeRemoteWrite with a limit on the decompressed
// size. It returns the number of native histograms it dropped.
func (d *decoder) decodeRemoteWrite(dst *tsdb.Batch, body []byte, limit int64) (int, error) {
	d.hits, d.fills = d.hits[:0], d.fills[:0]
	p, err := d.unsnappy(body, limit)
	if err != nil {
		return 0, err
	}
	return d.decodeWriteRequest(dst, p)
}

// unsnappy decompresses body into the decoder's buffer, checking the
// decompressed length against limit before it allocates.
func (d *decoder) unsnappy(body []byte, limit int64) ([]byte, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, &InvalidError{Err: fmt.Errorf("decode snappy: %w", err), Problems: 1}
	}
	if int64(n) > limit {
		return nil, fmt.Errorf("%w: the remote-write body decompresses to %d bytes, over the limit of %d bytes",
			ErrTooLarge, n, limit)
	}
	if cap(d.plain) < n {
		d.plain = make([]byte, n)
	}
	p, err := snappy.Decode(d.plain[:n], body)
	if err != nil {
		return nil, &InvalidError{Err: fmt.Errorf("decode snappy: %w", err), Problems: 1}
	}
	return p, nil
}

// decodeWriteRequest decodes a WriteRequest message:
//
//	1: repeated TimeSeries timeseries
//	3: repeated MetricMetadata metadata (checked, dropped)
//
// A malformed message stops it; an invalid series is recorded and skipped.
func (d *decoder) decodeWriteRequest(dst *tsdb.Batch, p []byte) (int, error) {
	d.problems.reset()
	histograms := 0
	for i := 0; i < len(p); {
		num, wt, next, err := readTag(p, i)
		if err != nil {
			return histograms, d.malformed(dst, "WriteRequest", err)
		}
		switch num {
		case 1:
			i, err = d.decodeTimeSeries(dst, p, next, wt)
			histograms += d.ws.histograms
		case 3:
			i, err = checkField(p, next, wt, field{kind: kindMessage, msg: &metadataSchema})
		default:
			i, err = skipValue(p, next, wt)
		}
		if err != nil {
			return histograms, d.malformed(dst, fmt.Sprintf("WriteRequest field %d", num), err)
		}
	}
	return histograms, d.problems.err(dst.Samples())
}

// malformed returns the error of a request whose protobuf is malformed.
func (d *decoder) malformed(dst *tsdb.Batch, where string, err error) error {
	d.problems.add(fmt.Errorf("decode remote-write protobuf: %s: %w", where, err), 0)
	return d.problems.err(dst.Samples())
}

// decodeTimeSeries decodes the TimeSeries field at p[i:] and appends the
// series to dst when it is valid and has samples.
func (d *decoder) decodeTimeSeries(dst *tsdb.Batch, p []byte, i, wt int) (int, error) {
	start, end, err := readMessage(p, i, wt)
	if err != nil {
		return i, err
	}
	d.ws.reset()
	b := p[start:end]
	if err := d.ws.decode(b); err != nil {
		return i, fmt.Errorf("TimeSeries: %w", err)
	}
	if err := d.addWireSeries(dst, b); err != nil {
		return i, fmt.Errorf("TimeSeries: %w", err)
	}
	return end, nil
}

// addWireSeries appends the decoded TimeSeries b to dst: by the reference
// the series cache has for its raw label bytes, or else with its labels
// decoded and validated, to be cached once stored. An error is a malformed
// label; an invalid series is recorded and skipped.
func (d *decoder) addWireSeries(dst *tsdb.Batch, b []byte) error {
	ws := &d.ws
	cached := !ws.eager && d.cache != nil
	var key seriesKey
	if cached {
		raw := b[ws.rawFrom:ws.rawTo]
		key = d.cache.key(raw)
		if ref, fresh, ok := d.cache.get(key); ok {
			d.addCached(dst, ref, key, raw, fresh)
			return nil
		}
	}
	if !ws.eager {
		if err := ws.decodeLabels(b[ws.rawFrom:ws.rawTo]); err != nil {
			return fmt.Errorf("field 1: %w", err)
		}
	}
	ls, err := d.sb.build(ws.labels)
	if err != nil {
		d.problems.add(seriesError(err, formatSeries(ws.labels)), len(ws.samples))
		return nil
	}
	if len(ws.samples) == 0 {
		return nil
	}
	s := dst.Next()
	s.Labels = ls
	s.Samples = append(s.Samples, ws.samples...)
	if cached {
		d.fills = append(d.fills, cacheFill{series: len(dst.Series) - 1, key: key})
	}
	return nil
}

// addCached appends the decoded TimeSeries to dst by ref, the reference
// cached for its raw label bytes.
func (d *decoder) addCached(dst *tsdb.Batch, ref storage.SeriesRef, key seriesKey, raw []byte, fresh bool) {
	if len(d.ws.samples) == 0 {
		return
	}
	s := dst.Next()
	s.Ref = ref
	s.Samples = append(s.Samples, d.ws.samples...)
	i := len(dst.Series) - 1
	d.hits = append(d.hits, cacheHit{series: i, key: key, raw: raw})
	if !fresh {
		d.fills = append(d.fills, cacheFill{series: i, key: key})
	}
}

// wireSeries is one TimeSeries as it came: label views into the request,
// samples, and a count of the native histograms it carried. It is reused
// from series to series.
//
// Labels are decoded only when needed: while the Label fields come one
// after the other (as every known sender writes them), they are left as
// raw bytes, b[rawFrom:rawTo], for the series cache; when other fields come
// between them, they are decoded as they come (eager).
type wireSeries struct {
	labels         []wireLabel
	samples        []tsdb.Sample
	histograms     int
	rawFrom, rawTo int  // the Label fields not decoded yet
	eager          bool // labels holds every Label field so far
}

func (ws *wireSeries) reset() {
	ws.labels, ws.samples, ws.histograms = ws.labels[:0], ws.samples[:0], 0
	ws.rawFrom, ws.rawTo, ws.eager = 0, 0, false
}

// decode decodes a TimeSeries message:
//
//	1: repeated Label labels
//	2: repeated Sample samples
//	3: repeated Exemplar exemplars (checked, dropped)
//	4: repeated Histogram histograms (checked, counted, dropped)
func (ws *wireSeries) decode(b []byte) error {
	for i := 0; i < len(b); {
		num, wt, next, err := readTag(b, i)
		if err != nil {
			return err
		}
		switch num {
		case 1:
			i, err = ws.addLabelField(b, i, next, wt)
		case 2:
			i, err = ws.decodeSample(b, next, wt)
		case 3:
			i, err = checkField(b, next, wt, field{kind: kindMessage, msg: &exemplarSchema})
		case 4:
			i, err = checkField(b, next, wt, field{kind: kindMessage, msg: &histogramSchema})
			ws.histograms++
		default:
			i, err = skipValue(b, next, wt)
		}
		if err != nil {
			return fmt.Errorf("field %d: %w", num, err)
		}
	}
	return nil
}

// addLabelField takes the Label field whose tag is at b[tag:] and whose
// value is at b[i:]: it extends the raw Label bytes when it follows them,
// else it decodes them and it.
func (ws *wireSeries) addLabelField(b []byte, tag, i, wt int) (int, error) {
	if ws.eager {
		return ws.decodeLabel(b, i, wt)
	}
	_, end, err := readMessage(b, i, wt)
	if err != nil {
		return i, err
	}
	switch {
	case ws.rawFrom == ws.rawTo:
		ws.rawFrom, ws.rawTo = tag, end
	case ws.rawTo == tag:
		ws.rawTo = end
	default:
		ws.eager = true
		if err := ws.decodeLabels(b[ws.rawFrom:ws.rawTo]); err != nil {
			return i, err
		}
		return ws.decodeLabel(b, i, wt)
	}
	return end, nil
}

// decodeLabels decodes raw Label fields, each one already known to be a
// well-framed field 1.
func (ws *wireSeries) decodeLabels(raw []byte) error {
	for i := 0; i < len(raw); {
		_, wt, next, err := readTag(raw, i)
		if err != nil {
			return err
		}
		if i, err = ws.decodeLabel(raw, next, wt); err != nil {
			return err
		}
	}
	return nil
}

// decodeLabel decodes a Label message (1: string name, 2: string value);
// a missing field is empty and, as in gogo, a repeated one keeps its last
// value.
func (ws *wireSeries) decodeLabel(b []byte, i, wt int) (int, error) {
	start, end, err := readMessage(b, i, wt)
	if err != nil {
		return i, err
	}
	var l wireLabel
	m := b[start:end]
	for j := 0; j < len(m); {
		num, wt, next, err := readTag(m, j)
		if err != nil {
			return i, fmt.Errorf("Label: %w", err)
		}
		if j, err = l.decodeField(m, num, wt, next); err != nil {
			return i, fmt.Errorf("Label field %d: %w", num, err)
		}
	}
	ws.labels = append(ws.labels, l)
	return end, nil
}

// decodeField decodes one field of a Label.
func (l *wireLabel) decodeField(m []byte, num int32, wt, i int) (int, error) {
	if num != 1 && num != 2 {
		return skipValue(m, i, wt)
	}
	start, end, err := readMessage(m, i, wt)
	if err != nil {
		return i, err
	}
	if num == 1 {
		l.name = m[start:end]
	} else {
		l.value = m[start:end]
	}
	return end, nil
}

// decodeSample decodes a Sample message (1: double value, 2: int64
// timestamp); a missing field is zero and a repeated one keeps its last
// value.
func (ws *wireSeries) decodeSample(b []byte, i, wt int) (int, error) {
	start, end, err := readMessage(b, i, wt)
	if err != nil {
		return i, err
	}
	var s tsdb.Sample
	m := b[start:end]
	for j := 0; j < len(m); {
		num, wt, next, err := readTag(m, j)
		if err != nil {
			return i, fmt.Errorf("Sample: %w", err)
		}
		if j, err = decodeSampleField(&s, m, num, wt, next); err != nil {
			return i, fmt.Errorf("Sample field %d: %w", num, err)
		}
	}
	ws.samples = append(ws.samples, s)
	return end, nil
}

// decodeSampleField decodes one field of a Sample.
func decodeSampleField(s *tsdb.Sample, m []byte, num int32, wt, i int) (int, error) {
	switch num {
	case 1:
		if err := wantWireType(wt, wireFixed64); err != nil {
			return i, err
		}
		bits, next, err := readFixed64(m, i)
		s.V = math.Float64frombits(bits)
		return next, err
	case 2:
		if err := wantWireType(wt, wireVarint); err != nil {
			return i, err
		}
		v, next, err := readVarint(m, i)
		s.T = int64(v)
		return next, err
	default:
		return skipValue(m, i, wt)
	}
}
