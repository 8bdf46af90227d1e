package s3op

// decl is one operation's declaration: who answers it and what it needs.
type decl struct {
	// gateway: iamd's bucket registry answers it (Op.Gateway).
	gateway bool
	// write: it writes the object its key names, so a key over MaxKeyLength bytes is
	// KeyTooLongError.
	write bool
	// auth appends the call's authorizations, Access[0] first; nil for a call without any
	// (a CORS preflight).
	auth func(c *call)
}

// Shorthands for the rows of one action on the call's own resource.

func onService(action string) func(*call) { return func(c *call) { c.service(action) } }
func onBucket(action string) func(*call)  { return func(c *call) { c.bucket(action) } }
func onObject(action string) func(*call)  { return func(c *call) { c.object(action) } }

// onVersion is action on the object, or its version variant when the call names a versionId.
func onVersion(action string) func(*call) { return func(c *call) { c.version(action) } }

// table declares every operation of the S3 API Reference iamd serves, after AWS's Service
// Authorization Reference for Amazon S3 and "Required permissions for Amazon S3 API
// operations". An operation missing here is NotImplemented (see notImplemented).
var table = map[string]decl{
	// The service.
	"ListBuckets":      {gateway: true, auth: onService("s3:ListAllMyBuckets")},
	"PreflightRequest": {},

	// Listing a bucket.
	"ListObjects":          {auth: func(c *call) { c.bucket("s3:ListBucket", c.listKeys()...) }},
	"ListObjectsV2":        {auth: func(c *call) { c.bucket("s3:ListBucket", c.listKeys()...) }},
	"ListObjectVersions":   {auth: func(c *call) { c.bucket("s3:ListBucketVersions", c.listKeys()...) }},
	"ListMultipartUploads": {auth: onBucket("s3:ListBucketMultipartUploads")},

	// The bucket itself.
	"CreateBucket": {gateway: true, auth: func(c *call) {
		c.bucket("s3:CreateBucket", append(c.aclKeys(), c.headerKey("s3:x-amz-object-ownership", "X-Amz-Object-Ownership")...)...)
		if c.hasACL() {
			c.bucket("s3:PutBucketAcl", c.aclKeys()...)
		}
		if c.h.Get("X-Amz-Object-Ownership") != "" {
			c.bucket("s3:PutBucketOwnershipControls", c.headerKey("s3:x-amz-object-ownership", "X-Amz-Object-Ownership")...)
		}
		if eqFold(c.h.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
			c.bucket("s3:PutBucketObjectLockConfiguration")
			c.bucket("s3:PutBucketVersioning")
		}
	}},
	"DeleteBucket":      {gateway: true, auth: onBucket("s3:DeleteBucket")},
	"HeadBucket":        {gateway: true, auth: onBucket("s3:ListBucket")},
	"GetBucketLocation": {gateway: true, auth: onBucket("s3:GetBucketLocation")},

	// Bucket configurations the registry keeps.
	"GetBucketPolicy":               {gateway: true, auth: onBucket("s3:GetBucketPolicy")},
	"PutBucketPolicy":               {gateway: true, auth: onBucket("s3:PutBucketPolicy")},
	"DeleteBucketPolicy":            {gateway: true, auth: onBucket("s3:DeleteBucketPolicy")},
	"GetBucketPolicyStatus":         {gateway: true, auth: onBucket("s3:GetBucketPolicyStatus")},
	"GetPublicAccessBlock":          {gateway: true, auth: onBucket("s3:GetBucketPublicAccessBlock")},
	"PutPublicAccessBlock":          {gateway: true, auth: onBucket("s3:PutBucketPublicAccessBlock")},
	"DeletePublicAccessBlock":       {gateway: true, auth: onBucket("s3:PutBucketPublicAccessBlock")},
	"GetBucketOwnershipControls":    {gateway: true, auth: onBucket("s3:GetBucketOwnershipControls")},
	"PutBucketOwnershipControls":    {gateway: true, auth: onBucket("s3:PutBucketOwnershipControls")},
	"DeleteBucketOwnershipControls": {gateway: true, auth: onBucket("s3:PutBucketOwnershipControls")},
	"GetBucketAcl":                  {gateway: true, auth: onBucket("s3:GetBucketAcl")},
	"PutBucketAcl":                  {gateway: true, auth: func(c *call) { c.bucket("s3:PutBucketAcl", c.aclKeys()...) }},
	"GetBucketTagging":              {gateway: true, auth: onBucket("s3:GetBucketTagging")},
	"PutBucketTagging":              {gateway: true, auth: onBucket("s3:PutBucketTagging")},
	"DeleteBucketTagging":           {gateway: true, auth: onBucket("s3:PutBucketTagging")},
	"GetBucketCors":                 {gateway: true, auth: onBucket("s3:GetBucketCORS")},
	"PutBucketCors":                 {gateway: true, auth: onBucket("s3:PutBucketCORS")},
	"DeleteBucketCors":              {gateway: true, auth: onBucket("s3:PutBucketCORS")},
	"GetBucketVersioning":           {gateway: true, auth: onBucket("s3:GetBucketVersioning")},
	"PutBucketVersioning":           {gateway: true, auth: onBucket("s3:PutBucketVersioning")},
	"GetBucketEncryption":           {gateway: true, auth: onBucket("s3:GetEncryptionConfiguration")},
	"PutBucketEncryption":           {gateway: true, auth: onBucket("s3:PutEncryptionConfiguration")},
	"DeleteBucketEncryption":        {gateway: true, auth: onBucket("s3:PutEncryptionConfiguration")},

	// Bucket configurations the backend keeps (or refuses).
	"GetBucketLifecycleConfiguration":                 {auth: onBucket("s3:GetLifecycleConfiguration")},
	"PutBucketLifecycleConfiguration":                 {auth: onBucket("s3:PutLifecycleConfiguration")},
	"DeleteBucketLifecycle":                           {auth: onBucket("s3:PutLifecycleConfiguration")},
	"GetBucketWebsite":                                {auth: onBucket("s3:GetBucketWebsite")},
	"PutBucketWebsite":                                {auth: onBucket("s3:PutBucketWebsite")},
	"DeleteBucketWebsite":                             {auth: onBucket("s3:DeleteBucketWebsite")},
	"GetBucketLogging":                                {auth: onBucket("s3:GetBucketLogging")},
	"PutBucketLogging":                                {auth: onBucket("s3:PutBucketLogging")},
	"GetBucketNotificationConfiguration":              {auth: onBucket("s3:GetBucketNotification")},
	"PutBucketNotificationConfiguration":              {auth: onBucket("s3:PutBucketNotification")},
	"GetObjectLockConfiguration":                      {auth: onBucket("s3:GetBucketObjectLockConfiguration")},
	"PutObjectLockConfiguration":                      {auth: onBucket("s3:PutBucketObjectLockConfiguration")},
	"GetBucketReplication":                            {auth: onBucket("s3:GetReplicationConfiguration")},
	"PutBucketReplication":                            {auth: onBucket("s3:PutReplicationConfiguration")}, // the front adds iam:PassRole for the body's Role
	"DeleteBucketReplication":                         {auth: onBucket("s3:PutReplicationConfiguration")},
	"GetBucketRequestPayment":                         {auth: onBucket("s3:GetBucketRequestPayment")},
	"PutBucketRequestPayment":                         {auth: onBucket("s3:PutBucketRequestPayment")},
	"GetBucketAccelerateConfiguration":                {auth: onBucket("s3:GetAccelerateConfiguration")},
	"PutBucketAccelerateConfiguration":                {auth: onBucket("s3:PutAccelerateConfiguration")},
	"GetBucketAnalyticsConfiguration":                 {auth: onBucket("s3:GetAnalyticsConfiguration")},
	"ListBucketAnalyticsConfigurations":               {auth: onBucket("s3:GetAnalyticsConfiguration")},
	"PutBucketAnalyticsConfiguration":                 {auth: onBucket("s3:PutAnalyticsConfiguration")},
	"DeleteBucketAnalyticsConfiguration":              {auth: onBucket("s3:PutAnalyticsConfiguration")},
	"GetBucketInventoryConfiguration":                 {auth: onBucket("s3:GetInventoryConfiguration")},
	"ListBucketInventoryConfigurations":               {auth: onBucket("s3:GetInventoryConfiguration")},
	"PutBucketInventoryConfiguration":                 {auth: onBucket("s3:PutInventoryConfiguration")},
	"DeleteBucketInventoryConfiguration":              {auth: onBucket("s3:PutInventoryConfiguration")},
	"GetBucketMetricsConfiguration":                   {auth: onBucket("s3:GetMetricsConfiguration")},
	"ListBucketMetricsConfigurations":                 {auth: onBucket("s3:GetMetricsConfiguration")},
	"PutBucketMetricsConfiguration":                   {auth: onBucket("s3:PutMetricsConfiguration")},
	"DeleteBucketMetricsConfiguration":                {auth: onBucket("s3:PutMetricsConfiguration")},
	"GetBucketIntelligentTieringConfiguration":        {auth: onBucket("s3:GetIntelligentTieringConfiguration")},
	"ListBucketIntelligentTieringConfigurations":      {auth: onBucket("s3:GetIntelligentTieringConfiguration")},
	"PutBucketIntelligentTieringConfiguration":        {auth: onBucket("s3:PutIntelligentTieringConfiguration")},
	"DeleteBucketIntelligentTieringConfiguration":     {auth: onBucket("s3:PutIntelligentTieringConfiguration")},
	"GetBucketAbac":                                   {auth: onBucket("s3:GetBucketAbac")},
	"PutBucketAbac":                                   {auth: onBucket("s3:PutBucketAbac")},
	"GetBucketMetadataTableConfiguration":             {auth: onBucket("s3:GetBucketMetadataTableConfiguration")},
	"CreateBucketMetadataTableConfiguration":          {auth: onBucket("s3:CreateBucketMetadataTableConfiguration")},
	"DeleteBucketMetadataTableConfiguration":          {auth: onBucket("s3:DeleteBucketMetadataTableConfiguration")},
	"GetBucketMetadataConfiguration":                  {auth: onBucket("s3:GetBucketMetadataTableConfiguration")},
	"CreateBucketMetadataConfiguration":               {auth: onBucket("s3:CreateBucketMetadataTableConfiguration")},
	"DeleteBucketMetadataConfiguration":               {auth: onBucket("s3:DeleteBucketMetadataTableConfiguration")},
	"UpdateBucketMetadataJournalTableConfiguration":   {auth: onBucket("s3:UpdateBucketMetadataJournalTableConfiguration")},
	"UpdateBucketMetadataInventoryTableConfiguration": {auth: onBucket("s3:UpdateBucketMetadataInventoryTableConfiguration")},

	// Objects named in the body.
	"DeleteObjects": {auth: func(c *call) {
		c.perKey("s3:DeleteObject")
		if c.bypassGovernance() {
			c.perKey("s3:BypassGovernanceRetention")
		}
	}},
	"PostObject": {auth: func(c *call) { c.perKey("s3:PutObject") }},

	// Reading objects.
	"GetObject":  {auth: onVersion("s3:GetObject")},
	"HeadObject": {auth: onVersion("s3:GetObject")},
	"GetObjectAttributes": {auth: func(c *call) {
		c.version("s3:GetObject")
		c.version("s3:GetObjectAttributes")
	}},
	"GetObjectTorrent":    {auth: onObject("s3:GetObjectTorrent")},
	"SelectObjectContent": {auth: onObject("s3:GetObject")},
	"RestoreObject":       {auth: onObject("s3:RestoreObject")},

	// Writing objects.
	"PutObject":             {write: true, auth: func(c *call) { c.write() }},
	"CreateMultipartUpload": {write: true, auth: func(c *call) { c.write() }},
	"CopyObject": {write: true, auth: func(c *call) {
		c.write()
		c.copySource()
	}},
	"UploadPart": {write: true, auth: func(c *call) { c.object("s3:PutObject", c.encryptionKeys()...) }},
	"UploadPartCopy": {write: true, auth: func(c *call) {
		c.object("s3:PutObject", c.copyKeys()...)
		c.copySource()
	}},
	"CompleteMultipartUpload": {write: true, auth: func(c *call) { c.object("s3:PutObject", c.conditionalKeys()...) }},
	"AbortMultipartUpload":    {auth: onObject("s3:AbortMultipartUpload")},
	"ListParts":               {auth: onObject("s3:ListMultipartUploadParts")},
	"DeleteObject": {auth: func(c *call) {
		c.version("s3:DeleteObject")
		if c.bypassGovernance() {
			c.object("s3:BypassGovernanceRetention")
		}
	}},
	"UpdateObjectEncryption": {auth: func(c *call) {
		c.object("s3:UpdateObjectEncryption", c.encryptionKeys()...)
		c.object("s3:PutObject", c.encryptionKeys()...)
	}},

	// An object's subresources.
	"GetObjectTagging":    {auth: onVersion("s3:GetObjectTagging")},
	"PutObjectTagging":    {auth: onVersion("s3:PutObjectTagging")}, // the front adds TagKeys of the body
	"DeleteObjectTagging": {auth: onVersion("s3:DeleteObjectTagging")},
	"GetObjectAcl":        {gateway: true, auth: onVersion("s3:GetObjectAcl")},
	"PutObjectAcl":        {gateway: true, auth: func(c *call) { c.version("s3:PutObjectAcl", c.aclKeys()...) }},
	"GetObjectLegalHold":  {auth: onObject("s3:GetObjectLegalHold")},
	"PutObjectLegalHold":  {auth: onObject("s3:PutObjectLegalHold")},
	"GetObjectRetention":  {auth: onObject("s3:GetObjectRetention")},
	"PutObjectRetention": {auth: func(c *call) {
		c.object("s3:PutObjectRetention")
		if c.bypassGovernance() {
			c.object("s3:BypassGovernanceRetention")
		}
	}},
}

// notImplemented are the operations of the S3 API Reference (and of the SDKs' S3 clients)
// iamd answers NotImplemented: those of directory buckets (S3 Express One Zone), S3 Object
// Lambda's, and the newest ones whose permissions AWS's references do not yet settle.
var notImplemented = []string{
	"CreateSession",                                    // directory buckets' session credentials
	"RenameObject",                                     // directory buckets only
	"ListDirectoryBuckets",                             // directory buckets; GET / is ListBuckets
	"WriteGetObjectResponse",                           // S3 Object Lambda
	"GetObjectAnnotation",                              // object annotations
	"ListObjectAnnotations",                            //
	"PutObjectAnnotation",                              //
	"DeleteObjectAnnotation",                           //
	"UpdateBucketMetadataAnnotationTableConfiguration", //
}
