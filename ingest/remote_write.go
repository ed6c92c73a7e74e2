package ingest

import (
	"fmt"
	"math"

	"github.com/klauspost/compress/snappy"

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
	if err := d.ws.decode(p[start:end]); err != nil {
		return i, fmt.Errorf("TimeSeries: %w", err)
	}
	d.addWireSeries(dst)
	return end, nil
}

// addWireSeries validates the decoded TimeSeries and appends it to dst.
func (d *decoder) addWireSeries(dst *tsdb.Batch) {
	ws := &d.ws
	ls, err := d.sb.build(ws.labels)
	if err != nil {
		d.problems.add(seriesError(err, formatSeries(ws.labels)), len(ws.samples))
		return
	}
	if len(ws.samples) == 0 {
		return
	}
	s := dst.Next()
	s.Labels = ls
	s.Samples = append(s.Samples, ws.samples...)
}

// wireSeries is one TimeSeries as it came: label views into the request,
// samples, and a count of the native histograms it carried. It is reused
// from series to series.
type wireSeries struct {
	labels     []wireLabel
	samples    []tsdb.Sample
	histograms int
}

func (ws *wireSeries) reset() {
	ws.labels, ws.samples, ws.histograms = ws.labels[:0], ws.samples[:0], 0
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
			i, err = ws.decodeLabel(b, next, wt)
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
