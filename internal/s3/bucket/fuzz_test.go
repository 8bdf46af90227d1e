package bucket

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strconv"
	"testing"
)

// Each parser of a configuration document: it never panics, and what it accepts, written back
// as iamd answers it, reads back the same.

func FuzzPublicAccessBlock(f *testing.F) {
	f.Add([]byte(`<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>1</BlockPublicPolicy><RestrictPublicBuckets>0</RestrictPublicBuckets></PublicAccessBlockConfiguration>`))
	f.Add([]byte(`<PublicAccessBlockConfiguration/>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, e := parsePublicAccessBlock(body)
		if e != nil {
			return
		}
		out, err := xml.Marshal(publicAccessBlockConfiguration{BlockPublicAcls: p.BlockPublicAcls, IgnorePublicAcls: p.IgnorePublicAcls,
			BlockPublicPolicy: p.BlockPublicPolicy, RestrictPublicBuckets: p.RestrictPublicBuckets})
		if err != nil {
			t.Fatal(err)
		}
		if again, e := parsePublicAccessBlock(out); e != nil || again != p {
			t.Fatalf("%s → %+v → %s → %+v %v", body, p, out, again, e)
		}
	})
}

func FuzzTagging(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag><Tag><Key>cost center</Key><Value></Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>aws:x</Key><Value>1</Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet/></Tagging>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tags, e := parseTagging(body)
		if e != nil {
			return
		}
		out := tagging{TagSet: tagSet{Tags: make([]xmlTag, len(tags))}}
		for i := range tags {
			out.TagSet.Tags[i] = xmlTag{Key: &tags[i].Key, Value: &tags[i].Value}
		}
		doc, err := xml.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		again, e := parseTagging(doc)
		if e != nil || !reflect.DeepEqual(again, tags) {
			t.Fatalf("%q → %+v → %s → %+v %v", body, tags, doc, again, e)
		}
	})
}

func FuzzCORS(f *testing.F) {
	f.Add([]byte(`<CORSConfiguration><CORSRule><ID>r</ID><AllowedHeader>x-amz-*</AllowedHeader><AllowedMethod>PUT</AllowedMethod><AllowedOrigin>https://*.example.com</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`))
	f.Add([]byte(`<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule><CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rules, e := parseCORS(body)
		if e != nil {
			return
		}
		var out corsConfiguration
		for _, r := range rules {
			x := xmlCORSRule{ID: r.ID, AllowedHeaders: r.AllowedHeaders, AllowedMethods: r.AllowedMethods, AllowedOrigins: r.AllowedOrigins, ExposeHeaders: r.ExposeHeaders}
			if r.MaxAgeSeconds != nil {
				s := strconv.Itoa(*r.MaxAgeSeconds)
				x.MaxAgeSeconds = &s
			}
			out.Rules = append(out.Rules, x)
		}
		doc, err := xml.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		again, e := parseCORS(doc)
		if e != nil || !reflect.DeepEqual(again, rules) {
			t.Fatalf("%q → %+v → %s → %+v %v", body, rules, doc, again, e)
		}
		// Matching never panics and a stored configuration reads back.
		match(rules, "https://a.example.com", "GET", []string{"x-amz-date"})
		js, _ := json.Marshal(rules)
		var stored []corsRule
		if err := json.Unmarshal(js, &stored); err != nil || !reflect.DeepEqual(stored, rules) {
			t.Fatalf("stored rules %s read back as %+v (%v)", js, stored, err)
		}
	})
}

func FuzzCreateBucketConfiguration(f *testing.F) {
	f.Add([]byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`))
	f.Add([]byte(`<CreateBucketConfiguration><Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags></CreateBucketConfiguration>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, e := parseCreateBucketConfiguration(body)
		if e != nil {
			return
		}
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			if checkLocation(c.LocationConstraint, region) == nil && c.LocationConstraint != "" && c.LocationConstraint != region {
				t.Fatalf("%q accepted in %s", c.LocationConstraint, region)
			}
		}
		if c.Tags != nil {
			c.Tags.validate()
		}
	})
}

func FuzzOwnershipControls(f *testing.F) {
	f.Add([]byte(`<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`))
	f.Add([]byte(`<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule/></OwnershipControls>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, e := parseOwnershipControls(body)
		if e != nil {
			return
		}
		doc, err := xml.Marshal(ownershipControls{Rules: []ownershipRule{{v}}})
		if err != nil {
			t.Fatal(err)
		}
		if again, e := parseOwnershipControls(doc); e != nil || again != v {
			t.Fatalf("%q → %s → %s → %s %v", body, v, doc, again, e)
		}
	})
}

// FuzzIsPublic: IsPublic never panics, and does not depend on how the document is laid out.
func FuzzIsPublic(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`)
	f.Add(`{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"NotAction":"s3:x","Resource":"*","Condition":{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:1:accesspoint/*"}}}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		got := IsPublic(doc)
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(doc), "", "  ") == nil {
			if again := IsPublic(buf.String()); again != got {
				t.Fatalf("IsPublic(%s) = %v, indented %v", doc, got, again)
			}
		}
		validatePolicy([]byte(doc), "b")
	})
}
