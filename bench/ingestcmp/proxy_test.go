package ingestcmp

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
)

// queryProxy serves target's API with params added to every request's
// query string. Close it after use.
func queryProxy(target string, params url.Values) (*httptest.Server, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		q := r.Out.URL.Query()
		for k, vs := range params {
			q[k] = vs
		}
		r.Out.URL.RawQuery = q.Encode()
	}}
	return httptest.NewServer(rp), nil
}
