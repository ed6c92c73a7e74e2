package ingest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	// ErrTooLarge is wrapped by the errors of requests whose body, compressed
	// or decompressed, is larger than Options.MaxBodyBytes. It answers 413.
	ErrTooLarge = errors.New("request body too large")

	// ErrUnsupportedEncoding is wrapped by the errors of requests whose
	// Content-Encoding or protocol version the endpoint does not speak. It
	// answers 415.
	ErrUnsupportedEncoding = errors.New("unsupported encoding")

	// ErrOverloaded is wrapped by the errors of requests refused by
	// admission control: Options.MaxInflightRequests or MaxInflightBytes
	// would be exceeded. It answers 429 with Retry-After: 1; nothing of such
	// a request is stored, and the client should send it again.
	ErrOverloaded = errors.New("too many push requests in flight")
)

// InvalidError says why a request cannot be stored as it is: a malformed
// encoding, a bad text line or an invalid series. Nothing of such a request
// is stored. It answers 400.
//
// The decoders go on after an invalid series or text line, so Problems counts
// them all while Err names the first one. A malformed protobuf or snappy
// stream stops the decoder at once.
type InvalidError struct {
	Err      error // the first problem, naming its series or line
	Problems int   // number of invalid series or lines found; at least 1
	Samples  int   // samples the request held, as far as it could be decoded
}

// Error returns the first problem and how many more there were.
func (e *InvalidError) Error() string {
	if e.Problems > 1 {
		return fmt.Sprintf("%v (and %d more problems)", e.Err, e.Problems-1)
	}
	return e.Err.Error()
}

// Unwrap returns the first problem.
func (e *InvalidError) Unwrap() error { return e.Err }

// LineError is a problem on one line of a text exposition body.
type LineError struct {
	Line int // 1-based
	Err  error
}

// Error returns "line N: problem".
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the problem.
func (e *LineError) Unwrap() error { return e.Err }

// statusCode maps an error of a push request to its HTTP status. It is the
// only place where error kinds become status codes.
func statusCode(err error) int {
	var (
		invalid  *InvalidError
		maxBytes *http.MaxBytesError
	)
	switch {
	case err == nil:
		return http.StatusNoContent
	case errors.Is(err, ErrTooLarge), errors.As(err, &maxBytes):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrOverloaded):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrUnsupportedEncoding):
		return http.StatusUnsupportedMediaType
	case errors.As(err, &invalid):
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

// problems collects the invalid series or lines of one request: the first
// error, how many there were and how many samples they held.
type problems struct {
	first   error
	n       int
	samples int
}

func (p *problems) reset() { *p = problems{} }

// add records one invalid series or line holding samples samples.
func (p *problems) add(err error, samples int) {
	if p.first == nil {
		p.first = err
	}
	p.n++
	p.samples += samples
}

// err returns the request's InvalidError, or nil when there was no problem.
// valid is the number of samples of the request that were valid.
func (p *problems) err(valid int) error {
	if p.n == 0 {
		return nil
	}
	return &InvalidError{Err: p.first, Problems: p.n, Samples: valid + p.samples}
}

// printable returns s with every byte that is not part of valid UTF-8
// written as \xNN, so that a message quoting a request is valid UTF-8
// however broken the request was. Valid text, including quotes and
// backslashes, is left as it is.
func printable(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// quoteRuneAt returns the character that starts b as a quoted Go rune
// literal, 'x', or '\xNN' when b does not start with valid UTF-8.
func quoteRuneAt(b []byte) string {
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError && n <= 1 {
		return fmt.Sprintf(`'\x%02x'`, b[0])
	}
	return strconv.QuoteRune(r)
}
