package trail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

// appendResponse writes an operation's result as CloudTrail's responseElements, in one pass:
// field names with their first letter in lower case, as CloudTrail writes them, and secrets
// (secret) replaced by Hidden. It reads the generated output types: structs of strings,
// numbers, booleans, times, byte slices, pointers and slices of those.
func (t *Trail) appendResponse(b *bytes.Buffer, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		t.appendResponse(b, v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			b.WriteByte('"')
			b.WriteString(t.UTC().Format(time.RFC3339))
			b.WriteByte('"')
			return
		}
		b.WriteByte('{')
		first := true
		ty := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := ty.Field(i)
			fv := v.Field(i)
			if !f.IsExported() || empty(fv) {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			appendString(b, lowerFirst(f.Name))
			b.WriteByte(':')
			if t.secret(f.Name) {
				appendString(b, Hidden)
				continue
			}
			t.appendResponse(b, fv)
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			appendString(b, base64.StdEncoding.EncodeToString(v.Bytes()))
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			t.appendResponse(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.String:
		appendString(b, v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	default:
		// Anything else the outputs do not hold; written by encoding/json rather than lost.
		j, err := json.Marshal(v.Interface())
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(j)
	}
}

// empty reports a field left out of responseElements: nil, zero times, empty strings and lists.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil() || (v.Kind() == reflect.Slice && v.Len() == 0)
	case reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.IsZero()
		}
	}
	return false
}

// appendString writes s as a JSON string: plain ASCII as it is, anything else through
// encoding/json.
func appendString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			j, _ := json.Marshal(s)
			b.Write(j)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}
