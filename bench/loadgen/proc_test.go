package loadgen

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReadProc(t *testing.T) {
	s, err := ReadProc("testdata/proc", 4242)
	require.NoError(t, err)
	require.Equal(t, ProcSample{CPU: 18010 * time.Millisecond, RSS: 120840 << 10, PeakRSS: 204800 << 10}, s)

	_, err = ReadProc("testdata/proc", 7)
	require.EqualError(t, err, "testdata/proc/7/status: no VmRSS or VmHWM line (a kernel thread, or a process that has exited?)")
	_, err = ReadProc("testdata/proc", 99)
	require.EqualError(t, err, "read the server's CPU time: open testdata/proc/99/stat: no such file or directory")
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, line string
		want       time.Duration
		wantErr    string
	}{
		{"plain", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 5 0 0", 2 * time.Second, ""},
		{"spaces and parentheses in the name", "9 (a) b (c) R 1 9 9 0 -1 0 0 0 0 0 1 2 0 0", 30 * time.Millisecond, ""},
		{"no name", "9 a R 1", 0, `no command name in parentheses in "9 a R 1"`},
		{"short", "9 (a) R 1 2 3", 0, "4 fields after the command name; want at least 13"},
		{"not a number", "9 (a) R 1 9 9 0 -1 0 0 0 0 0 x 2", 0, `utime "x" and stime "2": want clock ticks`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat([]byte(tt.line))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseStatus(t *testing.T) {
	_, _, err := ParseStatus([]byte("VmHWM:\t12 MB\nVmRSS:\t1 kB\n"))
	require.EqualError(t, err, `VmHWM: value "12 MB": want NUMBER kB`)
	rss, hwm, err := ParseStatus([]byte("VmRSS: 1 kB\nVmHWM: 2 kB"))
	require.NoError(t, err)
	require.Equal(t, [2]int64{1024, 2048}, [2]int64{rss, hwm})
}

// TestReadProcSelf reads the test process itself.
func TestReadProcSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	s, err := ReadProc("/proc", os.Getpid())
	require.NoError(t, err)
	require.Positive(t, s.RSS)
	require.GreaterOrEqual(t, s.PeakRSS, s.RSS)

}
