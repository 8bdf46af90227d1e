package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/iamd/iamd/internal/awserr"
)

// jsonFront is the AWS JSON 1.1 protocol of the services that speak it here (CloudTrail's
// LookupEvents, Organizations): POST / with X-Amz-Target "<target><Operation>", a JSON body,
// JSON answers, and errors as {"__type": code, <messageKey>: …} (with Organizations' "Reason"
// when the error has one). Each service gives only what differs: its names and its operations.
type jsonFront struct {
	service string // the signing name, as calls and metrics name it
	target  string // X-Amz-Target's prefix, up to the operation's name
	// off, when set, answers every call: the service is not enabled on this server.
	off string
	// messageKey is the member errors carry their message in: "message" for CloudTrail,
	// "Message" for Organizations, as each service's answers have it.
	messageKey string
	// codes renames the pipeline's error codes to the service's ("AccessDenied" →
	// "AccessDeniedException").
	codes map[string]string
	// op finds an operation by name, for the body given; false for one not answered here.
	op func(name string, body []byte) (operation, bool)
	// unknown words the answer to an operation op does not find.
	unknown func(name string) string
}

var amzJSON = []string{"application/x-amz-json-1.1"}

// is reports whether r is a call of f's service.
func (f *jsonFront) is(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), f.target)
}

func (*jsonFront) contentType() []string { return amzJSON }

func (f *jsonFront) parse(r *http.Request, body []byte, c *call) (operation, error) {
	c.service = f.service
	c.action = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), f.target)
	if f.off != "" {
		return operation{}, awserr.New(http.StatusBadRequest, "UnknownOperationException", f.off)
	}
	if r.Method != http.MethodPost {
		return operation{}, awserr.New(http.StatusMethodNotAllowed, "UnknownOperationException", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
	op, ok := f.op(c.action, body)
	if !ok {
		return operation{}, awserr.New(http.StatusBadRequest, "UnknownOperationException", f.unknown(c.action))
	}
	return op, nil
}

func (*jsonFront) encode(buf *bytes.Buffer, _ *call, res any) error {
	return json.NewEncoder(buf).Encode(res)
}

func (f *jsonFront) encodeError(buf *bytes.Buffer, _ *call, e *awserr.Error) {
	code := e.Code
	if c, ok := f.codes[code]; ok {
		code = c
	}
	body := map[string]string{"__type": code, f.messageKey: e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	json.NewEncoder(buf).Encode(body)
}
