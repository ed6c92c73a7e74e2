package sevbridge

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func testSEV(id string, state State) *SEV {
	return &SEV{
		ID: id, Type: TypeAvailability, Level: 2, State: state, Title: "t " + id,
		Routes: []string{"/login"}, Impact: []Impact{}, Roles: Roles{IMOC: "ana", TLOC: "dan", BMOC: "cat"},
		Links:           Links{PagerDuty: map[string]string{RoleIMOC: id + "-imoc"}},
		ImpactStartedAt: t0, DetectedAt: t0.Add(20 * time.Second), FiledAt: t0.Add(20 * time.Second),
		Timeline: []Entry{{Time: t0, Kind: KindImpactStarted, Actor: "vigil", Detail: "x"}},
	}
}

func openTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sev", "sevs.db")
	s, err := OpenStore(path)
	require.NoError(t, err)
	return s, path
}

func TestStorePutGetList(t *testing.T) {
	s, _ := openTestStore(t)
	defer func() { require.NoError(t, s.Close()) }()
	n, err := s.NextNumber()
	require.NoError(t, err)
	require.Equal(t, 1, n)
	for _, id := range []string{"SEV-1", "SEV-2", "SEV-10"} {
		require.NoError(t, s.Put(testSEV(id, StateOpen)))
	}
	got, err := s.Get("SEV-2")
	require.NoError(t, err)
	require.Equal(t, testSEV("SEV-2", StateOpen), got)
	list, err := s.List()
	require.NoError(t, err)
	require.Equal(t, []string{"SEV-10", "SEV-2", "SEV-1"}, ids(list))
	n, err = s.NextNumber()
	require.NoError(t, err)
	require.Equal(t, 11, n)
}

func TestStoreGetUnknown(t *testing.T) {
	s, _ := openTestStore(t)
	defer func() { require.NoError(t, s.Close()) }()
	for _, id := range []string{"SEV-3", "nope", "SEV-0"} {
		_, err := s.Get(id)
		require.True(t, errors.Is(err, ErrSEVNotFound), id)
	}
	require.Error(t, s.Put(testSEV("bad", StateOpen)))
}

func TestStoreRestartLosesNothing(t *testing.T) {
	s, path := openTestStore(t)
	sev := testSEV("SEV-1", StateOpen)
	require.NoError(t, s.Put(sev))
	sev.Timeline = append(sev.Timeline, Entry{Time: t0.Add(time.Minute), Kind: KindAcknowledged, Actor: "ana"})
	require.NoError(t, s.Put(sev))
	require.NoError(t, s.Put(testSEV("SEV-2", StateResolved)))
	require.NoError(t, s.RecordMinute(t0, true, []string{"SEV-1"}))
	require.NoError(t, s.Close())

	s, err := OpenStore(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	got, err := s.Get("SEV-1")
	require.NoError(t, err)
	require.Equal(t, sev, got)
	active, err := s.Active()
	require.NoError(t, err)
	require.Equal(t, []string{"SEV-1"}, ids(active))
	n, err := s.NextNumber()
	require.NoError(t, err)
	require.Equal(t, 3, n)
	r, err := s.Ledger(t0, SLAPolicy{Target: 0.999, InternalTarget: 0.9995})
	require.NoError(t, err)
	require.Equal(t, 1, r.DownMinutes)
}

func TestStoreSecondOpenFails(t *testing.T) {
	s, path := openTestStore(t)
	defer func() { require.NoError(t, s.Close()) }()
	_, err := OpenStore(path)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "locked by another process"), err.Error())
}

func ids(sevs []*SEV) []string {
	out := []string{}
	for _, s := range sevs {
		out = append(out, s.ID)
	}
	return out
}
