package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/query"
)

// fakeFlusher answers Flush with b and err, counting the calls.
type fakeFlusher struct {
	b     *Block
	err   error
	calls atomic.Int32
}

func (f *fakeFlusher) Flush(context.Context) (*Block, error) {
	f.calls.Add(1)
	return f.b, f.err
}

// newAdminServer serves the API with flusher f (none when nil).
func newAdminServer(t *testing.T, f Flusher) *httptest.Server {
	t.Helper()
	empty := storage.QueryableFunc(func(_, _ int64) (storage.Querier, error) { return storage.NoopQuerier(), nil })
	a := New(query.New(empty, query.Options{}), Options{Flusher: f})
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// postFlush sends POST /api/v1/admin/flush and returns the status and body.
func postFlush(t *testing.T, srv *httptest.Server) (int, string) {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/api/v1/admin/flush", "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestFlush(t *testing.T) {
	written := &Block{ID: "20260101T000000.000Z-20260101T015959.999Z", MinTime: 1767225600000, MaxTime: 1767232799999,
		NumSeries: 3, NumSamples: 2161, Level: 1}
	closed := &Error{Type: ErrorUnavailable, Err: errors.New("tsdb: closed")}
	tests := []struct {
		name   string
		b      *Block
		err    error
		status int
		body   string
	}{
		{"block written", written, nil, 200,
			`{"status":"success","data":{"block":{"id":"20260101T000000.000Z-20260101T015959.999Z","minTime":1767225600000,"maxTime":1767232799999,"numSeries":3,"numSamples":2161,"level":1}}}`},
		{"head empty", nil, nil, 200,
			`{"status":"success","data":{"block":null}}`},
		{"store closed", nil, closed, 500,
			`{"status":"error","errorType":"unavailable","error":"flush head: tsdb: closed"}`},
		{"store closed, wrapped", nil, fmt.Errorf("cut head: %w", closed), 500,
			`{"status":"error","errorType":"unavailable","error":"flush head: tsdb: closed"}`},
		{"client gone", nil, fmt.Errorf("cut head: %w", context.Canceled), 499,
			`{"status":"error","errorType":"canceled","error":"flush head: cut head: context canceled"}`},
		{"disk full", nil, errors.New("cut head into block b: write chunks: no space left on device"), 500,
			`{"status":"error","errorType":"internal","error":"flush head: cut head into block b: write chunks: no space left on device"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeFlusher{b: tt.b, err: tt.err}
			status, body := postFlush(t, newAdminServer(t, f))
			require.Equal(t, tt.body, body)
			require.Equal(t, tt.status, status)
			require.Equal(t, int32(1), f.calls.Load())
		})
	}
}

func TestFlushPostOnly(t *testing.T) {
	f := &fakeFlusher{}
	srv := newAdminServer(t, f)
	resp, err := srv.Client().Get(srv.URL + "/api/v1/admin/flush")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	require.Equal(t, "POST", resp.Header.Get("Allow"))
	require.Zero(t, f.calls.Load())
}

func TestFlushSaysTheAdminAPIIsDisabledWithoutFlusher(t *testing.T) {
	status, body := postFlush(t, newAdminServer(t, nil))
	require.Equal(t, http.StatusInternalServerError, status) // Prometheus' status for "unavailable"
	require.JSONEq(t, `{"status":"error","errorType":"unavailable","error":"admin APIs are disabled; enable them with server.enable_admin_api: true"}`, body)
}
