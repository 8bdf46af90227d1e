package console

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 pages: the principal's buckets, a bucket's objects browsed by prefix, download, upload,
// deletion, and the bucket policy. As the IAM pages, every call is S3's API with the session's
// credentials, so a page shows S3's own answer (AccessDenied, NoSuchKey, MalformedPolicy, …).

// maxUpload bounds an object uploaded through the console (the form's whole body). Bigger
// objects are the CLI's: a browser form has no multipart upload. A variable for its test only.
var maxUpload int64 = 100 << 20

// uploadMemory is how much of an upload is held in memory; the rest goes to a temporary file
// (which the SDK can seek back over to sign the payload).
const uploadMemory = 8 << 20

// s3With returns an S3 client acting with creds: path-style, through the node's handler in
// process as the IAM client (api.go).
func (c *Console) s3With(r *http.Request, creds Credentials) (*s3.Client, context.Context) {
	return c.s3Client(r, creds, inProcess{c.cfg.API})
}

func (c *Console) s3Client(r *http.Request, creds Credentials, transport http.RoundTripper) (*s3.Client, context.Context) {
	return s3.NewFromConfig(c.sdkConfig(creds, transport), func(o *s3.Options) {
		o.UsePathStyle, o.HTTPSignerV4 = true, c.signer()
	}), c.callContext(r)
}

func (c *Console) s3api(r *http.Request, sess session) (*s3.Client, context.Context) {
	return c.s3With(r, sess.actingCreds())
}

// s3status is the page's status for an S3 error: S3's missing things are 404s and its
// conflicts 409s, where the IAM-worded status would say 400.
func s3status(e *apiError) int {
	if e == nil {
		return http.StatusOK
	}
	switch e.Code {
	case "NoSuchBucket", "NoSuchKey", "NoSuchBucketPolicy":
		return http.StatusNotFound
	case "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "OperationAborted":
		return http.StatusConflict
	case "EntityTooLarge":
		return http.StatusRequestEntityTooLarge
	}
	return e.status()
}

// moreRoutes registers the S3, account settings, identity provider, instance profile, "why was
// I denied" and organization pages (routes() calls it last).
func (c *Console) moreRoutes(handle func(string, http.HandlerFunc)) {
	c.s3Routes(handle)
	c.settingsRoutes(handle)
	c.providerRoutes(handle)
	c.enrolledRoutes(handle)
	c.deniedRoutes(handle)
	c.orgRoutes(handle)
}

func (c *Console) s3Routes(handle func(string, http.HandlerFunc)) {
	handle("GET /console/s3", c.signedIn(c.buckets))
	handle("POST /console/s3", c.signedIn(c.createBucket))
	handle("GET /console/s3/{name}", c.signedIn(c.bucket))
	handle("POST /console/s3/{name}/delete", c.signedIn(c.deleteBucket))
	handle("GET /console/s3/{name}/object", c.signedIn(c.download))
	handle("POST /console/s3/{name}/object/delete", c.signedIn(c.deleteObject))
	handle("POST /console/s3/{name}/upload", c.upload)
	handle("GET /console/s3/{name}/policy", c.signedIn(c.bucketPolicyEditor))
	handle("POST /console/s3/{name}/policy", c.signedIn(c.editorPost("bucket-policy")))
	handle("POST /console/s3/{name}/policy/delete", c.signedIn(c.deleteBucketPolicy))
}

// The bucket policy is edited in the policy editor, validated as a resource policy; Save is
// PutBucketPolicy, whose MalformedPolicy answer is shown as S3 words it.
func init() {
	editorModes["bucket-policy"] = editorMode{Kind: "resource", Heading: "Bucket policy of", SaveLabel: "Save bucket policy",
		save: func(c *Console, r *http.Request, sess session, f *editorForm) (string, error) {
			client, ctx := c.s3api(r, sess)
			name := r.PathValue("name")
			_, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(f.Document)})
			return bucketURL(name), err
		}}
}

