package fleet

import (
	"fmt"
	"strconv"

	"github.com/prometheus/prometheus/model/labels"
)

// kind says how a series' value moves from one step to the next.
type kind uint8

const (
	kindCPU        kind = iota // counter in hundredths of a second; a = mode index, idle last
	kindLoad                   // gauge in hundredths, random walk of ±a within [0, b]
	kindConst                  // gauge that never changes: a × host size
	kindPages                  // gauge in bytes, random walk of ±a pages within [b×, c×] host size
	kindBytes                  // counter in bytes, + [0, a) per step
	kindBootTime               // gauge: the time of the last (re)start, seconds
	kindRequests               // counter, + [0, a] per step with probability b; c = route
	kindBucket                 // histogram bucket counter; a = bucket index, c = route
	kindSum                    // histogram _sum in seconds; c = route
	kindCount                  // histogram _count; c = route
	kindInFlight               // gauge, a small integer in [0, a]
	kindGoroutines             // gauge, integer random walk of ±a within [b, c]
	kindCounter                // counter, + [0, a] per step with probability b
)

// spec is one series of a host.
type spec struct {
	name    string
	app     bool     // job "app" (with the service label) rather than "node"
	labels  []string // extra name, value pairs
	kind    kind
	a, b, c float64
	div     float64 // the value is the state divided by div
}

const (
	cpus      = 2
	pageSize  = 4096
	numRoutes = 4
	// numBuckets is the number of histogram buckets, +Inf included.
	numBuckets = 11
)

var (
	regions  = []string{"ap-south-1", "eu-west-1", "us-east-1", "us-west-2"}
	services = []string{"api", "billing", "catalog", "checkout", "frontend", "payments", "search", "users"}
	cpuModes = []string{"user", "system", "iowait", "irq", "softirq", "steal", "nice", "idle"}
	// bucketBounds are the histogram's upper bounds; the last is +Inf.
	bucketBounds = [numBuckets - 1]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
	routes       = []struct{ path, method string }{
		{"/api/v1/orders", "POST"}, {"/api/v1/search", "GET"}, {"/api/v1/users", "GET"}, {"/healthz", "GET"},
	}
)

// hostLayout is the series of one host, in the fleet's order. It is built
// once and never changed.
var hostLayout = buildLayout()

func buildLayout() []spec {
	var l []spec
	l = appendNode(l)
	l = appendHTTP(l)
	return appendRPC(l)
}

func appendNode(l []spec) []spec {
	for cpu := range cpus {
		for m, mode := range cpuModes {
			l = append(l, spec{name: "node_cpu_seconds_total", labels: []string{"cpu", strconv.Itoa(cpu), "mode", mode}, kind: kindCPU, a: float64(m), div: 100})
		}
	}
	l = append(l,
		spec{name: "node_load1", kind: kindLoad, a: 30, b: 400, div: 100},
		spec{name: "node_load5", kind: kindLoad, a: 8, b: 400, div: 100},
		spec{name: "node_memory_MemTotal_bytes", kind: kindConst, a: 1, div: 1},
		spec{name: "node_memory_MemAvailable_bytes", kind: kindPages, a: 2000, b: 0.3, c: 0.8, div: 1},
		spec{name: "node_memory_MemFree_bytes", kind: kindPages, a: 1000, b: 0.05, c: 0.3, div: 1},
		spec{name: "node_memory_Cached_bytes", kind: kindPages, a: 500, b: 0.2, c: 0.5, div: 1},
		spec{name: "node_memory_Buffers_bytes", kind: kindPages, a: 20, b: 0.01, c: 0.03, div: 1},
		spec{name: "node_boot_time_seconds", kind: kindBootTime, div: 1},
	)
	for _, fs := range []struct{ dev, mount string }{{"/dev/nvme0n1p1", "/"}, {"/dev/nvme1n1", "/data"}} {
		ls := []string{"device", fs.dev, "fstype", "ext4", "mountpoint", fs.mount}
		l = append(l,
			spec{name: "node_filesystem_size_bytes", labels: ls, kind: kindConst, a: 16, div: 1},
			spec{name: "node_filesystem_avail_bytes", labels: ls, kind: kindPages, a: 50, b: 4, c: 12, div: 1},
		)
	}
	for _, dir := range []string{"receive", "transmit"} {
		l = append(l, spec{name: "node_network_" + dir + "_bytes_total", labels: []string{"device", "eth0"}, kind: kindBytes, a: 2e6, div: 1})
	}
	return l
}

