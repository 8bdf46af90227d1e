-- iamd schema v5: the S3 bucket registry (issue 18). Bucket names are global, unique across every
-- account of the installation as they are across AWS, so the name alone is the key; listing an
-- account's buckets walks buckets_account in name order. The bucket's configuration (policy,
-- public access block, ownership, tags, CORS and further documents) lives in data (JSON).
CREATE TABLE buckets (
	name        TEXT PRIMARY KEY,
	account     TEXT NOT NULL,
	region      TEXT NOT NULL,
	create_date INTEGER NOT NULL, -- microseconds since the epoch
	data        TEXT NOT NULL
);
CREATE INDEX buckets_account ON buckets (account, name);
