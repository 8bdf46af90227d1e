package agent

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// IMDS wire facts, as EC2's instance metadata service has them.
const (
	tokenPath      = "/latest/api/token"
	ttlHeader      = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	tokenHeader    = "X-Aws-Ec2-Metadata-Token"
	maxTokenTTL    = 21600
	credsPrefix    = "/latest/meta-data/iam/security-credentials/"
	imdsTimeLayout = "2006-01-02T15:04:05Z"
	// ContainerPath is where the container credentials endpoint answers
	// (AWS_CONTAINER_CREDENTIALS_FULL_URI=http://ADDR/container/credentials).
	ContainerPath = "/container/credentials"
	tokenLen      = 8 + 18 // expiry + MAC
)

// ServeHTTP serves the instance metadata service and the container credentials endpoint.
func (a *Agent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "iamd-agent")
	switch {
	case r.URL.Path == tokenPath:
		a.serveToken(w, r)
	case r.URL.Path == ContainerPath:
		a.serveContainer(w, r)
	case strings.HasPrefix(r.URL.Path, "/latest/"):
		a.serveMetadata(w, r)
	default:
		http.NotFound(w, r)
	}
}

// parseTTL reads the token TTL header: decimal seconds, 1 to 21,600. AWS answers 400 to a
// missing or invalid TTL.
func parseTTL(v string) (int, bool) {
	if len(v) == 0 || len(v) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n, n >= 1 && n <= maxTokenTTL
}

// serveToken issues an IMDSv2 session token: the expiry and its MAC under a key that lives as
// long as the agent, so tokens need no table and die with the process.
func (a *Agent) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", http.MethodPut)
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	// AWS refuses token requests that went through a proxy: a token must not leave the host.
	if r.Header.Get("X-Forwarded-For") != "" {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	ttl, ok := parseTTL(r.Header.Get(ttlHeader))
	if !ok {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	var b [tokenLen]byte
	binary.BigEndian.PutUint64(b[:8], uint64(a.cfg.Now().Add(time.Duration(ttl)*time.Second).Unix()))
	copy(b[8:], a.tokenMAC(b[:8]))
	w.Header().Set(ttlHeader, strconv.Itoa(ttl))
	w.Header().Set("Content-Type", "text/plain")
	w.Write([]byte(base64.RawURLEncoding.EncodeToString(b[:])))
}

// validToken reports whether tok is a token this agent issued and that has not expired.
func (a *Agent) validToken(tok string) bool {
	if len(tok) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return false
	}
	var b [tokenLen]byte
	if n, err := base64.RawURLEncoding.Decode(b[:], []byte(tok)); err != nil || n != tokenLen {
		return false
	}
	if !hmac.Equal(b[8:], a.tokenMAC(b[:8])) {
		return false
	}
	exp := int64(binary.BigEndian.Uint64(b[:8]))
	return exp > 0 && a.cfg.Now().Unix() < exp
}

func (a *Agent) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	tok := r.Header.Get(tokenHeader)
	if tok == "" && !a.cfg.IMDSv1 || tok != "" && !a.validToken(tok) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	inst := a.instance()
	if inst == nil {
		http.NotFound(w, r)
		return
	}
	creds := a.Current()
	text := func(s string) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(s))
	}
	js := func(v any) {
		b, _ := json.MarshalIndent(v, "", "  ")
		w.Header().Set("Content-Type", "text/plain")
		w.Write(b)
	}
	switch p := r.URL.Path; p {
	case "/latest", "/latest/":
		text("dynamic\nmeta-data")
	case "/latest/meta-data", "/latest/meta-data/":
		text("iam/\ninstance-id\nplacement/")
	case "/latest/meta-data/instance-id":
		text(inst.InstanceId)
	case "/latest/meta-data/placement", "/latest/meta-data/placement/":
		text("availability-zone\nregion")
	case "/latest/meta-data/placement/region":
		text(inst.Region)
	case "/latest/meta-data/placement/availability-zone":
		text(inst.AvailabilityZone)
	case "/latest/meta-data/iam", "/latest/meta-data/iam/":
		if creds == nil {
			http.NotFound(w, r)
			return
		}
		text("info\nsecurity-credentials/")
	case "/latest/meta-data/iam/info":
		if creds == nil {
			http.NotFound(w, r)
			return
		}
		js(struct{ Code, LastUpdated, InstanceProfileArn, InstanceProfileId string }{
			"Success", creds.LastUpdated.UTC().Format(imdsTimeLayout), creds.InstanceProfileArn, creds.InstanceProfileId})
	case "/latest/meta-data/iam/security-credentials", credsPrefix:
		if creds == nil {
			http.NotFound(w, r)
			return
		}
		text(creds.RoleName)
	case "/latest/dynamic", "/latest/dynamic/":
		text("instance-identity/")
	case "/latest/dynamic/instance-identity", "/latest/dynamic/instance-identity/":
		text("document")
	case "/latest/dynamic/instance-identity/document":
		js(identityDocument(inst))
	default:
		role, ok := strings.CutPrefix(p, credsPrefix)
		if !ok || creds == nil || role != creds.RoleName {
			http.NotFound(w, r)
			return
		}
		js(struct{ Code, LastUpdated, Type, AccessKeyId, SecretAccessKey, Token, Expiration string }{
			"Success", creds.LastUpdated.UTC().Format(imdsTimeLayout), "AWS-HMAC",
			creds.AccessKeyId, creds.SecretAccessKey, creds.Token, creds.Expiration.UTC().Format(imdsTimeLayout)})
	}
}

// identityDocument is the instance identity document, with the fields iamd knows (the rest of
// EC2's, image and instance type, have no meaning off EC2 and are left out).
func identityDocument(c *Credentials) any {
	return struct {
		AccountID        string `json:"accountId"`
		Architecture     string `json:"architecture"`
		AvailabilityZone string `json:"availabilityZone"`
		InstanceID       string `json:"instanceId"`
		PendingTime      string `json:"pendingTime"`
		Region           string `json:"region"`
		Version          string `json:"version"`
	}{c.AccountId, "x86_64", c.AvailabilityZone, c.InstanceId, c.EnrolledAt.UTC().Format(imdsTimeLayout), c.Region, "2017-09-30"}
}

// serveContainer is the container credentials endpoint: the Authorization header must carry the
// configured token; the answer is the JSON the SDKs' container provider reads.
func (a *Agent) serveContainer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, code, msg string) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
	}
	if a.cfg.ContainerToken == "" {
		fail(http.StatusNotFound, "NotFound", "The container credentials endpoint is not enabled.")
		return
	}
	if r.Method != http.MethodGet {
		fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "Use GET.")
		return
	}
	got := r.Header.Get("Authorization")
	if got == "" {
		fail(http.StatusUnauthorized, "Unauthorized", "The Authorization header is missing.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(a.cfg.ContainerToken)) != 1 {
		fail(http.StatusForbidden, "AccessDenied", "The Authorization header is not the container token.")
		return
	}
	creds := a.Current()
	if creds == nil {
		fail(http.StatusNotFound, "NoCredentials", "The agent has no valid credentials.")
		return
	}
	json.NewEncoder(w).Encode(struct{ AccessKeyId, SecretAccessKey, Token, Expiration, RoleArn, AccountId string }{
		creds.AccessKeyId, creds.SecretAccessKey, creds.Token, creds.Expiration.UTC().Format(time.RFC3339), creds.RoleArn, creds.AccountId})
}
