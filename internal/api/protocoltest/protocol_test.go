package protocoltest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd/iamd/internal/awsquery"
)

// The suites, copied from botocore with their licence (testdata/botocore-protocol-tests).
const dir = "testdata/botocore-protocol-tests/"

type ref struct {
	Shape           string `json:"shape"`
	LocationName    string `json:"locationName"`
	Flattened       bool   `json:"flattened"`
	TimestampFormat string `json:"timestampFormat"`
}

type shape struct {
	Type            string          `json:"type"`
	Members         map[string]*ref `json:"members"`
	Member, Key     *ref
	Value           *ref   `json:"value"`
	Flattened       bool   `json:"flattened"`
	TimestampFormat string `json:"timestampFormat"`
}

type testCase struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Given       struct {
		Name   string `json:"name"`
		Input  *ref   `json:"input"`
		Output *ref   `json:"output"`
	} `json:"given"`
	Params     any `json:"params"`
	Serialized struct {
		Body    string            `json:"body"`
		Headers map[string]string `json:"headers"`
	} `json:"serialized"`
	Result   any `json:"result"`
	Response struct {
		Body string `json:"body"`
	} `json:"response"`
}

type suite struct {
	Shapes map[string]*shape `json:"shapes"`
	Cases  []testCase        `json:"cases"`
}

func load(t *testing.T, file string) []suite {
	t.Helper()
	b, err := os.ReadFile(dir + file)
	if err != nil {
		t.Fatalf("protocol tests: %v", err)
	}
	var s []suite
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Cases that do not apply to a server's decoder, and why.
var skipInput = map[string]string{
	// The client invents the idempotency token when the caller gives none; the body holds a
	// token the params do not.
	"QueryProtocolIdempotencyTokenAutoFill": "client-side token generation",
	// An empty map is not sent at all, so a server cannot see it.
	"QueryEmptyQueryMaps": "client-side omission of empty maps",
	// The fixtures hold no body for these: the client gzips it, and undoing Content-Encoding
	// is the HTTP layer's job, before ParseParams.
	"SDKAppliedContentEncoding_awsQuery":                    "gzip body not in the fixture",
	"SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery": "gzip body not in the fixture",
}

// canonical drops what the generated types cannot tell from absent (null, the empty string:
// plain string members) and turns JSON numbers into float64, recursively.
func canonical(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		return x
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if c := canonical(e); c != nil {
				out[k] = c
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, canonical(e))
		}
		return out
	}
	return v
}

