package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Model is the part of a botocore service model the generator reads.
type Model struct {
	Metadata struct {
		APIVersion   string `json:"apiVersion"`
		XMLNamespace string `json:"xmlNamespace"`
		// EndpointPrefix names the service ("iam", "sts"), whose validation wording differs.
		EndpointPrefix string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]*Op    `json:"operations"`
	Shapes     map[string]*Shape `json:"shapes"`
}

// Op is one operation.
type Op struct {
	Name   string `json:"name"`
	Input  *Ref   `json:"input"`
	Output *Ref   `json:"output"`
}

// Ref is a reference to a shape with the serialization traits of its use.
type Ref struct {
	Shape           string `json:"shape"`
	LocationName    string `json:"locationName"`
	Flattened       bool   `json:"flattened"`
	TimestampFormat string `json:"timestampFormat"`
	ResultWrapper   string `json:"resultWrapper"`
}

// Shape is a model shape.
type Shape struct {
	Type            string   `json:"type"`
	Members         Members  `json:"members"`
	Member          *Ref     `json:"member"`
	Key             *Ref     `json:"key"`
	Value           *Ref     `json:"value"`
	Required        []string `json:"required"`
	Min             *float64 `json:"min"`
	Max             *float64 `json:"max"`
	Pattern         string   `json:"pattern"`
	Enum            []string `json:"enum"`
	Sensitive       bool     `json:"sensitive"`
	Flattened       bool     `json:"flattened"`
	TimestampFormat string   `json:"timestampFormat"`
	Exception       bool     `json:"exception"`
}

// Members keeps the model's member order: it is the order of output elements and of
// validation messages.
type Members struct {
	Names []string
	Refs  map[string]*Ref
}

// UnmarshalJSON reads an object keeping its key order.
func (m *Members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want an object")
	}
	m.Refs = map[string]*Ref{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		var r Ref
		if err := dec.Decode(&r); err != nil {
			return err
		}
		m.Names = append(m.Names, name)
		m.Refs[name] = &r
	}
	_, err := dec.Token()
	return err
}

func (s *Shape) required(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}
