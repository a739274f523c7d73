package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/amanat-ledger/amanat/chain"
	"github.com/amanat-ledger/amanat/ledger"
)

// Remote is one witness a store sends its checkpoints to.
type Remote struct {
	URL string // base URL; requests go to URL + Path
	Key string // its cosignature/v1 public key
}

// ParseRemote reads "URL=KEY" (the URL holds no "=").
func ParseRemote(s string) (Remote, error) {
	u, k, ok := strings.Cut(s, "=")
	if !ok || u == "" || k == "" {
		return Remote{}, fmt.Errorf("witness %q is not URL=PUBLIC-KEY", s)
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return Remote{}, fmt.Errorf("witness URL %q is not http:// or https://", u)
	}
	if _, err := Verifier(k); err != nil {
		return Remote{}, err
	}
	return Remote{URL: strings.TrimSuffix(u, "/"), Key: k}, nil
}

// Options tune a Client. Zero fields take the defaults below.
type Options struct {
	// Stale is how long a witness may go without cosigning before it is
	// reported (rule witness-stale). The client sends the checkpoint again,
	// changed or not, when the newest cosignature is half this old.
	Stale time.Duration
	// Poll is how often each witness's sender looks for a newer checkpoint.
	Poll time.Duration
	// Timeout bounds one request to a witness.
	Timeout time.Duration
	// MaxBackoff bounds the wait between failed attempts.
	MaxBackoff time.Duration
	HTTP       *http.Client
	Logger     *slog.Logger
}

// MaxClockSkew is how far ahead of the store's clock a cosignature's time
// may be.
const MaxClockSkew = 5 * time.Minute