func appendHTTP(l []spec) []spec {
	codes := []struct {
		code string
		max  float64
		p    float64
	}{{"200", 20, 1}, {"404", 2, 0.2}, {"500", 1, 0.02}}
	for r, rt := range routes {
		for _, c := range codes {
			l = append(l, spec{name: "http_requests_total", app: true, labels: []string{"code", c.code, "method", rt.method, "route", rt.path},
				kind: kindRequests, a: c.max, b: c.p, c: float64(r), div: 1})
		}
	}
	for r, rt := range routes {
		ls := []string{"method", rt.method, "route", rt.path}
		for i := range len(bucketBounds) + 1 {
			le := "+Inf"
			if i < len(bucketBounds) {
				le = strconv.FormatFloat(bucketBounds[i], 'g', -1, 64)
			}
			l = append(l, spec{name: "http_request_duration_seconds_bucket", app: true, labels: append([]string{"le", le}, ls...), kind: kindBucket, a: float64(i), c: float64(r), div: 1})
		}
		l = append(l,
			spec{name: "http_request_duration_seconds_sum", app: true, labels: ls, kind: kindSum, c: float64(r), div: 1},
			spec{name: "http_request_duration_seconds_count", app: true, labels: ls, kind: kindCount, c: float64(r), div: 1},
		)
	}
	return l
}

func appendRPC(l []spec) []spec {
	for _, m := range []string{"GetUser", "ListOrders", "Search"} {
		l = append(l,
			spec{name: "rpc_server_handled_total", app: true, labels: []string{"grpc_code", "OK", "grpc_method", m}, kind: kindCounter, a: 20, b: 1, div: 1},
			spec{name: "rpc_server_handled_total", app: true, labels: []string{"grpc_code", "Unavailable", "grpc_method", m}, kind: kindCounter, a: 1, b: 0.01, div: 1},
		)
	}
	return append(l,
		spec{name: "rpc_server_in_flight", app: true, kind: kindInFlight, a: 10, div: 1},
		spec{name: "go_goroutines", app: true, kind: kindGoroutines, a: 5, b: 50, c: 500, div: 1},
		spec{name: "process_resident_memory_bytes", app: true, kind: kindPages, a: 100, b: 0.01, c: 0.05, div: 1},
	)
}

// buildSeries returns the labels of the first n series of hosts hosts.
func buildSeries(hosts, n int) []labels.Labels {
	out := make([]labels.Labels, 0, n)
	var b labels.ScratchBuilder
	for h := 0; h < hosts && len(out) < n; h++ {
		for i := 0; i < len(hostLayout) && len(out) < n; i++ {
			out = append(out, seriesLabels(&b, h, &hostLayout[i]))
		}
	}
	return out
}

func seriesLabels(b *labels.ScratchBuilder, host int, s *spec) labels.Labels {
	b.Reset()
	b.Add(labels.MetricName, s.name)
	b.Add("region", regions[host%len(regions)])
	if s.app {
		b.Add("instance", fmt.Sprintf("host-%05d:8080", host))
		b.Add("job", "app")
		b.Add("service", services[host%len(services)])
	} else {
		b.Add("instance", fmt.Sprintf("host-%05d:9100", host))
		b.Add("job", "node")
	}
	for i := 0; i+1 < len(s.labels); i += 2 {
		b.Add(s.labels[i], s.labels[i+1])
	}
	b.Sort()
	return b.Labels()
}
