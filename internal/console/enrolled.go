package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Enrolled instances: the machines given an instance profile's role by iamd's EnrollInstance
// (iamd's counterpart of EC2's instance-profile association), listed and revoked through iamd's
// own operations under /iamd/v1/, which no AWS SDK has: the console signs them as the SDK
// signs its calls (SigV4 for iam, the session's credentials) and sends them in process.

func (c *Console) enrolledRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET /console/instances", c.signedIn(c.enrolled))
	handle("POST /console/instances/revoke", c.signedIn(c.revokeInstance))
}

// iamdCall makes one of iamd's own operations with the session's credentials and decodes its
// JSON answer into out; an error is the API's, as explain words the SDK's.
func (c *Console) iamdCall(r *http.Request, sess session, action string, form url.Values, out any) *apiError {
	form.Set("Action", action)
	body := form.Encode()
	ctx := c.callContext(r)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+apiHost+"/iamd/v1/", strings.NewReader(body))
	if err != nil {
		return explain(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, sess.actingCreds().sdk(), req, hex.EncodeToString(sum[:]), "iam", "us-east-1", c.now()); err != nil {
		return explain(err)
	}
	resp, err := inProcess{c.cfg.API}.RoundTrip(req)
	if err != nil {
		return explain(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Code == "" {
			return &apiError{Code: "InternalFailure", Message: "The console could not complete the call."}
		}
		return &apiError{Code: e.Error.Code, Message: e.Error.Message, DecidedBy: resp.Header.Get(DecidedByHeader)}
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(out); err != nil {
		return &apiError{Code: "InternalFailure", Message: "The console could not read the answer."}
	}
	return nil
}

type enrolledInstance struct {
	InstanceId, InstanceArn, Region, AvailabilityZone string
	InstanceProfileName, Status                       string
	CreateDate                                        time.Time
	RevokeDate                                        *time.Time
}

type enrolledPage struct {
	Marker, Next string
	Instances    []enrolledInstance
}

// enrolled lists the account's enrolled instances (ListInstances, a page at a time).
func (c *Console) enrolled(w http.ResponseWriter, r *http.Request, sess session) {
	c.showEnrolled(w, r, sess, nil)
}

func (c *Console) showEnrolled(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	d := c.page(sess, "Enrolled instances", "profiles")
	p := enrolledPage{Marker: r.URL.Query().Get("marker")}
	form := url.Values{"MaxItems": {"50"}}
	if p.Marker != "" {
		form.Set("Marker", p.Marker)
	}
	var out struct {
		Instances   []enrolledInstance
		IsTruncated bool
		Marker      string
	}
	if e := c.iamdCall(r, sess, "ListInstances", form, &out); e != nil {
		d.Error = e
	} else {
		p.Instances = out.Instances
		if out.IsTruncated {
			p.Next = out.Marker
		}
	}
	if actionErr != nil {
		d.Error = actionErr
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "instances.html", d)
}

// revokeInstance revokes an instance's enrolment (RevokeInstance): its credential stops working.
func (c *Console) revokeInstance(w http.ResponseWriter, r *http.Request, sess session) {
	var out json.RawMessage
	if e := c.iamdCall(r, sess, "RevokeInstance", url.Values{"InstanceId": {r.PostFormValue("instance")}}, &out); e != nil {
		c.showEnrolled(w, r, sess, e)
		return
	}
	http.Redirect(w, r, Prefix+"/instances", http.StatusSeeOther)
}
