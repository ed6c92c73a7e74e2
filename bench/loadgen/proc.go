package loadgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat: clock ticks of
// 1/100 s on every Linux that Go runs on (sysconf(_SC_CLK_TCK)).
const userHZ = 100

// ProcSample is what /proc says of a process at one moment.
type ProcSample struct {
	// CPU is the process' user and system CPU time so far.
	CPU time.Duration
	// RSS is its resident memory now (VmRSS), in bytes.
	RSS int64
	// PeakRSS is the most resident memory it has had (VmHWM), in bytes.
	PeakRSS int64
}

// ReadProc reads /proc/PID/stat and /proc/PID/status under procDir (such
// as "/proc").
func ReadProc(procDir string, pid int) (ProcSample, error) {
	dir := filepath.Join(procDir, strconv.Itoa(pid))
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return ProcSample{}, fmt.Errorf("read the server's CPU time: %w", err)
	}
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return ProcSample{}, fmt.Errorf("read the server's memory: %w", err)
	}
	var s ProcSample
	if s.CPU, err = ParseStat(stat); err != nil {
		return ProcSample{}, fmt.Errorf("%s: %w", filepath.Join(dir, "stat"), err)
	}
	if s.RSS, s.PeakRSS, err = ParseStatus(status); err != nil {
		return ProcSample{}, fmt.Errorf("%s: %w", filepath.Join(dir, "status"), err)
	}
	return s, nil
}

// ParseStat returns utime + stime of a /proc/PID/stat line. The command
// name, field 2, is in parentheses and may hold spaces and parentheses, so
// the fields are counted from the last ')': utime and stime are fields 14
// and 15.
func ParseStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name in parentheses in %q", truncate(b))
	}
	f := bytes.Fields(b[i+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields after the command name; want at least 13", len(f))
	}
	utime, err1 := strconv.ParseUint(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseUint(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("utime %q and stime %q: want clock ticks", f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// ParseStatus returns VmRSS and VmHWM of a /proc/PID/status file, in bytes.
func ParseStatus(b []byte) (rss, hwm int64, err error) {
	rss, hwm = -1, -1
	for line := range bytes.Lines(b) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch string(name) {
		case "VmRSS":
			rss, err = parseKB(value)
		case "VmHWM":
			hwm, err = parseKB(value)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
	}
	if rss < 0 || hwm < 0 {
		return 0, 0, fmt.Errorf("no VmRSS or VmHWM line (a kernel thread, or a process that has exited?)")
	}
	return rss, hwm, nil
}

// parseKB parses a status value such as "\t  123456 kB\n" into bytes.
func parseKB(v []byte) (int64, error) {
	f := bytes.Fields(v)
	if len(f) != 2 || string(f[1]) != "kB" {
		return 0, fmt.Errorf("value %q: want NUMBER kB", bytes.TrimSpace(v))
	}
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("value %q: want NUMBER kB", bytes.TrimSpace(v))
	}
	return n << 10, nil
}

// truncate shortens b for an error message.
func truncate(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