// fromGo is canonical for a generated value: timestamps become epoch seconds, blobs their
// bytes as a string, floats' specials the strings the suites use.
func fromGo(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return fromGo(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			if t.IsZero() {
				return nil
			}
			return float64(t.UnixMilli()) / 1000
		}
		out := map[string]any{}
		for i := 0; i < v.NumField(); i++ {
			if c := fromGo(v.Field(i)); c != nil {
				out[lowerIfNeeded(v.Type().Field(i).Name, v)] = c
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return canonical(string(v.Bytes()))
		}
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			out = append(out, fromGo(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[k.String()] = fromGo(v.MapIndex(k))
		}
		return out
	case reflect.String:
		return canonical(v.String())
	case reflect.Bool:
		return v.Bool()
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Float32, reflect.Float64:
		return special(v.Float())
	}
	panic("unexpected kind " + v.Kind().String())
}

func special(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// Go field names are the member names with the first letter upper-cased; the suites' member
// names may start lower-case. fieldNames maps back, per struct type, filled by toGo and the
// input test from the model.
var fieldNames = map[reflect.Type]map[string]string{}

func lowerIfNeeded(field string, v reflect.Value) string {
	if n, ok := fieldNames[v.Type()][field]; ok {
		return n
	}
	return field
}

// register records the member names of the structure shapes reachable from name for type t.
func register(t reflect.Type, shapes map[string]*shape, name string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	s := shapes[name]
	switch s.Type {
	case "list":
		register(t, shapes, s.Member.Shape)
		return
	case "map":
		register(t, shapes, s.Value.Shape)
		return
	case "structure":
	default:
		return
	}
	if _, done := fieldNames[t]; done {
		return
	}
	m := map[string]string{}
	fieldNames[t] = m
	for member, r := range s.Members {
		field := strings.ToUpper(member[:1]) + member[1:]
		m[field] = member
		if f, ok := t.FieldByName(field); ok {
			register(f.Type, shapes, r.Shape)
		}
	}
}

func TestInputSuites(t *testing.T) {
	for i, s := range load(t, "input-query.json") {
		op := Operations[fmt.Sprintf("In%d", i)]
		for _, c := range s.Cases {
			t.Run(c.ID, func(t *testing.T) {
				if why, ok := skipInput[c.ID]; ok {
					t.Skip(why)
				}
				ct := c.Serialized.Headers["Content-Type"]
				if ct == "" {
					// Some fixtures list no headers; botocore always sends the form type.
					ct = "application/x-www-form-urlencoded"
				}
				p, err := awsquery.ParseParams("", []byte(c.Serialized.Body), ct)
				if err != nil {
					t.Fatalf("ParseParams(%q): %v", c.Serialized.Body, err)
				}
				if op.Decode == nil { // the operation takes no input: nothing to decode
					if canonical(c.Params) != nil && len(canonical(c.Params).(map[string]any)) > 0 {
						t.Fatalf("params %v for an operation without input", c.Params)
					}
					return
				}
				in, err := op.Decode(p)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				register(reflect.TypeOf(in), s.Shapes, inputShape(s))
				got := fromGo(reflect.ValueOf(in))
				want := canonical(c.Params)
				if want == nil {
					want = map[string]any{}
				}
				if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
					t.Errorf("%s\nbody %s\n(-params +decoded):\n%s", c.Description, c.Serialized.Body, diff)
				}
			})
		}
	}
}

func inputShape(s suite) string { return s.Cases[0].Given.Input.Shape }

// toGo sets v from a canonical value, the inverse of fromGo.
func toGo(v reflect.Value, x any) {
	if x == nil {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		toGo(v.Elem(), x)
	case reflect.Struct:
		if _, ok := v.Interface().(time.Time); ok {
			f := x.(float64)
			v.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
			return
		}
		for k, e := range x.(map[string]any) {
			toGo(v.FieldByName(strings.ToUpper(k[:1])+k[1:]), e)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(x.(string)))
			return
		}
		l := x.([]any)
		v.Set(reflect.MakeSlice(v.Type(), len(l), len(l)))
		for i, e := range l {
			toGo(v.Index(i), e)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for k, e := range x.(map[string]any) {
			ev := reflect.New(v.Type().Elem()).Elem()
			toGo(ev, e)
			v.SetMapIndex(reflect.ValueOf(k), ev)
		}
	case reflect.String:
		v.SetString(x.(string))
	case reflect.Bool:
		v.SetBool(x.(bool))
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(x.(float64)))
	case reflect.Float32, reflect.Float64:
		switch s := x.(type) {
		case string:
			f, _ := strconv.ParseFloat(strings.Replace(s, "Infinity", "Inf", 1), 64)
			v.SetFloat(f)
		default:
			v.SetFloat(s.(float64))
		}
	}
}

// node is a parsed XML element.
type node struct {
	name     string
	text     string
	children []*node
}

func parseXML(t *testing.T, s string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			n := &node{name: x.Name.Local}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(x)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		t.Fatalf("no XML in %q", s)
	}
	return root
}

