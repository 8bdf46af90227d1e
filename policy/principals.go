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
		sts := []*jvalue{m.val}
		if m.val.kind == jArray {
			sts = m.val.arr
		}
		for _, st := range sts {
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
					vals := []*jvalue{pm.val}
					if pm.val.kind == jArray {
						vals = pm.val.arr
					}
					for _, v := range vals {
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
