package storagecmp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// vmEnv names the victoria-metrics binary of comparison (e).
const vmEnv = "VIGIL_VICTORIAMETRICS"

// vmChunkSteps is how many steps of every series one import request holds.
const vmChunkSteps = 360

// vmResult is comparison (e): VictoriaMetrics' bytes on disk for the
// samples of comparison (a), after a forced merge.
type vmResult struct {
	Samples int
	Bytes   int64 // every file under -storageDataPath (data, per-partition indexdb, metadata)
}

func (r vmResult) perSample() float64 { return float64(r.Bytes) / float64(r.Samples) }

// victoriaMetrics is a victoria-metrics process on a loopback port.
type victoriaMetrics struct {
	cmd  *exec.Cmd
	url  string
	dir  string // -storageDataPath
	logf string // its log file
}

// startVM starts bin with its data in dir/data and waits until it is
// healthy.
func startVM(ctx context.Context, bin, dir string) (*victoriaMetrics, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	vm := &victoriaMetrics{url: "http://" + addr, dir: filepath.Join(dir, "data"), logf: filepath.Join(dir, "vm.log")}
	log, err := os.Create(vm.logf)
	if err != nil {
		return nil, fmt.Errorf("create victoriametrics log: %w", err)
	}
	defer log.Close()
	vm.cmd = exec.Command(bin, "-storageDataPath="+vm.dir, "-httpListenAddr="+addr, "-retentionPeriod=100y")
	vm.cmd.Stdout, vm.cmd.Stderr = log, log
	if err := vm.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	if err := vm.waitHealthy(ctx); err != nil {
		return nil, errors.Join(err, vm.stop())
	}
	return vm, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// poll calls cond every interval until it is true, it fails or the
// deadline passes.
func poll(ctx context.Context, timeout, interval time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

func (vm *victoriaMetrics) waitHealthy(ctx context.Context) error {
	return poll(ctx, 30*time.Second, 50*time.Millisecond, "victoriametrics /health", func() (bool, error) {
		resp, err := http.Get(vm.url + "/health")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

// stop interrupts the process and waits for it.
func (vm *victoriaMetrics) stop() error {
	if err := vm.cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("interrupt victoriametrics: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- vm.cmd.Wait() }()
	select {
	case <-done:
		return nil
	case <-time.After(30 * time.Second):
		return errors.Join(errors.New("victoriametrics did not stop in 30s; killed"), vm.cmd.Process.Kill())
	}
}

// get requests path and fails on a status other than 2xx.
func (vm *victoriaMetrics) get(path string) ([]byte, error) {
	resp, err := http.Get(vm.url + path)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode/100 != 2 {
		err = fmt.Errorf("status %s: %s", resp.Status, body)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", path, err)
	}
	return body, nil
}

// importData posts the dataset to /api/v1/import (JSON lines, one line per
// series and chunk of steps).
func (vm *victoriaMetrics) importData(d *dataset) error {
	ts := make([]int64, 0, vmChunkSteps)
	vals := make([][]float64, len(d.idx))
	var body []byte
	flush := func() error {
		if len(ts) == 0 {
			return nil
		}
		body = body[:0]
		for i, ls := range d.lsets {
			body = appendVMLine(body, ls, vals[i], ts)
			vals[i] = vals[i][:0]
		}
		ts = ts[:0]
		return vm.post("/api/v1/import", body)
	}
	err := d.each(func(_ int, t int64, v []float64) error {
		ts = append(ts, t)
		for i, x := range v {
			vals[i] = append(vals[i], x)
		}
		if len(ts) == vmChunkSteps {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// appendVMLine appends one line of VictoriaMetrics' JSON import format.
func appendVMLine(dst []byte, ls labels.Labels, vals []float64, ts []int64) []byte {
	dst = append(dst, `{"metric":{`...)
	first := true
	ls.Range(func(l labels.Label) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = strconv.AppendQuote(dst, l.Name)
		dst = append(dst, ':')
		dst = strconv.AppendQuote(dst, l.Value)
	})
	dst = append(dst, `},"values":[`...)
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendFloat(dst, v, 'g', -1, 64)
	}
	dst = append(dst, `],"timestamps":[`...)
	for i, t := range ts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, t, 10)
	}
	return append(dst, "]}\n"...)
}

func (vm *victoriaMetrics) post(path string, body []byte) error {
	resp, err := http.Post(vm.url+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post %s: %w", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post %s: status %s: %s", path, resp.Status, msg)
	}
	return nil
}

// metrics returns the sum of the values of every line of /metrics whose
// name (and labels) start with prefix.
func (vm *victoriaMetrics) metric(prefix string) (float64, error) {
	body, err := vm.get("/metrics")
	if err != nil {
		return 0, err
	}
	sum := 0.0
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("parse victoriametrics metric line %q: %w", line, err)
		}
		sum += v
	}
	return sum, sc.Err()
}

// settle flushes, merges the partitions of the dataset's months and waits
// until every merge is done.
func (vm *victoriaMetrics) settle(ctx context.Context, d *dataset) error {
	want := float64(d.samples())
	err := poll(ctx, 5*time.Minute, 100*time.Millisecond, "every sample added", func() (bool, error) {
		n, err := vm.metric("vm_rows_added_to_storage_total")
		return n >= want, err
	})
	if err != nil {
		return err
	}
	if _, err := vm.get("/internal/force_flush"); err != nil {
		return err
	}
	for _, p := range partitions(d) {
		if err := vm.forceMerge(ctx, p); err != nil {
			return err
		}
	}
	return poll(ctx, 10*time.Minute, 200*time.Millisecond, "victoriametrics merges", func() (bool, error) {
		n, err := vm.metric("vm_active_merges")
		return n == 0, err
	})
}

// forceMerge merges one partition and waits until the log says it is done.
func (vm *victoriaMetrics) forceMerge(ctx context.Context, partition string) error {
	if _, err := vm.get("/internal/force_merge?partition_prefix=" + partition); err != nil {
		return err
	}
	done := fmt.Sprintf("forced merge for partition_prefix=%q has been successfully finished", partition)
	failed := fmt.Sprintf("error in forced merge for partition_prefix=%q", partition)
	return poll(ctx, 30*time.Minute, 200*time.Millisecond, "forced merge of "+partition, func() (bool, error) {
		log, err := os.ReadFile(vm.logf)
		if err != nil {
			return false, fmt.Errorf("read victoriametrics log: %w", err)
		}
		if bytes.Contains(log, []byte(failed)) {
			return false, fmt.Errorf("victoriametrics: %s", failed)
		}
		return bytes.Contains(log, []byte(done)), nil
	})
}

// partitions returns the monthly partitions the dataset covers.
func partitions(d *dataset) []string {
	first := time.UnixMilli(d.start()).UTC().Format("2006_01")
	last := time.UnixMilli(d.end()).UTC().Format("2006_01")
	if first == last {
		return []string{first}
	}
	return []string{first, last}
}

// measureVM imports the dataset into a fresh victoria-metrics and measures
// its storage after a forced merge.
func measureVM(ctx context.Context, bin, dir string, d *dataset) (r vmResult, err error) {
	vm, err := startVM(ctx, bin, dir)
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, vm.stop()) }()
	if err := vm.importData(d); err != nil {
		return r, err
	}
	if err := vm.settle(ctx, d); err != nil {
		return r, err
	}
	r.Samples = d.samples()
	r.Bytes, err = dirSize(vm.dir)
	return r, err
}

// vmBinary returns the victoria-metrics binary, or skips tb without one.
func vmBinary(tb testing.TB) string {
	bin := os.Getenv(vmEnv)
	if bin == "" {
		tb.Skipf("%s is not set: install victoria-metrics (go install github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@v1.150.0) and set it to the binary", vmEnv)
	}
	return bin
}

// BenchmarkVictoriaMetricsBytesPerSample is comparison (e): the data of
// comparison (a) in VictoriaMetrics. It measures once, whatever b.N.
func BenchmarkVictoriaMetricsBytesPerSample(b *testing.B) {
	bin := vmBinary(b)
	s := currentSizes()
	d, err := fleetData(s.DiskSeries, s.DiskSpan)
	if err != nil {
		b.Fatal(err)
	}
	r, err := measureVM(context.Background(), bin, b.TempDir(), d)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(r.perSample(), "vm_bytes/sample")
}