func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// fromXML reads a value of shape name from n the way botocore's query parser does, into
// canonical form. It is the test's own client-side reader, checked against the suites' bodies.
func fromXML(shapes map[string]*shape, r *ref, n *node) any {
	s := shapes[r.Shape]
	switch s.Type {
	case "structure":
		out := map[string]any{}
		for member, mr := range s.Members {
			ms := shapes[mr.Shape]
			name := member
			if mr.LocationName != "" {
				name = mr.LocationName
			}
			flat := mr.Flattened || ms.Flattened
			nodes := n.all(name)
			if len(nodes) == 0 {
				continue
			}
			var v any
			switch {
			case flat && ms.Type == "list":
				l := []any{}
				for _, e := range nodes {
					l = append(l, fromXML(shapes, ms.Member, e))
				}
				v = l
			case flat && ms.Type == "map":
				m := map[string]any{}
				for _, e := range nodes {
					addEntry(shapes, ms, e, m)
				}
				v = m
			default:
				v = fromXML(shapes, mr, nodes[0])
			}
			if c := canonical(v); c != nil {
				out[member] = c
			}
		}
		return out
	case "list":
		name := "member"
		if s.Member.LocationName != "" {
			name = s.Member.LocationName
		}
		l := []any{}
		for _, e := range n.all(name) {
			l = append(l, fromXML(shapes, s.Member, e))
		}
		return l
	case "map":
		m := map[string]any{}
		for _, e := range n.all("entry") {
			addEntry(shapes, s, e, m)
		}
		return m
	case "timestamp":
		f := r.TimestampFormat
		if f == "" {
			f = s.TimestampFormat
		}
		tm, err := awsquery.ParseTime(strings.TrimSpace(n.text), map[string]string{"epoch-seconds": "unixTimestamp", "http-date": "rfc822"}[f]+f)
		if err != nil {
			return "unparsable time " + n.text
		}
		return float64(tm.UnixMilli()) / 1000
	case "blob":
		b, err := base64.StdEncoding.DecodeString(n.text)
		if err != nil {
			return "bad base64 " + n.text
		}
		return canonical(string(b))
	case "boolean":
		return n.text == "true"
	case "byte", "short", "integer", "long", "float", "double":
		f, err := strconv.ParseFloat(strings.Replace(n.text, "Infinity", "Inf", 1), 64)
		if err != nil {
			return "bad number " + n.text
		}
		return special(f)
	}
	return canonical(n.text)
}

func addEntry(shapes map[string]*shape, s *shape, e *node, m map[string]any) {
	kn, vn := "key", "value"
	if s.Key.LocationName != "" {
		kn = s.Key.LocationName
	}
	if s.Value.LocationName != "" {
		vn = s.Value.LocationName
	}
	ks, vs := e.all(kn), e.all(vn)
	if len(ks) == 1 && len(vs) == 1 {
		m[ks[0].text] = fromXML(shapes, s.Value, vs[0])
	}
}

// result finds the node holding the output's members: <XResult> under the response.
func result(root *node) *node {
	for _, c := range root.children {
		if strings.HasSuffix(c.name, "Result") {
			return c
		}
	}
	return root
}

func TestOutputSuites(t *testing.T) {
	for i, s := range load(t, "output-query.json") {
		op := Operations[fmt.Sprintf("Out%d", i)]
		for _, c := range s.Cases {
			t.Run(c.ID, func(t *testing.T) {
				if c.Given.Output == nil {
					t.Skip("no output shape: an error case or an operation without output; awsquery tests cover those envelopes")
				}
				want := canonical(c.Result)
				// The reader must agree with botocore on the suite's own body first.
				if c.Response.Body == "" {
					// No body: nothing to compare the reader with.
				} else if diff := cmp.Diff(want, fromXML(s.Shapes, c.Given.Output, result(parseXML(t, c.Response.Body))), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
					t.Fatalf("test reader disagrees with botocore on the suite body (-result +read):\n%s", diff)
				}
				out := op.NewOutput()
				toGo(reflect.ValueOf(out).Elem(), want)
				var b bytes.Buffer
				awsquery.WriteResponse(&b, "https://example.com/", c.Given.Name, out, "rid")
				got := fromXML(s.Shapes, c.Given.Output, result(parseXML(t, b.String())))
				if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
					t.Errorf("%s\nencoded %s\n(-result +parsed back):\n%s", c.Description, b.String(), diff)
				}
			})
		}
	}
}
