package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/store"
)

// LookupInput is CloudTrail's LookupEventsRequest (the members iamd serves).
type LookupInput struct {
	LookupAttributes []LookupAttribute `json:",omitempty"`
	StartTime        *EpochTime        `json:",omitempty"`
	EndTime          *EpochTime        `json:",omitempty"`
	EventCategory    string            `json:",omitempty"`
	MaxResults       *int              `json:",omitempty"`
	NextToken        string            `json:",omitempty"`
}

// LookupAttribute is one filter of LookupEvents.
type LookupAttribute struct {
	AttributeKey   string
	AttributeValue string
}

// LookupOutput is CloudTrail's LookupEventsResponse.
type LookupOutput struct {
	Events    []LookupEvent
	NextToken string `json:",omitempty"`
}

// LookupEvent is CloudTrail's Event: the summary fields and the event itself as a string.
type LookupEvent struct {
	EventId         string
	EventName       string
	ReadOnly        string
	AccessKeyId     string `json:",omitempty"`
	EventTime       EpochTime
	EventSource     string
	Username        string           `json:",omitempty"`
	Resources       []LookupResource `json:",omitempty"`
	CloudTrailEvent string
}

// LookupResource is a resource an event names.
type LookupResource struct {
	ResourceType string
	ResourceName string
}

// EpochTime is a timestamp as AWS's JSON protocol writes it: seconds since the epoch.
type EpochTime struct{ time.Time }

// MarshalJSON writes seconds since the epoch, with the fraction AWS gives (milliseconds).
func (t EpochTime) MarshalJSON() ([]byte, error) {
	return []byte(formatEpoch(t.Time)), nil
}

// UnmarshalJSON reads seconds since the epoch, integral or not.
func (t *EpochTime) UnmarshalJSON(b []byte) error {
	var f float64
	if err := jsonNumber(b, &f); err != nil {
		return err
	}
	sec := int64(f)
	t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return nil
}

// lookupError is one of CloudTrail's errors for LookupEvents.
func lookupError(code, msg string) error {
	return awserr.New(http.StatusBadRequest, code, msg)
}

// maxLookupResults is LookupEvents' page size limit (and default).
const maxLookupResults = 50

