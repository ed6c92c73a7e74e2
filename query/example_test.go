package query_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/util/teststorage"

	"github.com/vigilsre/vigil/query"
)

func Example() {
	// Any storage.Queryable works; Vigil passes its *tsdb.DB.
	db, err := teststorage.NewWithError()
	if err != nil {
		panic(err)
	}
	defer db.Close()
	app := db.Appender(context.Background())
	for i := range 10 { // one sample every 10s for api, a counter growing by 5/s
		_, _ = app.Append(0, labels.FromStrings("__name__", "requests_total", "job", "api"), int64(i)*10_000, float64(i*50))
	}
	if err := app.Commit(); err != nil {
		panic(err)
	}

	e := query.New(db, query.Options{})
	res, err := e.Instant(context.Background(), `sum by (job) (rate(requests_total[1m]))`, time.UnixMilli(90_000))
	if err != nil {
		panic(err)
	}
	defer res.Close()
	fmt.Println(res.Value)

	_, err = e.Instant(context.Background(), `sum by (job) (rate(requests_total[1m])`, time.UnixMilli(90_000))
	fmt.Println(errors.Is(err, query.ErrBadQuery), err)
	// Output:
	// {job="api"} => 5 @[90000]
	// true 1:39: parse error: unclosed left parenthesis
}
