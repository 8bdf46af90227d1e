package bucket

import (
	"context"
	"errors"
	"net/http"

	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/store"
)

// call is one bucket operation on an existing bucket.
type call struct {
	account string // the caller's account
	b       *Bucket
	key     string
}

type handler func(r *Registry, w http.ResponseWriter, req *http.Request, c *call)

// handlers are the operations on an existing bucket, by s3op's operation names.
var handlers = map[string]handler{
	"DeleteBucket":                    (*Registry).deleteBucket,
	"HeadBucket":                      (*Registry).headBucket,
	"GetBucketLocation":               (*Registry).getBucketLocation,
	"GetBucketPolicy":                 (*Registry).getBucketPolicy,
	"PutBucketPolicy":                 (*Registry).putBucketPolicy,
	"DeleteBucketPolicy":              (*Registry).deleteBucketPolicy,
	"GetBucketPolicyStatus":           (*Registry).getBucketPolicyStatus,
	"GetPublicAccessBlock":            (*Registry).getPublicAccessBlock,
	"PutPublicAccessBlock":            (*Registry).putPublicAccessBlock,
	"DeletePublicAccessBlock":         (*Registry).deletePublicAccessBlock,
	"GetBucketOwnershipControls":      (*Registry).getOwnershipControls,
	"PutBucketOwnershipControls":      (*Registry).putOwnershipControls,
	"DeleteBucketOwnershipControls":   (*Registry).deleteOwnershipControls,
	"GetBucketAcl":                    (*Registry).getBucketACL,
	"PutBucketAcl":                    (*Registry).putBucketACL,
	"GetObjectAcl":                    (*Registry).getObjectACL,
	"PutObjectAcl":                    (*Registry).putObjectACL,
	"GetBucketTagging":                (*Registry).getBucketTagging,
	"PutBucketTagging":                (*Registry).putBucketTagging,
	"DeleteBucketTagging":             (*Registry).deleteBucketTagging,
	"GetBucketCors":                   (*Registry).getBucketCORS,
	"PutBucketCors":                   (*Registry).putBucketCORS,
	"DeleteBucketCors":                (*Registry).deleteBucketCORS,
	"GetBucketVersioning":             (*Registry).getBucketVersioning,
	"GetBucketEncryption":             (*Registry).getBucketEncryption,
	"GetBucketRequestPayment":         (*Registry).getBucketRequestPayment,
	"PutBucketVersioning":             notImplemented,
	"PutBucketEncryption":             notImplemented,
	"DeleteBucketEncryption":          notImplemented,
	"GetBucketLifecycleConfiguration": notImplemented,
}

func notImplemented(_ *Registry, w http.ResponseWriter, req *http.Request, _ *call) {
	answerErr(w, req, s3err.NotImplemented())
}

// Serve answers one bucket operation (op is s3op's name of it) for a caller of account, after
// the front has authorized it. bucketName and key are the classifier's.
func (r *Registry) Serve(w http.ResponseWriter, req *http.Request, op, account, bucketName, key string) {
	switch op {
	case "ListBuckets":
		r.listBuckets(w, req, account)
		return
	case "CreateBucket":
		r.createBucket(w, req, account, bucketName)
		return
	}
	h, found := handlers[op]
	if !found {
		answerErr(w, req, s3err.NotImplemented())
		return
	}
	b, err := r.Get(req.Context(), bucketName)
	if err != nil {
		failure(w, req, err)
		return
	}
	if b == nil {
		answerErr(w, req, s3err.NoSuchBucket(bucketName))
		return
	}
	h(r, w, req, &call{account: account, b: b, key: key})
}

// update changes the stored bucket in one write transaction: fn sees the bucket as stored now
// (not as cached) and changes it; an error of fn is returned as it is.
func (r *Registry) update(ctx context.Context, name string, fn func(tx store.Tx, b *store.Bucket) error) error {
	return r.cfg.Store.Write(ctx, func(tx store.Tx) error {
		b, err := tx.Bucket(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return s3err.NoSuchBucket(name)
		}
		if err != nil {
			return err
		}
		if err := fn(tx, &b); err != nil {
			return err
		}
		return tx.UpdateBucket(ctx, b)
	})
}

// change runs update and answers: status on success, the error otherwise.
func (r *Registry) change(w http.ResponseWriter, req *http.Request, c *call, status int, fn func(tx store.Tx, b *store.Bucket) error) {
	if err := r.update(req.Context(), c.b.Name, fn); err != nil {
		failure(w, req, err)
		return
	}
	if status == http.StatusNoContent {
		noContent(w)
		return
	}
	ok(w)
}
