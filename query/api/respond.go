package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/vigilsre/vigil/query"
)

// ErrorType is the errorType of an error response. It decides the HTTP
// status, as in Prometheus.
type ErrorType string

// Error types, with their HTTP status.
const (
	ErrorBadData     ErrorType = "bad_data"    // 400: the request is invalid
	ErrorExec        ErrorType = "execution"   // 422: the query cannot be evaluated
	ErrorCanceled    ErrorType = "canceled"    // 499: the client went away
	ErrorTimeout     ErrorType = "timeout"     // 503: the query ran out of time
	ErrorInternal    ErrorType = "internal"    // 500: the server or store failed
	ErrorUnavailable ErrorType = "unavailable" // 500: not ready
	ErrorNotFound    ErrorType = "not_found"   // 404: no such thing
)

// statusClientClosedRequest is the non-standard status Prometheus answers
// with when the client canceled its request.
const statusClientClosedRequest = 499

// Status returns the HTTP status of an error of type t.
func (t ErrorType) Status() int {
	switch t {
	case ErrorBadData:
		return http.StatusBadRequest
	case ErrorExec:
		return http.StatusUnprocessableEntity
	case ErrorCanceled:
		return statusClientClosedRequest
	case ErrorTimeout:
		return http.StatusServiceUnavailable
	case ErrorNotFound:
		return http.StatusNotFound
	default:
		return http.StatusInternalServerError
	}
}

// Error is an API error: its Type picks the errorType and HTTP status, Err's
// message is the "error" field.
type Error struct {
	Type ErrorType
	Err  error
}

// Error returns the type and the message, as Prometheus' apiError does.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Type, e.Err) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Respond writes a success envelope holding data (omitted when nil), with
// HTTP 200. Empty warnings and infos are omitted. data is encoded with
// encoding/json, except the values of this package's handlers and []string,
// which are encoded exactly as Prometheus does. The error is the one from
// encoding (then a 500 with its text was written) or from writing.
func Respond(w http.ResponseWriter, data any, warnings, infos []string) error {
	body, err := appendSuccess(nil, data, warnings, infos)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return fmt.Errorf("encode response: %w", err)
	}
	return write(w, http.StatusOK, body)
}

// RespondError writes an error envelope for err with the HTTP status of its
// type. err is an *Error (anywhere in its chain), or an error from package
// query, mapped as Prometheus maps the engine's errors (bad query 400,
// execution and too many samples 422, timeout 503, canceled 499, storage
// 500); any other error is internal (500). It returns the write's error.
func RespondError(w http.ResponseWriter, err error) error {
	e := errorOf(err)
	return write(w, e.Type.Status(), appendFailure(nil, e))
}

// write sends body as JSON with the given status.
func write(w http.ResponseWriter, status int, body []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}

// errorOf returns err as an *Error, classifying errors of package query.
func errorOf(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Type == "" {
			return &Error{Type: ErrorInternal, Err: e.Err}
		}
		return e
	}
	return &Error{Type: queryErrorType(err), Err: err}
}

// queryErrorType maps the kind of a query error to its type.
func queryErrorType(err error) ErrorType {
	switch {
	case errors.Is(err, query.ErrBadQuery):
		return ErrorBadData
	case errors.Is(err, query.ErrCanceled):
		return ErrorCanceled
	case errors.Is(err, query.ErrTimeout):
		return ErrorTimeout
	case errors.Is(err, query.ErrExecution), errors.Is(err, query.ErrTooManySamples):
		return ErrorExec
	default:
		return ErrorInternal
	}
}

// appendSuccess appends the success envelope.
func appendSuccess(dst []byte, data any, warnings, infos []string) ([]byte, error) {
	dst = append(dst, `{"status":"success"`...)
	if data != nil {
		var err error
		dst = append(dst, `,"data":`...)
		if dst, err = appendData(dst, data); err != nil {
			return nil, err
		}
	}
	dst = appendField(dst, "warnings", warnings)
	dst = appendField(dst, "infos", infos)
	return append(dst, '}'), nil
}

// appendFailure appends the error envelope of e.
func appendFailure(dst []byte, e *Error) []byte {
	dst = append(dst, `{"status":"error","errorType":`...)
	dst = appendString(dst, string(e.Type))
	if msg := e.Err.Error(); msg != "" { // omitted when empty, as in Prometheus
		dst = append(dst, `,"error":`...)
		dst = appendString(dst, msg)
	}
	return append(dst, '}')
}

// appendField appends `,"name":[…]` unless list is empty.
func appendField(dst []byte, name string, list []string) []byte {
	if len(list) == 0 {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendStrings(dst, list)
}

// jsonAppender is implemented by this package's response data, encoded as
// Prometheus encodes it rather than by encoding/json.
type jsonAppender interface {
	appendJSON(dst []byte) ([]byte, error)
}

// appendData appends the encoding of data.
func appendData(dst []byte, data any) ([]byte, error) {
	switch d := data.(type) {
	case jsonAppender:
		return d.appendJSON(dst)
	case []string:
		return appendStrings(dst, d), nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}
