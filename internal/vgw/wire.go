package vgw

// The protocol's paths, header and version (versitygw v1.8.0, iamapi/private).
const (
	PathVersion           = "/private/version"
	PathDeriveSigningKey  = "/private/derive-signing-key"
	PathEvaluatePolicy    = "/private/evaluate-policy"
	PathResolveIdentity   = "/private/resolve-identity"
	PathResolvePrincipals = "/private/resolve-principals"

	// ProtocolHeader carries the protocol version: the gateway's on every request, the IAM
	// service's on every answer, errors included.
	ProtocolHeader = "X-Vgw-Private-Protocol"
	// Protocol is the version iamd speaks, MinClient the oldest gateway it serves.
	Protocol  = 1
	MinClient = 1

	// SigningService is the credential-scope service the gateway signs its calls with.
	SigningService = "iam"
)

// Error codes of an error answer's "code", which the gateway maps to S3 errors.
const (
	CodeNoSuchIdentity   = "NoSuchIdentity"   // the user's access key is unknown: InvalidAccessKeyId
	CodeInvalidToken     = "InvalidToken"     // bad session token: InvalidToken
	CodeBadRequest       = "BadRequest"       // a body that does not parse
	CodeProtocolMismatch = "ProtocolMismatch" // the gateway's protocol version is not served
)

// Decision values of evaluate-policy's matrices.
const (
	DecisionAllow   = "allow"
	DecisionDeny    = "deny"     // an explicit Deny
	DecisionNoMatch = "no_match" // nothing allowed: an implicit deny
)

// Kind values of resolve-identity's answers.
const (
	KindUser    = "user"
	KindSession = "session"
)

// VersionResponse answers /private/version. AccountID is the one account every identity the
// gateway sees belongs to: its bucket policies' account principals are matched against it.
type VersionResponse struct {
	Protocol      int    `json:"protocol"`
	MinClient     int    `json:"minClient"`
	ServerVersion string `json:"serverVersion,omitempty"`
	AccountID     string `json:"accountId,omitempty"`
}

// DeriveRequest asks for the SigV4 signing key (kSigning) of a credential for one credential
// scope. SessionToken goes with temporary (ASIA…) key ids, and only with them.
type DeriveRequest struct {
	AccessKeyID  string `json:"accessKeyId"`
	SessionToken string `json:"sessionToken,omitempty"`
	Date         string `json:"date"` // yyyymmdd
	Region       string `json:"region"`
	Service      string `json:"service"`
}

// DeriveResponse carries the signing key (never the secret) and whom it belongs to: the
// caller's ARN and, for a role session, its role's ARN (a bucket policy naming the role applies
// to all its sessions). DerivedKey is base64 in JSON.
type DeriveResponse struct {
	DerivedKey   []byte `json:"derivedKey"`
	PrincipalArn string `json:"principalArn,omitempty"`
	RoleArn      string `json:"roleArn,omitempty"`
}

// EvaluateRequest asks for the identity-based decision of every action on every resource, for
// one caller. Condition holds the request-derived condition keys the gateway observed. Region
// and Service (the gateway's region and "s3") are for the key's last-used record only.
type EvaluateRequest struct {
	AccessKeyID  string              `json:"accessKeyId"`
	SessionToken string              `json:"sessionToken,omitempty"`
	Actions      []string            `json:"actions"`
	Resources    []string            `json:"resources"`
	Condition    map[string][]string `json:"condition,omitempty"`
	Region       string              `json:"region,omitempty"`
	Service      string              `json:"service,omitempty"`
}

// EvaluateResponse: Decisions[i][j] decides Resources[i] and Actions[j] from the identity
// policies (within the permissions boundary); SessionDecisions, when HasSessionPolicy, from the
// session policies alone, which filter the bucket policy's grants as well.
type EvaluateResponse struct {
	Decisions        [][]string `json:"decisions"`
	SessionDecisions [][]string `json:"sessionDecisions,omitempty"`
	HasSessionPolicy bool       `json:"hasSessionPolicy,omitempty"`
	PrincipalArn     string     `json:"principalArn,omitempty"`
}

// ResolveIdentityRequest asks whether access key ids exist; no credential material is answered.
type ResolveIdentityRequest struct {
	AccessKeyIDs []string `json:"accessKeyIds"`
}

// ResolveIdentityResponse answers ResolveIdentityRequest index for index.
type ResolveIdentityResponse struct {
	Identities []ResolvedIdentity `json:"identities"`
}

// ResolvedIdentity is one access key id's answer.
type ResolvedIdentity struct {
	Found        bool   `json:"found"`
	Kind         string `json:"kind,omitempty"`
	PrincipalArn string `json:"principalArn,omitempty"`
}

// ResolvePrincipalsRequest asks which of a bucket policy's principals name nothing.
type ResolvePrincipalsRequest struct {
	Principals []string `json:"principals"`
}

// ResolvePrincipalsResponse lists the principals that do not resolve (empty: all do).
type ResolvePrincipalsResponse struct {
	Invalid []string `json:"invalid"`
}

// errorBody is every error answer's body.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}
