package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// clientFlags are the flags "vigil push" and "vigil query" share.
type clientFlags struct {
	url     string        // --url
	timeout time.Duration // --timeout
	command string        // such as "vigil push", for usage errors
}

// register defines the flags of f on fs for the named command.
func (f *clientFlags) register(fs *pflag.FlagSet, command string) {
	f.command = command
	fs.StringVar(&f.url, "url", "http://localhost:9096", "base URL of the Vigil server")
	fs.DurationVar(&f.timeout, "timeout", time.Minute, "give up on the request after this long")
}

// endpoint joins the base URL and an API path, checking the base URL.
func (f *clientFlags) endpoint(path string) (string, error) {
	u, err := url.Parse(f.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &usageError{path: f.command, err: fmt.Errorf("--url %q: want http://HOST:PORT or https://HOST:PORT", f.url)}
	}
	return strings.TrimRight(f.url, "/") + path, nil
}

// client returns the HTTP client for one command.
func (f *clientFlags) client() *http.Client {
	return &http.Client{Timeout: f.timeout}
}

// maxErrorBody bounds how much of an error answer is read and printed.
const maxErrorBody = 64 << 10

// statusError is an answer outside 2xx, with the server's message.
type statusError struct {
	status string // such as "400 Bad Request"
	msg    string
}

// Error implements error.
func (e *statusError) Error() string {
	if e.msg == "" {
		return "server answered " + e.status
	}
	return fmt.Sprintf("server answered %s: %s", e.status, e.msg)
}

// readStatusError reads the message of a failed answer.
func readStatusError(resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err != nil {
		return fmt.Errorf("server answered %s; read its message: %w", resp.Status, err)
	}
	return &statusError{status: resp.Status, msg: strings.TrimSpace(string(body))}
}
