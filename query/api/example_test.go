package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/query"
	"github.com/vigilsre/vigil/query/api"
)

func ExampleAPI_Register() {
	var db storage.Queryable = storage.QueryableFunc(func(int64, int64) (storage.Querier, error) {
		return storage.NoopQuerier(), nil
	}) // Vigil passes its *tsdb.DB

	mux := http.NewServeMux()
	api.New(query.New(db, query.Options{}), api.Options{
		BuildInfo: api.BuildInfo{Version: "0.1.0"},
	}).Register(mux)

	for _, target := range []string{"/api/v1/query?query=1%2B1&time=60", "/api/v1/query?query=1%2B"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		body, _ := io.ReadAll(w.Body)
		fmt.Println(w.Code, string(body))
	}
	// Output:
	// 200 {"status":"success","data":{"resultType":"scalar","result":[60,"2"]}}
	// 400 {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:3: parse error: unexpected end of input"}
}
