package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// apiCall sends one request of "vigil sev" or "vigil sla" to the server
// and decodes the data of its answer into dst. form, when not nil, is sent
// as the body of a POST; otherwise the request is a GET. An error answer
// is returned as "server answered STATUS: TYPE: MESSAGE".
func (f *clientFlags) apiCall(ctx context.Context, path string, form url.Values, dst any) error {
	endpoint, err := f.endpoint(path)
	if err != nil {
		return err
	}
	req, err := newAPIRequest(ctx, endpoint, form)
	if err != nil {
		return err
	}
	resp, err := f.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	return decodeAnswer(resp, body, dst)
}

// newAPIRequest builds a GET, or a form POST when form is not nil.
func newAPIRequest(ctx context.Context, endpoint string, form url.Values) (*http.Request, error) {
	if form == nil {
		return http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// decodeAnswer decodes the envelope of an answer and its data into dst, or
// returns the answer's error.
func decodeAnswer(resp *http.Response, body []byte, dst any) error {
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil || r.Status == "" {
		if resp.StatusCode/100 != 2 {
			return &statusError{status: resp.Status, msg: trimBody(body)}
		}
		return fmt.Errorf("answer is not a Vigil API response: %s", trimBody(body))
	}
	if r.Status != "success" {
		return &statusError{status: resp.Status, msg: r.ErrorType + ": " + r.Error}
	}
	if err := json.Unmarshal(r.Data, dst); err != nil {
		return fmt.Errorf("decode answer data: %w", err)
	}
	return nil
}
