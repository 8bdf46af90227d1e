package main

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// gen emits the Go code of one model: types, decoders, encoders and validation rules. The
// operation table around them is emitted by service.go or protocol.go.
type gen struct {
	m      *Model
	prefix string // prepended to every generated identifier (protocol tests merge many models)
	out    *bytes.Buffer

	typeName map[string]string // structure shape → Go type name
	dec, enc map[string]bool   // structure shapes that need a decoder / an encoder
	rules    []string          // shapes with a validation rule, in emission order
	ruleSeen map[string]bool
	tmp      int // counter for unique local names
	// ownWords maps a string shape to the service's own sentence for a value its pattern
	// refuses (awsquery.StringRule.Invalid); empty but for IAM.
	ownWords map[string]string
}

// iamOwnWords are the sentences IAM answers, instead of the model's pattern failure, for the
// names and paths it checks itself: "The specified value for roleName is invalid. It must
// contain only alphanumeric characters and/or the following: +=,.@_-" is an answer recorded
// from AttachRolePolicy given a role ARN, and the path sentence one recorded for a path without
// its slashes; that userName (and the longer existingUserNameType) is answered alike is
// inferred from its identical pattern and checks. Group and policy names, with the same
// pattern, keep the model's wording: no recorded answer of AWS's shows otherwise.
var iamOwnWords = map[string]string{
	"userNameType":         "It must contain only alphanumeric characters and/or the following: +=,.@_-",
	"existingUserNameType": "It must contain only alphanumeric characters and/or the following: +=,.@_-",
	"roleNameType":         "It must contain only alphanumeric characters and/or the following: +=,.@_-",
	"pathType":             "It must begin and end with / and contain only alphanumeric characters and/or / characters.",
}

func newGen(m *Model, prefix string, out *bytes.Buffer) *gen {
	return &gen{m: m, prefix: prefix, out: out, typeName: map[string]string{},
		dec: map[string]bool{}, enc: map[string]bool{}, ruleSeen: map[string]bool{}}
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(g.out, format, args...) }

func (g *gen) shape(name string) *Shape {
	s, ok := g.m.Shapes[name]
	if !ok {
		panic(fmt.Sprintf("model: unknown shape %q", name))
	}
	return s
}