func bucketURL(name string) string { return Prefix + "/s3/" + url.PathEscape(name) }

type bucketRow struct {
	Name    string
	Created time.Time
}

type bucketsPage struct {
	Token, Next string
	Buckets     []bucketRow
	NewName     string
}

// buckets lists the buckets ListBuckets gives the principal, a page at a time.
func (c *Console) buckets(w http.ResponseWriter, r *http.Request, sess session) {
	c.showBuckets(w, r, sess, "", nil)
}

func (c *Console) showBuckets(w http.ResponseWriter, r *http.Request, sess session, newName string, actionErr *apiError) {
	client, ctx := c.s3api(r, sess)
	d := c.page(sess, "Buckets", "s3")
	p := bucketsPage{Token: r.URL.Query().Get("token"), NewName: newName}
	out, err := client.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(pageSize), ContinuationToken: optional(p.Token)})
	if err != nil {
		d.Error = explain(err)
	} else {
		for _, b := range out.Buckets {
			p.Buckets = append(p.Buckets, bucketRow{Name: aws.ToString(b.Name), Created: aws.ToTime(b.CreationDate)})
		}
		p.Next = aws.ToString(out.ContinuationToken)
	}
	if actionErr != nil {
		d.Error = actionErr
	}
	d.Page = p
	c.render(w, r, s3status(d.Error), "buckets.html", d)
}

// createBucket creates a bucket (CreateBucket) and opens it.
func (c *Console) createBucket(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.s3api(r, sess)
	name := strings.TrimSpace(r.PostFormValue("name"))
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		c.showBuckets(w, r, sess, name, explain(err))
		return
	}
	http.Redirect(w, r, bucketURL(name), http.StatusSeeOther)
}

type objectRow struct {
	Key, Name string
	Size      int64
	Modified  time.Time
}

type bucketPage struct {
	Bucket, Prefix, Token, Next string
	// Parents are the prefixes above Prefix, for the breadcrumb.
	Parents   []prefixLink
	Folders   []prefixLink
	Objects   []objectRow
	Policy    string
	HasPolicy bool
	// PolicyError is GetBucketPolicy's error other than NoSuchBucketPolicy.
	PolicyError *apiError
	MaxUpload   int64
}

type prefixLink struct{ Name, Prefix string }

// bucket shows a bucket's objects under a prefix, "/" delimited (ListObjectsV2, a page at a
// time), with the upload form and the bucket's policy.
func (c *Console) bucket(w http.ResponseWriter, r *http.Request, sess session) {
	c.showBucket(w, r, sess, nil)
}

func (c *Console) showBucket(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.s3api(r, sess)
	name := r.PathValue("name")
	q := r.URL.Query()
	d := c.page(sess, "Bucket "+name, "s3")
	p := bucketPage{Bucket: name, Prefix: q.Get("prefix"), Token: q.Get("token"), MaxUpload: maxUpload >> 20}
	if r.Method == http.MethodPost {
		p.Prefix = r.PostFormValue("prefix")
	}
	acc := ""
	for _, part := range strings.SplitAfter(p.Prefix, "/") {
		if part == "" {
			break
		}
		acc += part
		p.Parents = append(p.Parents, prefixLink{Name: part, Prefix: acc})
	}
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name), Prefix: optional(p.Prefix),
		Delimiter: aws.String("/"), MaxKeys: aws.Int32(pageSize), ContinuationToken: optional(p.Token)})
	if err != nil {
		d.Error = explain(err)
	} else {
		for _, cp := range out.CommonPrefixes {
			pre := aws.ToString(cp.Prefix)
			p.Folders = append(p.Folders, prefixLink{Name: strings.TrimPrefix(pre, p.Prefix), Prefix: pre})
		}
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			if k == p.Prefix && strings.HasSuffix(k, "/") {
				continue // the "folder" object a prefix may have: the folder is the page itself
			}
			p.Objects = append(p.Objects, objectRow{Key: k, Name: strings.TrimPrefix(k, p.Prefix), Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)})
		}
		if aws.ToBool(out.IsTruncated) {
			p.Next = aws.ToString(out.NextContinuationToken)
		}
		pol, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)})
		switch e := explain(err); {
		case e == nil:
			p.Policy, p.HasPolicy = documentText(aws.ToString(pol.Policy)), true
		case e.Code != "NoSuchBucketPolicy":
			p.PolicyError = e
		}
	}
	if actionErr != nil {
		d.Error = actionErr
	}
	d.Page = p
	c.render(w, r, s3status(d.Error), "bucket.html", d)
}

