package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsre/vigil/alerting"
)

// Options configure a Notifier.
type Options struct {
	// Config holds the receivers and routes; see Config.Validate.
	Config Config
	// StateFile is the notification log, e.g. <data_dir>/notify/log.json;
	// its directory is created. "" keeps the log in memory, so a restart
	// forgets what was delivered.
	StateFile string
	// Logger receives delivery failures and log problems. Default:
	// slog.Default().
	Logger *slog.Logger
	// Registerer receives the vigil_notif* metrics. Default (nil): none are
	// registered.
	Registerer prometheus.Registerer
	// Now is the clock of delivery decisions (repeat_interval) and of the
	// log. Backoff waits and GiveUpAfter use timers. Default: time.Now.
	Now func() time.Time
}

// withDefaults returns o with every unset field given its default.
func (o Options) withDefaults() Options {
	o.Config = o.Config.withDefaults()
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Notifier delivers alert notifications to receivers. It implements
// alerting.Notifier: Notify queues and returns; Run delivers.
//
// Notify hands each batch to the dispatcher's inbox. The dispatcher routes
// every alert to a receiver and offers it there; each receiver has a
// bounded queue and a send loop of its own. What to send — trigger, repeat,
// update (the causes of a paged alert changed), resolve or nothing — is
// decided per receiver and dedup key from the delivery log, which records
// only successful deliveries and is persisted so that a restart neither
// repeats nor forgets a page. A suppressed alert never pages.
//
// Notify is safe for concurrent use; Run is called once.
type Notifier struct {
	opts      Options
	router    *router
	receivers map[string]*receiver
	log       *deliveryLog
	metrics   *metrics
	inboxDrop prometheus.Counter // notifications dropped from the inbox
	transport *http.Transport

	inbox chan []alerting.Notification
	busy  atomic.Int64 // batches in the inbox or being dispatched
}

var _ alerting.Notifier = (*Notifier)(nil)

// New validates opts.Config, loads the notification log from StateFile and
// returns a Notifier that delivers once Run is called. Notifications handed
// to Notify before that wait in the inbox.
func New(opts Options) (*Notifier, error) {
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	rt, err := newRouter(opts.Config)
	if err != nil {
		return nil, err
	}
	if err := makeStateDir(opts.StateFile); err != nil {
		return nil, err
	}
	n := &Notifier{
		opts:      opts,
		router:    rt,
		log:       loadLog(opts.StateFile, opts.Logger),
		metrics:   newMetrics(opts.Registerer),
		transport: http.DefaultTransport.(*http.Transport).Clone(),
		inbox:     make(chan []alerting.Notification, opts.Config.QueueSize),
	}
	n.inboxDrop = n.metrics.dropped.WithLabelValues("")
	n.receivers = n.newReceivers()
	return n, nil
}

// makeStateDir creates the directory of the state file.
func makeStateDir(file string) error {
	if file == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("notify: create state directory: %w", err)
	}
	return nil
}

// newReceivers builds a receiver per configured receiver.
func (n *Notifier) newReceivers() map[string]*receiver {
	client := &http.Client{Transport: n.transport, Timeout: attemptTimeout}
	rs := make(map[string]*receiver)
	for _, cr := range n.opts.Config.receivers() {
		rs[cr.Name] = &receiver{
			name:     cr.Name,
			sender:   newSender(cr, client),
			retry:    newRetrier(n.opts.Config.GiveUpAfter),
			log:      n.log,
			repeat:   n.opts.Config.RepeatInterval,
			now:      n.opts.Now,
			logger:   n.opts.Logger,
			metrics:  n.metrics.forReceiver(cr.Name),
			wake:     make(chan struct{}, 1),
			queue:    newKeyQueue(n.opts.Config.QueueSize),
			rejected: make(map[string]time.Time),
		}
	}
	return rs
}

// newSender returns the sender of a valid receiver.
func newSender(cr Receiver, client *http.Client) sender {
	switch {
	case cr.PagerDuty != nil:
		return newPagerDutySender(*cr.PagerDuty, client)
	case cr.Webhook != nil:
		return &webhookSender{url: cr.Webhook.URL, client: client}
	}
	return &slackSender{cfg: *cr.Slack, client: client}
}

// Notify queues ns for delivery and returns at once. When the inbox is full
// (the dispatcher is not keeping up, or Run has not started) the oldest
// batch is dropped and its notifications counted. ns must not be changed
// after Notify returns.
func (n *Notifier) Notify(ns []alerting.Notification) {
	if len(ns) == 0 {
		return
	}
	n.busy.Add(1)
	for {
		select {
		case n.inbox <- ns:
			return
		default:
		}
		select {
		case old := <-n.inbox:
			n.busy.Add(-1)
			n.inboxDrop.Add(float64(len(old)))
			n.opts.Logger.Warn("notification inbox full; dropped the oldest batch", "notifications", len(old))
		default:
		}
	}
}

// Run delivers notifications until ctx is done: the dispatcher and one send
// loop per receiver. Then it abandons retries in progress, saves the
// notification log and returns once every goroutine it started stopped.
func (n *Notifier) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, r := range n.receivers {
		wg.Go(func() { r.run(ctx) })
	}
	wg.Go(func() { n.dispatch(ctx) })
	wg.Wait()
	n.transport.CloseIdleConnections()
	if err := n.log.save(); err != nil {
		n.opts.Logger.Error("notification log not saved at shutdown", "err", err)
	}
}

// dispatch routes the batches of the inbox until ctx is done.
func (n *Notifier) dispatch(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ns := <-n.inbox:
			n.route(ns)
			n.busy.Add(-1)
		}
	}
}

// route offers every notification of ns to its receiver. Alerts for which
// no receiver is configured are dropped.
func (n *Notifier) route(ns []alerting.Notification) {
	now := n.opts.Now()
	for _, a := range ns {
		r := n.receivers[n.router.receiver(a.Labels)]
		if r == nil {
			continue
		}
		r.offer(alerting.DedupKey(a.Labels), a, now)
	}
}
