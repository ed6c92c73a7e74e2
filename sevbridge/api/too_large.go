package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	queryapi "github.com/vigilsre/vigil/query/api"
)

// tooLarge is the error envelope of a body over maxBody. Package query/api
// has no error type whose status is 413, so it is written here, in the same
// envelope (errorType bad_data: the request is at fault).
type tooLarge struct {
	Status    string             `json:"status"`
	ErrorType queryapi.ErrorType `json:"errorType"`
	Error     string             `json:"error"`
}

// respondTooLarge answers 413 Request Entity Too Large to a body over limit
// bytes (an *http.MaxBytesError). It returns the write's error.
func respondTooLarge(w http.ResponseWriter, limit int64) error {
	msg := fmt.Sprintf("request body too large: over the limit of %d bytes", limit)
	body, _ := json.Marshal(tooLarge{Status: "error", ErrorType: queryapi.ErrorBadData, Error: msg}) // strings only: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
