package sevbridge

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidAction is wrapped by Declare and Act errors caused by the
// request (unknown type, level or action; a resolved SEV), not by the Bridge.
var ErrInvalidAction = errors.New("invalid sev action")

// Declare files a SEV by hand, through the engine so it lands in the
// timeline, persists it and queues its effects; it returns the SEV without
// waiting for them (see Bridge). ctx is not used: the effects run under
// Run's context.
func (b *Bridge) Declare(_ context.Context, actor string, t Type, level Level, title string, routes []string) (*SEV, error) {
	if !t.Valid() || !level.Valid() {
		return nil, fmt.Errorf("%w: declare type %q level %d: want a type of %v and a level 0-3", ErrInvalidAction, t, level, Types)
	}
	return b.human(func(now time.Time) (Change, error) {
		return b.engine.Declare(now, actor, t, level, title, routes), nil
	})
}

// Act applies a human action (ack, diagnose, mitigate, resolve, or
// set-level with level) to the SEV id, persists it and queues its effects;
// it returns the SEV after, without waiting for them (see Bridge). ctx is
// not used: the effects run under Run's context.
func (b *Bridge) Act(_ context.Context, actor, id, action string, level Level) (*SEV, error) {
	return b.human(func(now time.Time) (Change, error) {
		c, err := b.engine.Act(now, actor, id, action, level)
		if err != nil {
			return Change{}, b.actError(id, action, err)
		}
		return c, nil
	})
}

// actError tells an unknown id (ErrSEVNotFound) from a refused action.
func (b *Bridge) actError(id, action string, err error) error {
	if _, gerr := b.store.Get(id); errors.Is(gerr, ErrSEVNotFound) {
		return fmt.Errorf("%s %s: %w", action, id, gerr)
	}
	return fmt.Errorf("%w: %s %s: %w", ErrInvalidAction, action, id, err)
}

// human runs f under the lock, then applies its Change and queues its
// effects.
func (b *Bridge) human(f func(now time.Time) (Change, error)) (*SEV, error) {
	b.mu.Lock()
	now := b.now()
	c, err := f(now)
	if err != nil {
		b.mu.Unlock()
		return nil, err
	}
	b.enqueue(b.apply(now, nil, []Change{c}, false))
	b.mu.Unlock()
	return c.SEV.Clone(), nil
}

// List returns every SEV, newest first.
func (b *Bridge) List() ([]*SEV, error) { return b.store.List() }

// Get returns the SEV id, or an error wrapping ErrSEVNotFound.
func (b *Bridge) Get(id string) (*SEV, error) { return b.store.Get(id) }

// Ledger returns the SLA ledger of the month containing month, under the
// current policy's SLA.
func (b *Bridge) Ledger(month time.Time) (LedgerReport, error) {
	b.mu.Lock()
	sla := b.policy.SLA
	b.mu.Unlock()
	return b.store.Ledger(month, sla)
}