// Validate checks a LookupEvents request as CloudTrail does.
func (in *LookupInput) Validate() error {
	if len(in.LookupAttributes) > 1 {
		return lookupError("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
	}
	for _, a := range in.LookupAttributes {
		if _, ok := attributes[a.AttributeKey]; !ok {
			return lookupError("InvalidLookupAttributesException", "Invalid attribute key: "+a.AttributeKey)
		}
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > maxLookupResults) {
		return lookupError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
	}
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(in.EndTime.Time) {
		return lookupError("InvalidTimeRangeException", "Start time must be before end time.")
	}
	if in.EventCategory != "" && in.EventCategory != "insight" {
		return lookupError("InvalidEventCategoryException", "Invalid event category: "+in.EventCategory)
	}
	return nil
}

var attributes = map[string]store.EventAttribute{
	"EventId": store.EventByID, "EventName": store.EventByName, "ReadOnly": store.EventByReadOnly,
	"Username": store.EventByUsername, "ResourceType": store.EventByResourceType,
	"ResourceName": store.EventByResourceName, "EventSource": store.EventBySource, "AccessKeyId": store.EventByAccessKeyID,
}

// LookupEvents answers CloudTrail's LookupEvents for account: its events, newest first.
func (t *Trail) LookupEvents(ctx context.Context, account string, in *LookupInput) (*LookupOutput, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out := &LookupOutput{Events: []LookupEvent{}}
	if in.EventCategory == "insight" {
		return out, nil // iamd makes no Insights events
	}
	f := store.EventFilter{Marker: in.NextToken, MaxItems: maxLookupResults}
	if in.MaxResults != nil {
		f.MaxItems = *in.MaxResults
	}
	if t.cfg.Store == nil {
		return t.lookupFiles(account, in, f.MaxItems)
	}
	if in.StartTime != nil {
		f.Start = in.StartTime.Time
	}
	if in.EndTime != nil {
		f.End = in.EndTime.Time
	}
	if len(in.LookupAttributes) == 1 {
		f.Attribute, f.Value = attributes[in.LookupAttributes[0].AttributeKey], in.LookupAttributes[0].AttributeValue
	}
	page, err := t.cfg.Store.Events(ctx, account, f)
	if errors.Is(err, store.ErrInvalidMarker) {
		return nil, lookupError("InvalidNextTokenException", "Invalid NextToken.")
	}
	if err != nil {
		return nil, err
	}
	for _, e := range page.Items {
		le := LookupEvent{EventId: e.ID, EventName: e.Name, ReadOnly: boolText(e.ReadOnly), AccessKeyId: e.AccessKeyID,
			EventTime: EpochTime{e.Time}, EventSource: e.Source, Username: e.Username, CloudTrailEvent: string(e.Data)}
		if e.ResourceType != "" {
			le.Resources = []LookupResource{{ResourceType: e.ResourceType, ResourceName: e.ResourceName}}
		}
		out.Events = append(out.Events, le)
	}
	if page.IsTruncated {
		out.NextToken = page.Marker
	}
	return out, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// formatEpoch writes t as seconds since the epoch with milliseconds.
func formatEpoch(t time.Time) string {
	ms := t.UnixMilli()
	s := strconv.FormatInt(ms/1000, 10)
	if rem := ms % 1000; rem != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%03d", rem), "0")
	}
	return s
}

func jsonNumber(b []byte, f *float64) error {
	return json.Unmarshal(b, f)
}

// fileEvent is what a lookup reads of an event in the JSON lines files.
type fileEvent struct {
	EventID            string    `json:"eventID"`
	EventTime          time.Time `json:"eventTime"`
	EventName          string    `json:"eventName"`
	EventSource        string    `json:"eventSource"`
	ReadOnly           bool      `json:"readOnly"`
	RecipientAccountID string    `json:"recipientAccountId"`
	UserIdentity       struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		UserName    string `json:"userName"`
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
	Resources []resource `json:"resources"`
}

// username is the Username LookupEvents matches (usernameOf, read back from the event).
func (e *fileEvent) username() string {
	switch e.UserIdentity.Type {
	case "Root":
		return "root"
	case "IAMUser":
		return e.UserIdentity.UserName
	case "AssumedRole", "FederatedUser":
		return e.UserIdentity.ARN[strings.LastIndexByte(e.UserIdentity.ARN, '/')+1:]
	}
	return ""
}

// matches reports whether e has the attribute key with value.
func (e *fileEvent) matches(key, value string) bool {
	switch key {
	case "EventId":
		return e.EventID == value
	case "EventName":
		return e.EventName == value
	case "ReadOnly":
		return boolText(e.ReadOnly) == strings.ToLower(value)
	case "Username":
		return e.username() == value
	case "EventSource":
		return e.EventSource == value
	case "AccessKeyId":
		return e.UserIdentity.AccessKeyID == value
	case "ResourceType", "ResourceName":
		for _, r := range e.Resources {
			typ, name := resourceOf(r.ARN)
			if key == "ResourceType" && typ == value || key == "ResourceName" && name == value {
				return true
			}
		}
		return false
	}
	return true
}

// lookupFiles answers LookupEvents from the JSON lines files, newest first: the trail's store
// when it keeps events in no database (a single SQLite node). NextToken is the id of the last
// event returned; the files' order is the order events were written in, which rotation keeps.
func (t *Trail) lookupFiles(account string, in *LookupInput, max int) (*LookupOutput, error) {
	out := &LookupOutput{Events: []LookupEvent{}}
	var key, value string
	if len(in.LookupAttributes) == 1 {
		key, value = in.LookupAttributes[0].AttributeKey, in.LookupAttributes[0].AttributeValue
	}
	skipping := in.NextToken != ""
	seen := map[string]bool{}
	for i := 0; i <= t.cfg.MaxFiles; i++ {
		name := filepath.Join(t.cfg.Dir, fileName)
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		t.fileMu.Lock()
		b, err := os.ReadFile(name)
		t.fileMu.Unlock()
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for end := len(b); end > 0; {
			start := bytes.LastIndexByte(b[:end-1], '\n') + 1
			line := b[start:end]
			end = start
			if skipping {
				if bytes.Contains(line, []byte(`"eventID":"`+in.NextToken+`"`)) {
					skipping = false
				}
				continue
			}
			// Most lines fail an attribute filter: a byte search rules them out unparsed.
			if value != "" && key != "ReadOnly" && !bytes.Contains(line, []byte(value)) {
				continue
			}
			var e fileEvent
			if json.Unmarshal(line, &e) != nil || e.RecipientAccountID != account || seen[e.EventID] {
				continue
			}
			if in.StartTime != nil && e.EventTime.Before(in.StartTime.Time) || in.EndTime != nil && e.EventTime.After(in.EndTime.Time) {
				continue
			}
			if key != "" && !e.matches(key, value) {
				continue
			}
			seen[e.EventID] = true
			if len(out.Events) == max {
				out.NextToken = out.Events[max-1].EventId
				return out, nil
			}
			le := LookupEvent{EventId: e.EventID, EventName: e.EventName, ReadOnly: boolText(e.ReadOnly),
				AccessKeyId: e.UserIdentity.AccessKeyID, EventTime: EpochTime{e.EventTime}, EventSource: e.EventSource,
				Username: e.username(), CloudTrailEvent: string(bytes.TrimSuffix(line, []byte("\n")))}
			for _, r := range e.Resources {
				if typ, name := resourceOf(r.ARN); typ != "" {
					le.Resources = append(le.Resources, LookupResource{ResourceType: typ, ResourceName: name})
				}
			}
			out.Events = append(out.Events, le)
		}
	}
	if skipping {
		return nil, lookupError("InvalidNextTokenException", "Invalid NextToken.")
	}
	return out, nil
}
