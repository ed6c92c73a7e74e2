package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pushRecorder is a fake server that records the one request it gets.
type pushRecorder struct {
	method, path, contentType, body string
}

func newPushServer(t *testing.T, rec *pushRecorder, status int, answer string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*rec = pushRecorder{r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(b)}
		if status == http.StatusNoContent {
			w.Header().Set("X-Prometheus-Remote-Write-Samples-Written", "2")
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const pushBody = "# TYPE jobs_total counter\njobs_total{queue=\"a\"} 3\njobs_total{queue=\"b\"} 4 1700000000000\n"

func TestPush(t *testing.T) {
	file := filepath.Join(t.TempDir(), "metrics.prom")
	require.NoError(t, os.WriteFile(file, []byte(pushBody), 0o644))
	tests := []struct {
		name       string
		args       func(url string) []string
		stdin      string
		status     int
		answer     string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"file", func(u string) []string { return []string{"push", "--url", u, file} }, "", 204, "", 0,
			"pushed " + file + ": 2 samples written\n", ""},
		{"stdin with -", func(u string) []string { return []string{"push", "--url", u + "/", "-"} }, pushBody, 204, "", 0,
			"pushed standard input: 2 samples written\n", ""},
		{"stdin without argument", func(u string) []string { return []string{"push", "--url", u} }, pushBody, 204, "", 0,
			"pushed standard input: 2 samples written\n", ""},
		{"bad input", func(u string) []string { return []string{"push", "--url", u, file} }, "", 400, "line 2: invalid metric name \"2x\"\n", 1,
			"", "vigil: push " + file + ": server answered 400 Bad Request: line 2: invalid metric name \"2x\"\n"},
		{"server error", func(u string) []string { return []string{"push", "--url", u, "-"} }, pushBody, 503, "starting: replaying WAL\n", 1,
			"", "vigil: push standard input: server answered 503 Service Unavailable: starting: replaying WAL\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec pushRecorder
			srv := newPushServer(t, &rec, tt.status, tt.answer)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args(srv.URL), strings.NewReader(tt.stdin), &stdout, &stderr)
			require.Equal(t, tt.code, code, stderr.String())
			require.Equal(t, tt.wantStdout, stdout.String())
			require.Equal(t, tt.wantStderr, stderr.String())
			want := pushRecorder{"POST", "/api/v1/import/prometheus", "text/plain; version=0.0.4; charset=utf-8", pushBody}
			require.Equal(t, want, rec)
		})
	}
}

func TestPushErrorsBeforeSending(t *testing.T) {
	var rec pushRecorder
	srv := newPushServer(t, &rec, 204, "")
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		wantStderr string
	}{
		{"missing file", []string{"push", "--url", srv.URL, "testdata/none.prom"}, "", 1,
			"vigil: open testdata/none.prom: no such file or directory\n"},
		{"empty input", []string{"push", "--url", srv.URL}, "", 1, "vigil: nothing to push: standard input is empty\n"},
		{"bad url", []string{"push", "--url", "localhost:9096", "-"}, pushBody, 2,
			"vigil: --url \"localhost:9096\": want http://HOST:PORT or https://HOST:PORT (see \"vigil push --help\")\n"},
		{"two files", []string{"push", "a", "b"}, "", 2, "vigil: accepts at most 1 arg(s), received 2 (see \"vigil push --help\")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			require.Equal(t, tt.code, code, stderr.String())
			require.Equal(t, tt.wantStderr, stderr.String())
			require.Empty(t, stdout.String())
			require.Equal(t, pushRecorder{}, rec, "nothing was sent")
		})
	}
}
