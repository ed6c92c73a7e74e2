package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/sevbridge"
)

// blockingPager accepts PagerDuty events only once released, so a declare
// stays in flight until the test says.
type blockingPager struct {
	entered chan struct{} // receives when an event arrives
	release chan struct{} // closed to answer
}

func (p *blockingPager) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	select {
	case p.entered <- struct{}{}:
	default:
	}
	<-p.release
	w.WriteHeader(http.StatusAccepted)
}

// TestServeShutdownOrder checks the stop order: once shutdown begins the
// data endpoints answer 503 (or the connection is refused), never 500 or a
// 200; a request in flight finishes with the components it uses still
// running, and what it acknowledged is stored.
func TestServeShutdownOrder(t *testing.T) {
	pd := &blockingPager{entered: make(chan struct{}, 1), release: make(chan struct{})}
	srv := httptest.NewServer(pd)
	t.Cleanup(srv.Close) // after the server stops: it may still page while it drains
	var once sync.Once
	releasePD := func() { once.Do(func() { close(pd.release) }) }
	defer releasePD()
	dir, policy := t.TempDir(), filepath.Join(t.TempDir(), "policy.yml")
	writeFile(t, policy, testPolicy)
	s := startWithPolicy(t, dir, policy, srv.URL)

	type answer struct {
		code int
		body string
	}
	inFlight := make(chan answer, 1)
	go func() {
		form := url.Values{"type": {"durability"}, "level": {"1"}, "title": {"Lost uploads"}, "routes": {"/upload"}, "actor": {"dan"}}
		resp, err := http.PostForm(s.base+"/api/v1/sevs", form)
		if err != nil {
			inFlight <- answer{0, err.Error()}
			return
		}
		defer resp.Body.Close()
		b := new(strings.Builder)
		_, _ = io.Copy(b, resp.Body)
		inFlight <- answer{resp.StatusCode, b.String()}
	}()
	<-pd.entered // the declare is paging: in flight
	s.cancel()

	// Once the gate has closed (ready 503), and until the listener closes,
	// every data request is a 503.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	eventually(t, "not ready", func() bool {
		resp, err := client.Get(s.base + "/-/ready")
		if err != nil {
			return true
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	})
	for refused := false; !refused; {
		for _, r := range [][2]string{{"GET", "/api/v1/sevs"}, {"POST", "/api/v1/sevs"}, {"GET", "/-/ready"}} {
			req, err := http.NewRequest(r[0], s.base+r[1], strings.NewReader("type=security&level=1&title=x&actor=a"))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := client.Do(req)
			if err != nil {
				refused = true
				break
			}
			b := new(strings.Builder)
			_, _ = io.Copy(b, resp.Body)
			resp.Body.Close()
			require.Equal(t, [2]any{503, "shutting down\n"}, [2]any{resp.StatusCode, b.String()}, r)
		}
	}
	select {
	case err := <-s.done:
		t.Fatalf("serve returned with a request in flight: %v", err)
	default:
	}

	releasePD()
	got := <-inFlight
	require.Equal(t, 200, got.code, got.body)
	require.Contains(t, got.body, `"id":"SEV-1"`)
	require.NoError(t, s.wait())

	store, err := sevbridge.OpenStore(filepath.Join(s.dataDir, "sev", "sevs.db"))
	require.NoError(t, err)
	defer store.Close()
	sevs, err := store.List()
	require.NoError(t, err)
	require.Len(t, sevs, 1)
	require.Equal(t, [2]any{"SEV-1", "Lost uploads"}, [2]any{sevs[0].ID, sevs[0].Title})
}
