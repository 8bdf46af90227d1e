// Package agent is the on-machine side of iamd's instance profiles: it proves the machine's
// enrolment to iamd with the instance credential, keeps the role credentials of the instance's
// profile fresh, and serves them, unmodified, through the protocols AWS SDKs already speak: the
// EC2 instance metadata service (IMDSv2, IMDSv1 only when enabled) and the container credentials
// endpoint. It talks to iamd over HTTP(S) only and imports nothing of the server but the answer's
// wire type (instancecred).
package agent

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/instancecred"
)

// Defaults of Config.
const (
	// DefaultRefreshBefore: credentials are refreshed when less than this is left, so served
	// credentials keep at least MinServedLifetime while iamd is briefly unreachable.
	DefaultRefreshBefore = time.Hour
	// MinServedLifetime is what served credentials have left whenever iamd answered within
	// DefaultRefreshBefore-MinServedLifetime of their refresh time.
	MinServedLifetime = 15 * time.Minute
	fetchTimeout      = 10 * time.Second
	maxRetryDelay     = 30 * time.Second
	maxResponse       = 64 << 10
)

// Config is what an Agent needs.
type Config struct {
	// Endpoint is iamd's base URL (http://127.0.0.1:8777).
	Endpoint string
	// Credential is the instance credential EnrollInstance returned.
	Credential string
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	// RefreshBefore: refresh when less than this is left; 0 means DefaultRefreshBefore.
	RefreshBefore time.Duration
	// IMDSv1 serves metadata GETs without a session token (off by default, as AWS recommends).
	IMDSv1 bool
	// ContainerToken is the value AWS_CONTAINER_AUTHORIZATION_TOKEN must carry; "" disables the
	// container credentials endpoint.
	ContainerToken string
}

// Credentials is what iamd returns for an instance: the role credentials and the instance's
// metadata.
type Credentials = instancecred.Credentials

// Agent fetches, caches and serves one instance's role credentials. It is safe for concurrent use.
type Agent struct {
	cfg      Config
	tokenKey []byte // signs IMDSv2 session tokens; new at every start, as tokens die with the agent

	mu      sync.RWMutex
	creds   *Credentials // nil until the first fetch, and after iamd refuses the instance
	meta    *Credentials // the last answer's instance metadata, kept after a refusal
	lastErr error
}

// New returns an agent; call Refresh or Run to fetch credentials.
func New(cfg Config) (*Agent, error) {
	if cfg.Endpoint == "" || cfg.Credential == "" {
		return nil, errors.New("agent: the iamd endpoint and the instance credential are required")
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: fetchTimeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RefreshBefore == 0 {
		cfg.RefreshBefore = DefaultRefreshBefore
	}
	key := make([]byte, 32)
	rand.Read(key)
	return &Agent{cfg: cfg, tokenKey: key}, nil
}

// RefusedError is iamd's definitive refusal of the instance (revoked, unknown, the profile has no
// role, the trust policy does not allow EC2): the agent stops serving credentials at once.
type RefusedError struct {
	Status        int
	Code, Message string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("iamd refused the instance: %d %s: %s", e.Status, e.Code, e.Message)
}

// Refresh fetches fresh credentials from iamd. On a refusal the cached credentials are dropped;
// when iamd cannot be reached, or fails, they are kept and served while still valid.
func (a *Agent) Refresh(ctx context.Context) error {
	c, err := a.fetch(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lastErr = err
	var refused *RefusedError
	switch {
	case err == nil:
		a.creds, a.meta = c, c
		a.cfg.Logger.Info("credentials refreshed", "credentials", c)
	case errors.As(err, &refused):
		if a.creds != nil {
			a.cfg.Logger.Warn("iamd refused the instance; no longer serving credentials", "err", err)
		}
		a.creds = nil
	default:
		a.cfg.Logger.Warn("credential refresh failed; serving cached credentials while valid", "err", err)
	}
	return err
}

func (a *Agent) fetch(ctx context.Context) (*Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.Endpoint+"/iamd/v1/instance-credentials", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.Credential)
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(body, &e)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && e.Error.Code != "" {
			return nil, &RefusedError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
		}
		return nil, fmt.Errorf("iamd answered %s", resp.Status)
	}
	var c Credentials
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("iamd's answer: %w", err)
	}
	if c.AccessKeyId == "" || c.SecretAccessKey == "" || c.Token == "" || c.RoleName == "" || c.Expiration.IsZero() {
		return nil, errors.New("iamd's answer lacks credentials")
	}
	return &c, nil
}

// Current returns the credentials to serve: nil when there are none or they have expired.
func (a *Agent) Current() *Credentials {
	a.mu.RLock()
	c := a.creds
	a.mu.RUnlock()
	if c == nil || !a.cfg.Now().Before(c.Expiration) {
		return nil
	}
	return c
}

// instance returns the last known instance metadata, nil before the first successful fetch.
func (a *Agent) instance() *Credentials {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.meta
}

// nextRefresh is when to refresh after an attempt: RefreshBefore ahead of expiry (or half way
// for short-lived credentials) after a success; soon, backing off, after a failure.
func (a *Agent) nextRefresh(err error, failures int) time.Duration {
	now := a.cfg.Now()
	if err == nil {
		c := a.Current()
		if c == nil {
			return time.Second
		}
		life := c.Expiration.Sub(now)
		wait := life - a.cfg.RefreshBefore
		if wait < life/2 {
			wait = life / 2
		}
		return wait
	}
	d := time.Second << min(failures, 5)
	return min(d, maxRetryDelay)
}

// Run refreshes until ctx ends. A failed first fetch is retried; Run returns only ctx's error.
func (a *Agent) Run(ctx context.Context) error {
	failures := 0
	for {
		err := a.Refresh(ctx)
		if err != nil {
			failures++
		} else {
			failures = 0
		}
		t := time.NewTimer(a.nextRefresh(err, failures))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// tokenMAC is the MAC of an IMDSv2 token's expiry.
func (a *Agent) tokenMAC(expiry []byte) []byte {
	m := hmac.New(sha256.New, a.tokenKey)
	m.Write(expiry)
	return m.Sum(nil)[:18]
}
