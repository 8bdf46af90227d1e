package trail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
