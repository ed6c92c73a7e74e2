package ingest

import "fmt"

// The messages of a remote-write request that Vigil does not store
// (exemplars, native histograms, metadata) are not decoded, only checked: a
// request is rejected when gogo's prompb.WriteRequest.Unmarshal would reject
// it, whichever part is malformed. A schema lists the wire shape of each
// field of such a message, enough to know what gogo accepts.

// fieldKind is the wire shape of a known field.
type fieldKind uint8

const (
	kindUnknown       fieldKind = iota // skipped like any unknown field
	kindVarint                         // wire type 0
	kindFixed64                        // wire type 1
	kindBytes                          // wire type 2: string or bytes
	kindMessage                        // wire type 2: a nested message, checked
	kindPackedVarint                   // repeated varint: wire type 0, or 2 when packed
	kindPackedFixed64                  // repeated double: wire type 1, or 2 when packed
)

// field is one known field of a schema.
type field struct {
	kind fieldKind
	msg  *schema // for kindMessage
}

// schema is the wire shape of a message, indexed by field number.
type schema struct {
	name   string
	fields []field
}

// field returns the shape of field num; unknown fields have kindUnknown.
func (s *schema) field(num int32) field {
	if int(num) < len(s.fields) {
		return s.fields[num]
	}
	return field{}
}

var (
	labelSchema = schema{name: "Label", fields: []field{
		1: {kind: kindBytes}, 2: {kind: kindBytes},
	}}
	exemplarSchema = schema{name: "Exemplar", fields: []field{
		1: {kind: kindMessage, msg: &labelSchema}, 2: {kind: kindFixed64}, 3: {kind: kindVarint},
	}}
	bucketSpanSchema = schema{name: "BucketSpan", fields: []field{
		1: {kind: kindVarint}, 2: {kind: kindVarint},
	}}
	histogramSchema = schema{name: "Histogram", fields: []field{
		1: {kind: kindVarint}, 2: {kind: kindFixed64}, 3: {kind: kindFixed64},
		4: {kind: kindVarint}, 5: {kind: kindFixed64}, 6: {kind: kindVarint},
		7: {kind: kindFixed64}, 8: {kind: kindMessage, msg: &bucketSpanSchema},
		9: {kind: kindPackedVarint}, 10: {kind: kindPackedFixed64},
		11: {kind: kindMessage, msg: &bucketSpanSchema}, 12: {kind: kindPackedVarint},
		13: {kind: kindPackedFixed64}, 14: {kind: kindVarint}, 15: {kind: kindVarint},
		16: {kind: kindPackedFixed64},
	}}
	metadataSchema = schema{name: "MetricMetadata", fields: []field{
		1: {kind: kindVarint}, 2: {kind: kindBytes}, 4: {kind: kindBytes}, 5: {kind: kindBytes},
	}}
)

// checkMessage checks that b is a well-formed message of schema s.
func checkMessage(b []byte, s *schema) error {
	for i := 0; i < len(b); {
		num, wt, next, err := readTag(b, i)
		if err == nil {
			i, err = checkField(b, next, wt, s.field(num))
		}
		if err != nil {
			return fmt.Errorf("%s field %d: %w", s.name, num, err)
		}
	}
	return nil
}

// checkField checks the value of a field of shape f and wire type wt.
func checkField(b []byte, i, wt int, f field) (int, error) {
	switch f.kind {
	case kindVarint:
		return checkScalar(b, i, wt, wireVarint)
	case kindFixed64:
		return checkScalar(b, i, wt, wireFixed64)
	case kindBytes:
		_, end, err := readMessage(b, i, wt)
		return end, err
	case kindMessage:
		return checkNested(b, i, wt, f.msg)
	case kindPackedVarint:
		return checkRepeated(b, i, wt, wireVarint)
	case kindPackedFixed64:
		return checkRepeated(b, i, wt, wireFixed64)
	default:
		return skipValue(b, i, wt)
	}
}

// checkScalar checks a non-repeated varint or fixed64 field.
func checkScalar(b []byte, i, wt, want int) (int, error) {
	if err := wantWireType(wt, want); err != nil {
		return i, err
	}
	return skipValue(b, i, wt)
}

// checkNested checks a nested message field.
func checkNested(b []byte, i, wt int, s *schema) (int, error) {
	start, end, err := readMessage(b, i, wt)
	if err != nil {
		return i, err
	}
	return end, checkMessage(b[start:end], s)
}

// checkRepeated checks a repeated scalar field, one element or packed.
func checkRepeated(b []byte, i, wt, elem int) (int, error) {
	if wt == elem {
		return skipValue(b, i, wt)
	}
	if wt != wireBytes {
		return i, fmt.Errorf("wire type %d, want %d or %d", wt, elem, wireBytes)
	}
	return checkPacked(b, i, elem)
}

// checkPacked checks a packed repeated scalar. It mirrors a quirk of gogo:
// elements are bounded by the enclosing message, not by the packed length,
// so the last one may run past it and the next field starts where it ends.
func checkPacked(b []byte, i, elem int) (int, error) {
	start, end, err := readLen(b, i)
	if err != nil {
		return i, err
	}
	for i = start; i < end && err == nil; {
		i, err = skipValue(b, i, elem)
	}
	return i, err
}
