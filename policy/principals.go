package policy

// AWSPrincipal is one value of a statement's Principal or NotPrincipal "AWS" element, with the
// byte range of its JSON string in the document (quotes included), so that a caller can show
// the document with a principal written another way (IAM shows a deleted principal by its
// unique id) without touching anything else in it.
type AWSPrincipal struct {
	Value      string
	Start, End int
}

// AWSPrincipals lists the "AWS" principal values of doc in document order. A document that is
// not JSON has none; callers use it on documents that were validated when stored.
func AWSPrincipals(doc []byte) []AWSPrincipal {
	root, err := parseJSON(doc)
	if err != nil || root.kind != jObject {
		return nil
	}
	var out []AWSPrincipal
	for _, m := range root.obj {
		if m.key != "Statement" {
			continue
		}
		for _, st := range elems(m.val) {
			if st.kind != jObject {
				continue
			}
			for _, sm := range st.obj {
				if (sm.key != "Principal" && sm.key != "NotPrincipal") || sm.val.kind != jObject {
					continue
				}
				for _, pm := range sm.val.obj {
					if pm.key != "AWS" {
						continue
					}
					for _, v := range elems(pm.val) {
						if v.kind == jString {
							out = append(out, AWSPrincipal{Value: v.str, Start: v.off, End: v.end})
						}
					}
				}
			}
		}
	}
	return out
}

// elems is an array's elements, or a lone value as one: policy elements take either form.
func elems(v *jvalue) []*jvalue {
	if v.kind == jArray {
		return v.arr
	}
	return []*jvalue{v}
}
