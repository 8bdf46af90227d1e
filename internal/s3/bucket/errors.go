package bucket

import (
	"net/http"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// The errors only the bucket operations answer, in S3's codes and words (Amazon S3 API
// Reference, "Error responses"; the messages as S3 sends them).

func noSuchBucketPolicy(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist").With("BucketName", bucket)
}

func noSuchPublicAccessBlock(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found").With("BucketName", bucket)
}

func ownershipControlsNotFound(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found").With("BucketName", bucket)
}

func noSuchTagSet(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist").With("BucketName", bucket)
}

func noSuchCORS(bucket string) *s3err.Error {
	return s3err.New(http.StatusNotFound, "NoSuchCORSConfiguration", "The CORS configuration does not exist").With("BucketName", bucket)
}

func malformedPolicy(message string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "MalformedPolicy", message)
}

func invalidTag(message string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidTag", message)
}

func aclNotSupported() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "AccessControlListNotSupported", "The bucket does not allow ACLs")
}

func aclWithOwnership() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
}

func invalidLocationConstraint() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "InvalidLocationConstraint", "The specified location-constraint is not valid")
}

// illegalLocationConstraint: constraint "" is worded "unspecified".
func illegalLocationConstraint(constraint string) *s3err.Error {
	if constraint == "" {
		constraint = "unspecified"
	}
	return s3err.New(http.StatusBadRequest, "IllegalLocationConstraintException",
		"The "+constraint+" location constraint is incompatible for the region specific endpoint this request was sent to.")
}

// missingBody is S3's answer to a configuration Put without a body.
func missingBody() *s3err.Error {
	return s3err.New(http.StatusBadRequest, "MissingRequestBodyError", "Request Body is empty")
}

func corsForbidden(message string) *s3err.Error {
	return s3err.New(http.StatusForbidden, "AccessForbidden", message)
}

func badRequest(message string) *s3err.Error {
	return s3err.New(http.StatusBadRequest, "BadRequest", message)
}