// Defaults of Options.
const (
	DefaultStale      = time.Hour
	DefaultPoll       = 200 * time.Millisecond
	DefaultTimeout    = 10 * time.Second
	DefaultMaxBackoff = 30 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Stale <= 0 {
		o.Stale = DefaultStale
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Client sends a store's checkpoints to its witnesses and keeps what they
// cosign. Each witness has one sender goroutine: one request in flight,
// and each attempt takes the newest checkpoint, so a burst of commits costs
// one request. Nothing here runs inside a write.
type Client struct {
	store   *ledger.Store
	custody *chain.Custody
	opt     Options
	remotes []*remote
	started time.Time

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every new cosignature
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type remote struct {
	Remote
	v note.Verifier

	mu   sync.Mutex
	st   Status
	sent bool // a checkpoint was sent since the client started
}

// Status is what the client knows of one witness.
type Status struct {
	URL       string    `json:"url"`
	PublicKey string    `json:"public_key"`
	Size      uint64    `json:"size"`                // the size it last cosigned
	Cosigned  time.Time `json:"cosigned,omitzero"`   // when it signed its newest cosignature
	Refused   string    `json:"refused,omitempty"`   // why it refused the last checkpoint sent
	RefusedAt time.Time `json:"refused_at,omitzero"` // when
	Error     string    `json:"error,omitempty"`     // the last failure to reach it
	Rules     []string  `json:"rules,omitempty"`     // the alerts it raises now
}

// NewClient makes a client for the witnesses of one store. Start runs it.
func NewClient(store *ledger.Store, custody *chain.Custody, remotes []Remote, opt Options) (*Client, error) {
	c := &Client{store: store, custody: custody, opt: opt.withDefaults(), changed: make(chan struct{}), started: time.Now()}
	seen := map[string]bool{}
	for _, r := range remotes {
		v, err := Verifier(r.Key)
		if err != nil {
			return nil, err
		}
		if seen[r.Key] {
			return nil, fmt.Errorf("witness key %s is given twice", r.Key)
		}
		seen[r.Key] = true
		c.remotes = append(c.remotes, &remote{Remote: r, v: v, st: Status{URL: r.URL, PublicKey: r.Key}})
	}
	if err := store.View(func(tx *ledger.Tx) error {
		for _, r := range c.remotes {
			if rec, ok, err := newestOf(tx, r.Key); err != nil {
				return err
			} else if ok {
				r.st.Size, r.st.Cosigned = rec.Size, time.Unix(rec.Time, 0).UTC()
			}
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("witness cosignatures: %w", err)
	}
	return c, nil
}

// Start runs one sender per witness until Stop.
func (c *Client) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	for _, r := range c.remotes {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.run(ctx, r)
		}()
	}
}

// Stop ends the senders and waits for them; a request in flight is cut.
func (c *Client) Stop() {
	if c.cancel != nil {
		c.cancel()
		c.wg.Wait()
	}
}

// Stale is the limit of the witness-stale rule.
func (c *Client) Stale() time.Duration { return c.opt.Stale }

func (c *Client) run(ctx context.Context, r *remote) {
	var backoff time.Duration
	for {
		wait := c.opt.Poll
		if err := c.submit(ctx, r); err != nil {
			backoff = min(max(2*backoff, 500*time.Millisecond), c.opt.MaxBackoff)
			wait = backoff
		} else {
			backoff = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// submit sends the newest checkpoint to r when it is newer than what r
// cosigned, or when r's newest cosignature is half stale.
func (c *Client) submit(ctx context.Context, r *remote) error {
	var cp chain.Checkpoint
	err := c.store.View(func(tx *ledger.Tx) error {
		var err error
		cp, err = c.custody.StoredCheckpoint(tx)
		return err
	})
	if ledger.ErrorCode(err) == ledger.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	size, last, refused, sent := r.st.Size, r.st.Cosigned, r.st.Refused != "", r.sent
	r.sent = true
	r.mu.Unlock()
	// Once after a start, whatever the store says it last had cosigned: a
	// store put back to an older copy says what that copy had.
	if sent && cp.Size == size && !refused && time.Since(last) < c.opt.Stale/2 {
		return nil
	}
	// At most two tries: the second after a 409 named the witness's size.
	for range 2 {
		again, err := c.send(ctx, r, cp, size)
		if err == nil || again == 0 {
			return err
		}
		size = again
	}
	return nil
}

// send makes one request from size old; on a 409 that allows a retry it
// answers the witness's size.
func (c *Client) send(ctx context.Context, r *remote, cp chain.Checkpoint, old uint64) (uint64, error) {
	if old > cp.Size {
		return 0, r.refuse(c.opt.Logger, fmt.Sprintf("the witness cosigned size %d of this log, which now holds %d: the store was rolled back", old, cp.Size))
	}
	req := Request{Old: old, Checkpoint: cp.Note}
	if old > 0 && old < cp.Size {
		if err := c.store.View(func(tx *ledger.Tx) error {
			p, err := c.custody.ProveConsistency(tx, old, cp.Size)
			req.Proof = p.Hashes
			return err
		}); err != nil {
			return 0, r.unreachable(fmt.Errorf("consistency proof %d to %d: %w", old, cp.Size, err))
		}
	}
	status, body, err := c.post(ctx, r.URL+Path, req.Format())
	if err != nil {
		return 0, r.unreachable(err)
	}
	switch status {
	case http.StatusOK:
		lines, at, err := CosignatureLines(cp.Note, body, r.v)
		if err != nil {
			return 0, r.unreachable(fmt.Errorf("witness %s answered: %w", r.URL, err))
		}
		// A time far ahead would keep the witness from ever going stale.
		if ahead := time.Until(time.Unix(at, 0)); ahead > MaxClockSkew {
			return 0, r.unreachable(fmt.Errorf("witness %s signed at %s, %s ahead of this clock", r.URL, time.Unix(at, 0).UTC().Format(time.RFC3339), ahead.Round(time.Second)))
		}
		if err := c.keep(cp, r, lines, at); err != nil {
			return 0, r.unreachable(err)
		}
		r.cosigned(cp.Size, time.Unix(at, 0).UTC())
		c.broadcast()
		return 0, nil
	case http.StatusConflict:
		held, err := ParseSizeBody(body)
		if err != nil {
			return 0, r.unreachable(fmt.Errorf("witness %s: 409: %w", r.URL, err))
		}
		if held > cp.Size {
			return 0, r.refuse(c.opt.Logger, fmt.Sprintf("the witness cosigned size %d of this log, which now holds %d: the store was rolled back", held, cp.Size))
		}
		if held == old {
			return 0, r.unreachable(fmt.Errorf("witness %s: 409 naming the size sent, %d", r.URL, old))
		}
		return held, errors.New("retry")
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity:
		return 0, r.refuse(c.opt.Logger, fmt.Sprintf("%d: %s", status, strings.TrimSpace(string(body))))
	default:
		return 0, r.unreachable(fmt.Errorf("witness %s: status %d", r.URL, status))
	}
}

func (c *Client) post(ctx context.Context, url string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "text/plain")
	res, err := c.opt.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxRequest))
	if err != nil {
		return 0, nil, err
	}
	return res.StatusCode, b, nil
}

func (c *Client) broadcast() {
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// changes is closed at the next new cosignature.
func (c *Client) changes() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

func (r *remote) cosigned(size uint64, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st.Size, r.st.Cosigned, r.st.Refused, r.st.RefusedAt, r.st.Error = size, at, "", time.Time{}, ""
}

func (r *remote) refuse(log *slog.Logger, why string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.st.Refused == "" {
		r.st.RefusedAt = time.Now().UTC()
	}
	if r.st.Refused != why {
		log.Error("witness refused the custody checkpoint", "witness", r.URL, "reason", why)
	}
	r.st.Refused, r.st.Error = why, ""
	return errors.New(why)
}

func (r *remote) unreachable(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st.Error = err.Error()
	return err
}

// Statuses is what the client knows of each witness now, with the rules
// each raises as of now.
func (c *Client) Statuses(now time.Time) []Status {
	out := make([]Status, 0, len(c.remotes))
	for _, r := range c.remotes {
		r.mu.Lock()
		st := r.st
		r.mu.Unlock()
		st.Rules = nil
		if st.Refused != "" {
			st.Rules = append(st.Rules, RuleRefused)
		}
		if c.staleSince(st).Before(now) {
			st.Rules = append(st.Rules, RuleStale)
		}
		out = append(out, st)
	}
	return out
}

// staleSince is when a witness's status turns stale: Stale after its newest
// cosignature, or after the client started when it has none.
func (c *Client) staleSince(st Status) time.Time {
	if st.Cosigned.IsZero() {
		return c.started.Add(c.opt.Stale)
	}
	return st.Cosigned.Add(c.opt.Stale)
}
