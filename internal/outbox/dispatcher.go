package outbox

import (
	"context"
	"sync"
	"time"
)

// The after-commit dispatch of a process is batched: writes hand their
// committed outbox ids to Enqueue and return at once; one dispatcher
// goroutine per Outbox takes every id queued meanwhile (after a short
// linger, so concurrent writes share a batch) and publishes them as one
// batch: one claim, one broker request per round, one sent-mark UPDATE.
// One batch runs at a time per process, so the rows of a key that one
// process enqueued are never in two concurrent batches; a row blocked
// behind an older pending row of its key (an elder still queued, or one an
// outage left behind) is retried in the next few batches, then left to the
// relay. The ordering and at-least-once guarantees are batch's (package
// doc), unchanged: a row that is never dispatched (crash, shutdown timeout,
// Kafka down) is published by the relay.
const (
	// dispatchLinger is how long the dispatcher waits after the first id of
	// a batch for concurrent writes to join it.
	dispatchLinger = time.Millisecond
	// dispatchMax bounds one batch.
	dispatchMax = 500
	// blockedRetries is how many later batches retry a blocked row before
	// it is left to the relay.
	blockedRetries = 3
)

type dispatcher struct {
	mu      sync.Mutex
	queue   []int64
	tries   map[int64]int // blocked rows and their retries so far
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	started bool
}

// Enqueue hands the committed events of p to the process's dispatcher and
// returns at once: the write does not wait for Kafka. The dispatcher
// publishes them within milliseconds (BENCHMARKS.md, commit-to-broker lag)
// unless Kafka is down, and the relay publishes what it could not. After
// Close, Enqueue leaves the events to the relay.
func (o *Outbox) Enqueue(p Pending) {
	if len(p) == 0 {
		return
	}
	d := &o.disp
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		o.log.Debug("outbox closed: events left to the relay", "events", len(p))
		return
	}
	if !d.started {
		d.started = true
		d.wake = make(chan struct{}, 1)
		d.done = make(chan struct{})
		d.tries = map[int64]int{}
		go o.dispatchLoop()
	}
	d.queue = append(d.queue, p...)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Close stops the dispatcher after it dispatched what is queued, waiting
// at most until ctx ends; what is left stays pending for the relay. The
// publisher must stay open until Close returns.
func (o *Outbox) Close(ctx context.Context) {
	d := &o.disp
	d.mu.Lock()
	d.closed = true
	started := d.started
	d.mu.Unlock()
	if !started {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
	select {
	case <-d.done:
	case <-ctx.Done():
	}
}

func (o *Outbox) dispatchLoop() {
	d := &o.disp
	defer close(d.done)
	for {
		d.mu.Lock()
		empty, closed := len(d.queue) == 0, d.closed
		d.mu.Unlock()
		if empty {
			if closed {
				return
			}
			<-d.wake
			continue
		}
		if !closed {
			time.Sleep(dispatchLinger)
		}
		d.mu.Lock()
		n := min(len(d.queue), dispatchMax)
		ids := append([]int64(nil), d.queue[:n]...)
		d.queue = d.queue[n:]
		d.mu.Unlock()
		o.dispatchBatch(ids)
	}
}

// dispatchBatch publishes ids as one batch and queues its blocked rows
// again, up to blockedRetries times each.
func (o *Outbox) dispatchBatch(ids []int64) {
	d := &o.disp
	if !o.pub.Available() {
		o.log.Debug("outbox dispatch skipped: kafka unavailable", "events", len(ids))
		d.forget(ids)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.opts.DispatchTimeout)
	defer cancel()
	res, blocked, err := o.batchBlocked(ctx, ids, len(ids))
	if err != nil {
		o.log.Warn("outbox dispatch failed; the relay will publish", "events", len(ids), "err", err)
		d.forget(ids)
		return
	}
	if res.Unavailable {
		d.forget(ids)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	isBlocked := make(map[int64]bool, len(blocked))
	for _, id := range blocked {
		isBlocked[id] = true
		if d.tries[id] < blockedRetries {
			d.tries[id]++
			d.queue = append(d.queue, id)
		} else {
			delete(d.tries, id)
		}
	}
	for _, id := range ids {
		if !isBlocked[id] {
			delete(d.tries, id)
		}
	}
}

func (d *dispatcher) forget(ids []int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range ids {
		delete(d.tries, id)
	}
}
