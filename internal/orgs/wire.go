package orgs

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// The wire shapes of the Organizations model (2016-11-28), as JSON 1.1 carries them: members
// by their model names, absent when empty, timestamps as epoch seconds.

// epoch is a timestamp in the JSON protocol's form.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func ts(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type Tag struct {
	Key   string
	Value string
}

type PolicyTypeSummary struct {
	Type   string
	Status string
}

type Organization struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []PolicyTypeSummary
}

type Root struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []PolicyTypeSummary
}

type OrganizationalUnit struct {
	Id   string
	Arn  string
	Name string
}

type Account struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp *epoch `json:",omitempty"`
}

type CreateAccountStatus struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp *epoch `json:",omitempty"`
	CompletedTimestamp *epoch `json:",omitempty"`
	AccountId          string `json:",omitempty"`
	FailureReason      string `json:",omitempty"`
}

type PolicySummary struct {
	Id          string
	Arn         string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
}

type Policy struct {
	PolicySummary *PolicySummary
	Content       string
}

type PolicyTargetSummary struct {
	TargetId string
	Arn      string
	Name     string
	Type     string
}

type Child struct {
	Id   string
	Type string
}

type Parent struct {
	Id   string
	Type string
}

type HandshakeParty struct {
	Id   string
	Type string
}

type HandshakeResource struct {
	Value     string
	Type      string
	Resources []HandshakeResource `json:",omitempty"`
}

type Handshake struct {
	Id                  string
	Arn                 string
	Parties             []HandshakeParty
	State               string
	RequestedTimestamp  *epoch `json:",omitempty"`
	ExpirationTimestamp *epoch `json:",omitempty"`
	Action              string
	Resources           []HandshakeResource
}

type DelegatedAdministrator struct {
	Id                    string
	Arn                   string
	Email                 string
	Name                  string
	Status                string
	State                 string
	JoinedMethod          string
	JoinedTimestamp       *epoch `json:",omitempty"`
	DelegationEnabledDate *epoch `json:",omitempty"`
}

type DelegatedService struct {
	ServicePrincipal      string
	DelegationEnabledDate *epoch `json:",omitempty"`
}

type EnabledServicePrincipal struct {
	ServicePrincipal string
	DateEnabled      *epoch `json:",omitempty"`
}

// ---- paging ----

// page cuts items at the position next (a token page returned) to at most max (AWS's default
// and ceiling for these lists is 20), and returns the token of the rest.
func page[T any](items []T, next string, max *int32) ([]T, *string, error) {
	start := 0
	if next != "" {
		b, err := base64.RawURLEncoding.DecodeString(next)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "orgs:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "orgs:") || n < 0 || n > len(items) {
			return nil, nil, invalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.")
		}
		start = n
	}
	limit := 20
	if max != nil {
		if *max < 1 || *max > 20 {
			return nil, nil, invalidInput("MAX_VALUE_EXCEEDED", "You provided a value that is outside the allowed range for MaxResults.")
		}
		limit = int(*max)
	}
	end := min(start+limit, len(items))
	out := items[start:end]
	if out == nil {
		out = []T{}
	}
	if end < len(items) {
		tok := base64.RawURLEncoding.EncodeToString([]byte("orgs:" + strconv.Itoa(end)))
		return out, &tok, nil
	}
	return out, nil, nil
}
