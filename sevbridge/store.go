package sevbridge

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrSEVNotFound is returned by Store.Get (and Bridge.Get) for an unknown id.
var ErrSEVNotFound = errors.New("sev not found")

// lockTimeout is how long OpenStore waits for another process's file lock.
const lockTimeout = time.Second

// Bucket and key names. The on-disk layout:
//
//	sevs:    8-byte big-endian SEV number → SEV as JSON
//	meta:    "next" → 8-byte big-endian next SEV number
//	minutes: 8-byte big-endian Unix minute → ledgerMinute as JSON
var (
	bucketSEVs    = []byte("sevs")
	bucketMeta    = []byte("meta")
	bucketMinutes = []byte("minutes")
	keyNext       = []byte("next")
)

// Store keeps SEVs and the SLA ledger in one bbolt file. bbolt's file lock
// keeps a second process (or a second Store in this one) out. Safe for
// concurrent use.
type Store struct {
	db *bolt.DB
}

// OpenStore opens (creating it and its directory if needed) the store at path.
// It fails with a clear error within a second when another process holds it.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create sev store directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open sev store %s: locked by another process (is another vigil running on this data directory?)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open sev store %s: %w", path, err)
	}
	if err := db.Update(createBuckets); err != nil {
		return nil, errors.Join(fmt.Errorf("init sev store %s: %w", path, err), db.Close())
	}
	return &Store{db: db}, nil
}

func createBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketSEVs, bucketMeta, bucketMinutes} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// Close closes the database file, releasing its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close sev store: %w", err)
	}
	return nil
}

// Put writes sev (with its whole timeline) and advances the next number past
// its id, in one transaction: after Put returns, a restart loses nothing.
func (s *Store) Put(sev *SEV) error {
	n, err := parseSEVNumber(sev.ID)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sev)
	if err != nil {
		return fmt.Errorf("encode %s: %w", sev.ID, err)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSEVs).Put(u64(uint64(n)), data); err != nil {
			return fmt.Errorf("write %s: %w", sev.ID, err)
		}
		return raiseNext(tx, uint64(n)+1)
	})
}

// raiseNext sets the next number to n unless it is already higher.
func raiseNext(tx *bolt.Tx, n uint64) error {
	meta := tx.Bucket(bucketMeta)
	if cur := meta.Get(keyNext); cur != nil && binary.BigEndian.Uint64(cur) >= n {
		return nil
	}
	if err := meta.Put(keyNext, u64(n)); err != nil {
		return fmt.Errorf("write next sev number: %w", err)
	}
	return nil
}

// Get returns the SEV with the given id, or ErrSEVNotFound.
func (s *Store) Get(id string) (*SEV, error) {
	n, err := parseSEVNumber(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSEVNotFound, err)
	}
	var sev *SEV
	err = s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucketSEVs).Get(u64(uint64(n)))
		if data == nil {
			return fmt.Errorf("%w: %s", ErrSEVNotFound, id)
		}
		sev, err = decodeSEV(data)
		return err
	})
	return sev, err
}

// List returns every SEV, newest (highest number) first.
func (s *Store) List() ([]*SEV, error) {
	return s.list(func(*SEV) bool { return true })
}

// Active returns the SEVs that are not resolved, newest first: what
// NewEngine needs after a restart.
func (s *Store) Active() ([]*SEV, error) {
	return s.list((*SEV).Active)
}

func (s *Store) list(keep func(*SEV) bool) ([]*SEV, error) {
	sevs := []*SEV{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSEVs).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			sev, err := decodeSEV(v)
			if err != nil {
				return err
			}
			if keep(sev) {
				sevs = append(sevs, sev)
			}
		}
		return nil
	})
	return sevs, err
}

// NextNumber returns the number the next filed SEV gets: 1 for an empty
// store, otherwise one past the highest number ever stored.
func (s *Store) NextNumber() (int, error) {
	next := 1
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyNext); v != nil {
			next = int(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return next, err
}

func decodeSEV(data []byte) (*SEV, error) {
	var sev SEV
	if err := json.Unmarshal(data, &sev); err != nil {
		return nil, fmt.Errorf("decode stored sev: %w", err)
	}
	return &sev, nil
}

// parseSEVNumber returns n of "SEV-<n>".
func parseSEVNumber(id string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "SEV-"))
	if !strings.HasPrefix(id, "SEV-") || err != nil || n < 1 {
		return 0, fmt.Errorf("sev id %q: want SEV-<n> with n >= 1", id)
	}
	return n, nil
}

func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}