// afterBucketAction goes back to the bucket's listing at the form's prefix, or shows the error.
func (c *Console) afterBucketAction(w http.ResponseWriter, r *http.Request, sess session, err error) {
	if err != nil {
		c.showBucket(w, r, sess, explain(err))
		return
	}
	to := bucketURL(r.PathValue("name"))
	if pre := r.PostFormValue("prefix"); pre != "" {
		to += "?prefix=" + url.QueryEscape(pre)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// deleteBucket deletes the bucket (DeleteBucket: S3 refuses one that is not empty); its name,
// typed again, confirms it.
func (c *Console) deleteBucket(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != name {
		c.showBucket(w, r, sess, &apiError{Code: "ValidationError", Message: "Type the bucket's name to confirm the deletion."})
		return
	}
	client, ctx := c.s3api(r, sess)
	if _, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
		c.showBucket(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/s3", http.StatusSeeOther)
}

// deleteObject deletes an object (DeleteObject).
func (c *Console) deleteObject(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.s3api(r, sess)
	_, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(r.PathValue("name")), Key: aws.String(r.PostFormValue("key"))})
	c.afterBucketAction(w, r, sess, err)
}

// download streams an object (GetObject) to the browser as an attachment, so a browser saves
// it rather than rendering content from the bucket under the console's origin.
func (c *Console) download(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.s3Client(r, sess.actingCreds(), streamingInProcess{c.cfg.API})
	key := r.URL.Query().Get("key")
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.PathValue("name")), Key: aws.String(key)})
	if err != nil {
		// The listing the download was asked from, with S3's answer.
		q := r.URL.Query()
		q.Set("prefix", prefixOf(key))
		r.URL.RawQuery = q.Encode()
		c.showBucket(w, r, sess, explain(err))
		return
	}
	defer out.Body.Close()
	h := w.Header()
	// Whatever type the object claims, the browser gets bytes to save.
	h.Set("Content-Type", "application/octet-stream")
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)})
	if cd == "" { // a name FormatMediaType cannot carry: an attachment still, unnamed
		cd = "attachment"
	}
	h.Set("Content-Disposition", cd)
	if out.ContentLength != nil {
		h.Set("Content-Length", strconv.FormatInt(*out.ContentLength, 10))
	}
	if _, err := io.Copy(w, out.Body); err != nil {
		c.cfg.Logger.Warn("console: download", "err", err)
	}
}

// prefixOf is the "folder" a key is in.
func prefixOf(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[:i+1]
	}
	return ""
}