func exported(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// lowerFirst is AWS's member path spelling in validation messages: the member name with its
// first letter lower-cased (userName, sAMLMetadataDocument).
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// mark walks the shapes reachable from ref, recording which structures need a decoder (in) or
// an encoder (out).
func (g *gen) mark(shape string, in bool) {
	s := g.shape(shape)
	switch s.Type {
	case "structure":
		set := g.enc
		if in {
			set = g.dec
		}
		if set[shape] {
			return
		}
		set[shape] = true
		if _, ok := g.typeName[shape]; !ok {
			g.typeName[shape] = g.prefix + exported(shape)
		}
		for _, n := range s.Members.Names {
			g.mark(s.Members.Refs[n].Shape, in)
		}
	case "list":
		g.mark(s.Member.Shape, in)
	case "map":
		g.mark(s.Key.Shape, in)
		g.mark(s.Value.Shape, in)
	}
}

// goType is the Go type of a use of shape. Scalars that are optional members are pointers
// (strings, timestamps and blobs excepted: their zero value already means absent);
// list elements and map values are never pointers.
func (g *gen) goType(shape string, optionalMember bool) string {
	s := g.shape(shape)
	ptr := ""
	if optionalMember {
		ptr = "*"
	}
	switch s.Type {
	case "string":
		return "string"
	case "timestamp":
		return "time.Time"
	case "blob":
		return "[]byte"
	case "boolean":
		return ptr + "bool"
	case "byte":
		return ptr + "int8"
	case "short":
		return ptr + "int16"
	case "integer":
		return ptr + "int32"
	case "long":
		return ptr + "int64"
	case "float":
		return ptr + "float32"
	case "double":
		return ptr + "float64"
	case "structure":
		if optionalMember {
			return "*" + g.typeName[shape]
		}
		return g.typeName[shape]
	case "list":
		return "[]" + g.goType(s.Member.Shape, false)
	case "map":
		return "map[string]" + g.goType(s.Value.Shape, false)
	}
	panic(fmt.Sprintf("model: shape %q has unsupported type %q", shape, s.Type))
}

// memberPtr reports whether a member of this shape is held through a pointer.
func (g *gen) memberPtr(shape string, required bool) bool {
	switch g.shape(shape).Type {
	case "boolean", "byte", "short", "integer", "long", "float", "double":
		return !required
	case "structure":
		return true
	}
	return false
}

func (g *gen) emitTypes() {
	names := sortedKeys(g.typeName)
	sort.Slice(names, func(i, j int) bool { return g.typeName[names[i]] < g.typeName[names[j]] })
	seen := map[string]string{}
	for _, shape := range names {
		tn := g.typeName[shape]
		if other, dup := seen[tn]; dup {
			panic(fmt.Sprintf("shapes %q and %q both become Go type %s", other, shape, tn))
		}
		seen[tn] = shape
		s := g.shape(shape)
		g.p("// %s is the model's %s shape.\ntype %s struct {\n", tn, shape, tn)
		for _, n := range s.Members.Names {
			r := s.Members.Refs[n]
			req := s.required(n)
			t := g.goType(r.Shape, g.memberPtr(r.Shape, req))
			comment := ""
			if req {
				comment = " // required"
			}
			g.p("\t%s %s%s\n", exported(n), t, comment)
		}
		g.p("}\n\n")
	}
}

// ---- validation rules ----

var javaEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// translatePattern turns a model pattern (Java regex syntax, matched as a whole) into Go code
// for an awsquery.Matcher; awsquery.Pattern picks a table matcher where it can. Java's \uXXXX
// takes exactly four hex digits, so "\u10000" is U+1000 followed by '0', as AWS's Java
// validators read it.
func translatePattern(java string) (string, error) {
	re := javaEscape.ReplaceAllString(java, `\x{$1}`)
	notContaining := ""
	if strings.Contains(re, "-(?!-)") {
		// "a hyphen not followed by a hyphen" in a pattern that cannot start with one is "no
		// double hyphen anywhere"; RE2 has no lookahead.
		re = strings.ReplaceAll(re, "-(?!-)", "-")
		notContaining = "--"
	}
	re = "^(?:" + re + ")$"
	if _, err := regexp.Compile(re); err != nil {
		return "", fmt.Errorf("pattern %q: %v", java, err)
	}
	if notContaining != "" {
		return fmt.Sprintf("awsquery.NotContaining{Re: awsquery.Pattern(%s), Sub: %q}", goRaw(re), notContaining), nil
	}
	return fmt.Sprintf("awsquery.Pattern(%s)", goRaw(re)), nil
}

func goRaw(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// rule returns the Go expression of shape's validation rule ("nil" if it has none), and
// records it for emission.
func (g *gen) rule(shape string) string {
	s := g.shape(shape)
	has := s.Min != nil || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0
	if !has {
		return "nil"
	}
	if !g.ruleSeen[shape] {
		g.ruleSeen[shape] = true
		g.rules = append(g.rules, shape)
	}
	return "&" + g.ruleVar(shape)
}

func (g *gen) ruleVar(shape string) string { return "rule" + g.prefix + exported(shape) }

func (g *gen) emitRules() {
	sort.Strings(g.rules)
	if len(g.rules) == 0 {
		return
	}
	g.p("// Validation rules of the model's shapes; patterns compile once, at init.\nvar (\n")
	for _, shape := range g.rules {
		s := g.shape(shape)
		switch s.Type {
		case "string":
			g.p("\t%s = awsquery.StringRule{", g.ruleVar(shape))
			if s.Min != nil && *s.Min > 0 {
				g.p("Min: %d, ", int(*s.Min))
			}
			if s.Max != nil {
				g.p("Max: %d, ", int(*s.Max))
			}
			if s.Pattern != "" {
				m, err := translatePattern(s.Pattern)
				if err != nil {
					panic(err)
				}
				g.p("Pattern: %s, PatternJS: %s, ", m, goRaw(s.Pattern))
			}
			if len(s.Enum) > 0 {
				g.p("Enum: %#v, ", s.Enum)
			}
			if s.Sensitive {
				g.p("Sensitive: true, ")
			}
			if w, ok := g.ownWords[shape]; ok {
				g.p("Invalid: %q", w)
			}
			g.p("}\n")
		case "byte", "short", "integer", "long", "float", "double":
			g.p("\t%s = awsquery.NumberRule{", g.ruleVar(shape))
			if s.Min != nil {
				g.p("HasMin: true, Min: %v, ", *s.Min)
			}
			if s.Max != nil {
				g.p("HasMax: true, Max: %v", *s.Max)
			}
			g.p("}\n")
		default: // list, map, blob
			g.p("\t%s = awsquery.LengthRule{", g.ruleVar(shape))
			if s.Min != nil {
				g.p("Min: %d, ", int(*s.Min))
			}
			if s.Max != nil {
				g.p("Max: %d", int(*s.Max))
			}
			g.p("}\n")
		}
	}
	g.p(")\n\n")
}

// ---- decoding ----

func (g *gen) decName(shape string) string { return "dec" + g.typeName[shape] }

func (g *gen) local(base string) string {
	g.tmp++
	return fmt.Sprintf("%s%d", base, g.tmp)
}

// emitDecoders writes one function per input structure:
//
//	func decT(d *awsquery.Decoder, key, path string) (v T, ok bool)
//
// key is the parameter-name prefix of its members (ending in "." unless empty), path the
// validation-message prefix.
func (g *gen) emitDecoders() {
	for _, shape := range sortedKeys(g.dec) {
		s := g.shape(shape)
		tn := g.typeName[shape]
		g.p("func %s(d *awsquery.Decoder, key, path string) (v %s, ok bool) {\n", g.decName(shape), tn)
		g.p("\tif key != \"\" && !d.HasPrefix(key) {\n\t\treturn v, false\n\t}\n")
		for _, n := range s.Members.Names {
			r := s.Members.Refs[n]
			name := n
			if r.LocationName != "" {
				name = r.LocationName
			}
			req := s.required(n)
			g.decodeValue(r, fmt.Sprintf("key+%q", name), "key", name, fmt.Sprintf("path+%q", lowerFirst(n)),
				"v."+exported(n), g.memberPtr(r.Shape, req), req, "\t")
		}
		g.p("\treturn v, true\n}\n\n")
	}
}

// decodeValue writes statements that read the value of ref at parameter name keyExpr into dst.
// parentKey and name are what keyExpr is made of (a flattened list renames the last segment).
func (g *gen) decodeValue(r *Ref, keyExpr, parentKey, name, pathExpr, dst string, ptr, required bool, ind string) {
	s := g.shape(r.Shape)
	v := g.local("v")
	assign := func(val string) {
		if ptr {
			g.p("%s\t%s = &%s\n", ind, dst, val)
		} else {
			g.p("%s\t%s = %s\n", ind, dst, val)
		}
	}
	missing := func() {
		if required {
			g.p("%s} else {\n%s\td.Missing(%s)\n", ind, ind, pathExpr)
		}
		g.p("%s}\n", ind)
	}
	tsFormat := r.TimestampFormat
	if tsFormat == "" {
		tsFormat = s.TimestampFormat
	}
	switch s.Type {
	case "string":
		g.p("%sif %s, ok := d.Get(%s); ok {\n", ind, v, keyExpr)
		if rl := g.rule(r.Shape); rl != "nil" {
			g.p("%s\td.String(%s, %s, %s)\n", ind, pathExpr, v, rl)
		}
		assign(v)
		missing()
	case "boolean":
		g.p("%sif %s, ok := d.Bool(%s, %s); ok {\n", ind, v, keyExpr, pathExpr)
		assign(v)
		missing()
	case "byte", "short", "integer", "long":
		bits := map[string]int{"byte": 8, "short": 16, "integer": 32, "long": 64}[s.Type]
		gt := strings.TrimPrefix(g.goType(r.Shape, false), "*")
		g.p("%sif %s, ok := d.Int(%s, %s, %d, %s); ok {\n", ind, v, keyExpr, pathExpr, bits, g.rule(r.Shape))
		g.p("%s\t%s := %s(%s)\n", ind, v+"c", gt, v)
		assign(v + "c")
		missing()
	case "float", "double":
		bits := map[string]int{"float": 32, "double": 64}[s.Type]
		gt := g.goType(r.Shape, false)
		g.p("%sif %s, ok := d.Float(%s, %s, %d, %s); ok {\n", ind, v, keyExpr, pathExpr, bits, g.rule(r.Shape))
		g.p("%s\t%s := %s(%s)\n", ind, v+"c", gt, v)
		assign(v + "c")
		missing()
	case "timestamp":
		g.p("%sif %s, ok := d.Time(%s, %s, %q); ok {\n", ind, v, keyExpr, pathExpr, tsFormat)
		assign(v)
		missing()
	case "blob":
		rl := "nil"
		if s.Min != nil || s.Max != nil {
			rl = g.rule(r.Shape)
		}
		g.p("%sif %s, ok := d.Blob(%s, %s, %s); ok {\n", ind, v, keyExpr, pathExpr, rl)
		assign(v)
		missing()
	case "structure":
		g.p("%sif %s, ok := %s(d, %s+\".\", %s+\".\"); ok {\n", ind, v, g.decName(r.Shape), keyExpr, pathExpr)
		assign(v)
		missing()
	case "list":
		flat := r.Flattened || s.Flattened
		var elemPrefix string
		switch {
		case flat:
			// A flattened list repeats the member's own name (botocore's suites: Hi.1=A, even
			// when the list's member shape has a locationName).
			elemPrefix = keyExpr + "+\".\""
		case s.Member.LocationName != "":
			elemPrefix = fmt.Sprintf("%s+%q", keyExpr, "."+s.Member.LocationName+".")
		default:
			elemPrefix = keyExpr + "+\".member.\""
		}
		et := g.goType(s.Member.Shape, false)
		idx, i, n, ep := g.local("idx"), g.local("i"), g.local("n"), g.local("ep")
		g.p("%sif %s := d.Indexes(%s); len(%s) > 0 {\n", ind, idx, elemPrefix, idx)
		g.p("%s\t%s := make([]%s, len(%s))\n", ind, v, et, idx)
		g.p("%s\t%s := %s\n", ind, ep, elemPrefix)
		g.p("%s\tfor %s, %s := range %s {\n", ind, i, n, idx)
		g.decodeValue(s.Member, fmt.Sprintf("awsquery.Sub(%s, %s)", ep, n), ep, "", fmt.Sprintf("%s+\".\"+strconv.Itoa(%s)+\".member\"", pathExpr, n),
			fmt.Sprintf("%s[%s]", v, i), false, true, ind+"\t\t") // a listed position must hold a value
		g.p("%s\t}\n", ind)
		g.listLen(r.Shape, s, pathExpr, v, ind)
		assign(v)
		g.p("%s} else if d.EmptyList(%s) {\n", ind, keyExpr)
		g.p("%s\t%s := []%s{}\n", ind, v, et)
		g.listLen(r.Shape, s, pathExpr, v, ind)
		assign(v)
		missing()
	case "map":
		flat := r.Flattened || s.Flattened
		entries := keyExpr + "+\".entry.\""
		if flat {
			entries = keyExpr + "+\".\""
		}
		kn, vn := "key", "value"
		if s.Key.LocationName != "" {
			kn = s.Key.LocationName
		}
		if s.Value.LocationName != "" {
			vn = s.Value.LocationName
		}
		vt := g.goType(s.Value.Shape, false)
		idx, n, ep, k, val := g.local("idx"), g.local("n"), g.local("ep"), g.local("k"), g.local("val")
		g.p("%sif %s := d.Indexes(%s); len(%s) > 0 {\n", ind, idx, entries, idx)
		g.p("%s\t%s := make(map[string]%s, len(%s))\n", ind, v, vt, idx)
		g.p("%s\tfor _, %s := range %s {\n", ind, n, idx)
		g.p("%s\t\t%s := awsquery.Sub(%s, %s) + \".\"\n", ind, ep, entries, n)
		g.p("%s\t\tvar %s string\n", ind, k)
		epath := fmt.Sprintf("%s+\".\"+strconv.Itoa(%s)", pathExpr, n)
		g.decodeValue(s.Key, fmt.Sprintf("%s+%q", ep, kn), ep, kn, epath+"+\".key\"", k, false, true, ind+"\t\t")
		g.p("%s\t\tvar %s %s\n", ind, val, vt)
		g.decodeValue(s.Value, fmt.Sprintf("%s+%q", ep, vn), ep, vn, epath+"+\".value\"", val, false, false, ind+"\t\t")
		g.p("%s\t\t%s[%s] = %s\n", ind, v, k, val)
		g.p("%s\t}\n", ind)
		g.listLen(r.Shape, s, pathExpr, v, ind)
		assign(v)
		g.p("%s} else if d.EmptyList(%s) {\n", ind, keyExpr)
		g.p("%s\t%s := map[string]%s{}\n", ind, v, vt)
		g.listLen(r.Shape, s, pathExpr, v, ind)
		assign(v)
		missing()
	default:
		panic("unsupported input type " + s.Type)
	}
}

func (g *gen) listLen(shape string, s *Shape, pathExpr, v, ind string) {
	if s.Min == nil && s.Max == nil {
		return
	}
	show := `func() string { return "" }`
	sensitive := "true" // lists of structures are not echoed; AWS prints Java object dumps there
	if s.Type == "list" && g.shape(s.Member.Shape).Type == "string" {
		show = fmt.Sprintf("func() string { return awsquery.ShowStrings(%s) }", v)
		sensitive = "false"
	}
	g.p("%s\td.Len(%s, len(%s), %s, %s, %s)\n", ind, pathExpr, v, g.rule(shape), show, sensitive)
}

// ---- encoding ----

// emitEncoders writes an EncodeXML method per output structure: it appends the structure's
// members, not its own element, so the same code serves a <XResult> and a nested element.
func (g *gen) emitEncoders() {
	for _, shape := range sortedKeys(g.enc) {
		s := g.shape(shape)
		tn := g.typeName[shape]
		g.p("// EncodeXML appends the members of v as AWS Query XML elements.\n")
		g.p("func (v *%s) EncodeXML(b *bytes.Buffer) {\n", tn)
		for _, n := range s.Members.Names {
			r := s.Members.Refs[n]
			req := s.required(n)
			g.encodeMember(r, n, "v."+exported(n), g.memberPtr(r.Shape, req), req, "\t")
		}
		g.p("}\n\n")
	}
}

// encodeMember writes the statements that append a structure member.
func (g *gen) encodeMember(r *Ref, member, val string, ptr, required bool, ind string) {
	s := g.shape(r.Shape)
	name := member
	if r.LocationName != "" {
		name = r.LocationName
	}
	switch s.Type {
	case "string":
		// An empty string is left out even where the model says required: AWS leaves out what
		// it has no value for (the root user's GetUser has no Path or UserName).
		g.p("%sif %s != \"\" {\n", ind, val)
		g.encodeValue(r, name, val, ind+"\t")
		g.p("%s}\n", ind)
		return
	case "timestamp":
		if !required {
			g.p("%sif !%s.IsZero() {\n", ind, val)
			g.encodeValue(r, name, val, ind+"\t")
			g.p("%s}\n", ind)
			return
		}
	case "list":
		flat := r.Flattened || s.Flattened
		g.p("%sif %s != nil {\n", ind, val)
		e := g.local("e")
		if flat {
			// Flattened, each element repeats the member's name (the list member's own
			// locationName does not apply, as botocore's suites show).
			g.p("%s\tfor %s := range %s {\n", ind, e, val)
			g.encodeValue(s.Member, name, fmt.Sprintf("%s[%s]", val, e), ind+"\t\t")
			g.p("%s\t}\n", ind)
		} else {
			en := "member"
			if s.Member.LocationName != "" {
				en = s.Member.LocationName
			}
			g.p("%s\tawsquery.Open(b, %q)\n", ind, name)
			g.p("%s\tfor %s := range %s {\n", ind, e, val)
			g.encodeValue(s.Member, en, fmt.Sprintf("%s[%s]", val, e), ind+"\t\t")
			g.p("%s\t}\n", ind)
			g.p("%s\tawsquery.Close(b, %q)\n", ind, name)
		}
		g.p("%s}\n", ind)
		return
	case "map":
		flat := r.Flattened || s.Flattened
		kn, vn := "key", "value"
		if s.Key.LocationName != "" {
			kn = s.Key.LocationName
		}
		if s.Value.LocationName != "" {
			vn = s.Value.LocationName
		}
		k := g.local("k")
		g.p("%sif %s != nil {\n", ind, val)
		entry := "entry"
		if flat {
			entry = name
		} else {
			g.p("%s\tawsquery.Open(b, %q)\n", ind, name)
		}
		// Sorted keys make the output deterministic.
		g.p("%s\tfor _, %s := range slices.Sorted(maps.Keys(%s)) {\n", ind, k, val)
		g.p("%s\t\tawsquery.Open(b, %q)\n", ind, entry)
		g.encodeValue(s.Key, kn, k, ind+"\t\t")
		mv := g.local("mv")
		g.p("%s\t\t%s := %s[%s]\n", ind, mv, val, k)
		g.encodeValue(s.Value, vn, mv, ind+"\t\t")
		g.p("%s\t\tawsquery.Close(b, %q)\n", ind, entry)
		g.p("%s\t}\n", ind)
		if !flat {
			g.p("%s\tawsquery.Close(b, %q)\n", ind, name)
		}
		g.p("%s}\n", ind)
		return
	case "blob":
		g.p("%sif %s != nil {\n", ind, val)
		g.encodeValue(r, name, val, ind+"\t")
		g.p("%s}\n", ind)
		return
	}
	if ptr {
		g.p("%sif %s != nil {\n", ind, val)
		if s.Type == "structure" {
			g.encodeValue(r, name, val, ind+"\t")
		} else {
			g.encodeValue(r, name, "*"+val, ind+"\t")
		}
		g.p("%s}\n", ind)
		return
	}
	g.encodeValue(r, name, val, ind)
}

// encodeValue writes the statements that append one present value as element name.
func (g *gen) encodeValue(r *Ref, name, val, ind string) {
	s := g.shape(r.Shape)
	switch s.Type {
	case "string":
		g.p("%sawsquery.AppendString(b, %q, %s)\n", ind, name, val)
	case "boolean":
		g.p("%sawsquery.AppendBool(b, %q, %s)\n", ind, name, val)
	case "byte", "short", "integer", "long":
		g.p("%sawsquery.AppendInt(b, %q, int64(%s))\n", ind, name, val)
	case "float":
		g.p("%sawsquery.AppendFloat(b, %q, float64(%s), 32)\n", ind, name, val)
	case "double":
		g.p("%sawsquery.AppendFloat(b, %q, %s, 64)\n", ind, name, val)
	case "timestamp":
		f := r.TimestampFormat
		if f == "" {
			f = s.TimestampFormat
		}
		g.p("%sawsquery.AppendTime(b, %q, %s, %q)\n", ind, name, val, f)
	case "blob":
		g.p("%sawsquery.AppendBlob(b, %q, %s)\n", ind, name, val)
	case "structure":
		g.p("%sawsquery.Open(b, %q)\n", ind, name)
		// val is a pointer or an addressable value (callers copy map values to a local first).
		g.p("%s%s.EncodeXML(b)\n", ind, val)
		g.p("%sawsquery.Close(b, %q)\n", ind, name)
	case "list", "map":
		// A list or map directly inside a list or map: encode it as an unnamed member would be.
		g.p("%sawsquery.Open(b, %q)\n", ind, name)
		inner := &Ref{Shape: r.Shape}
		tmp := g.local("x")
		g.p("%s{\n%s\t%s := %s\n", ind, ind, tmp, val)
		g.encodeInner(inner, tmp, ind+"\t")
		g.p("%s}\n", ind)
		g.p("%sawsquery.Close(b, %q)\n", ind, name)
	default:
		panic("unsupported output type " + s.Type)
	}
}

// encodeInner writes the children of a list or map value held in variable val.
func (g *gen) encodeInner(r *Ref, val, ind string) {
	s := g.shape(r.Shape)
	e := g.local("e")
	if s.Type == "list" {
		en := "member"
		if s.Member.LocationName != "" {
			en = s.Member.LocationName
		}
		g.p("%sfor %s := range %s {\n", ind, e, val)
		g.encodeValue(s.Member, en, fmt.Sprintf("%s[%s]", val, e), ind+"\t")
		g.p("%s}\n", ind)
		return
	}
	kn, vn := "key", "value"
	if s.Key.LocationName != "" {
		kn = s.Key.LocationName
	}
	if s.Value.LocationName != "" {
		vn = s.Value.LocationName
	}
	g.p("%sfor _, %s := range slices.Sorted(maps.Keys(%s)) {\n", ind, e, val)
	g.p("%s\tawsquery.Open(b, \"entry\")\n", ind)
	g.encodeValue(s.Key, kn, e, ind+"\t")
	mv := g.local("mv")
	g.p("%s\t%s := %s[%s]\n", ind, mv, val, e)
	g.encodeValue(s.Value, vn, mv, ind+"\t")
	g.p("%s\tawsquery.Close(b, \"entry\")\n", ind)
	g.p("%s}\n", ind)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