// upload stores a file from a multipart/form-data form (PutObject) under the form's prefix. It
// is signedIn's checks by hand: the body is multipart and larger than a form's, so it is
// bounded by maxUpload and parsed here before the CSRF token is checked.
func (c *Console) upload(w http.ResponseWriter, r *http.Request) {
	sess, ok := c.current(r)
	if !ok || sess.stage != stageSignedIn {
		c.csrfRefused(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	err := r.ParseMultipartForm(uploadMemory)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		// The token cannot be read from a body cut short; the session's cookie (SameSite=Strict)
		// and the origin check already stand for the browser.
		d := c.page(sess, "Bucket "+r.PathValue("name"), "s3")
		d.Error = &apiError{Code: "EntityTooLarge", Message: "The console uploads files of at most " + strconv.FormatInt(maxUpload>>20, 10) + " MB; use the CLI for larger ones."}
		d.Page = bucketPage{Bucket: r.PathValue("name"), MaxUpload: maxUpload >> 20}
		c.render(w, r, http.StatusRequestEntityTooLarge, "bucket.html", d)
		return
	}
	if err != nil || !tokenEqual(r.PostFormValue("csrf"), sess.csrf) {
		c.csrfRefused(w, r)
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		c.showBucket(w, r, sess, &apiError{Code: "ValidationError", Message: "Choose a file to upload."})
		return
	}
	defer f.Close()
	key := r.PostFormValue("prefix") + path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
	if k := strings.TrimSpace(r.PostFormValue("key")); k != "" {
		key = r.PostFormValue("prefix") + k
	}
	in := &s3.PutObjectInput{Bucket: aws.String(r.PathValue("name")), Key: aws.String(key), Body: f, ContentLength: aws.Int64(fh.Size)}
	if ct := fh.Header.Get("Content-Type"); ct != "" {
		in.ContentType = aws.String(ct)
	}
	client, ctx := c.s3api(r, sess)
	_, err = client.PutObject(ctx, in)
	c.afterBucketAction(w, r, sess, err)
}

// bucketPolicyEditor opens the editor on the bucket's policy (GetBucketPolicy), or a new one.
func (c *Console) bucketPolicyEditor(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PathValue("name")
	f := &editorForm{Action: bucketURL(name) + "/policy", Back: bucketURL(name), Name: name, Document: newBucketPolicy(name)}
	client, ctx := c.s3api(r, sess)
	out, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)})
	e := explain(err)
	switch {
	case e == nil:
		f.Document = documentText(aws.ToString(out.Policy))
	case e.Code == "NoSuchBucketPolicy":
		e = nil
	}
	c.showEditor(w, r, sess, "bucket-policy", f, s3status(e), e)
}

// newBucketPolicy is the skeleton a bucket without a policy starts from.
func newBucketPolicy(bucket string) string {
	return `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": ""
      },
      "Action": [
        "s3:GetObject"
      ],
      "Resource": "arn:aws:s3:::` + bucket + `/*"
    }
  ]
}`
}

// deleteBucketPolicy removes the bucket's policy (DeleteBucketPolicy).
func (c *Console) deleteBucketPolicy(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.s3api(r, sess)
	_, err := client.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(r.PathValue("name"))})
	c.afterBucketAction(w, r, sess, err)
}

// streamingInProcess is inProcess for answers too large to hold: the node's handler writes the
// body into a pipe the SDK reads from, so a download costs the console no more memory than a
// pipe's buffer, whatever the object's size. The response is returned once the handler has
// written its header.
type streamingInProcess struct{ h http.Handler }

func (t streamingInProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.Host, r.RequestURI = r.URL.Host, r.URL.RequestURI()
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.RemoteAddr = "127.0.0.1:0"
	if b, ok := req.Context().Value(browserKey{}).(browser); ok {
		r.RemoteAddr, r.TLS = b.remoteAddr, b.tls
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, body: pw, ready: make(chan struct{})}
	go func() {
		defer func() {
			w.writeHeader(http.StatusOK)
			pw.Close()
		}()
		t.h.ServeHTTP(w, r)
	}()
	<-w.ready
	return &http.Response{Status: http.StatusText(w.status), StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.sent, Body: pr, ContentLength: contentLength(w.sent), Request: req}, nil
}

func contentLength(h http.Header) int64 {
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil {
		return n
	}
	return -1
}

// pipeWriter is the handler's ResponseWriter: the header is handed over when written, the body
// goes into the pipe (a reader that stops reading closes it, and the handler's writes fail).
type pipeWriter struct {
	header, sent http.Header
	status       int
	body         *io.PipeWriter
	ready        chan struct{}
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) { w.writeHeader(code) }

func (w *pipeWriter) writeHeader(code int) {
	if w.sent != nil {
		return
	}
	w.status, w.sent = code, w.header.Clone()
	close(w.ready)
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.writeHeader(http.StatusOK)
	return w.body.Write(b)
}
