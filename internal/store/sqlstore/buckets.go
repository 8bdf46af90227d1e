package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Statements on the S3 bucket registry (migration 5). The name is the primary key: bucket names
// are global.
const (
	bucketCols            = `name, account, region, create_date, data`
	insertBucket          = `INSERT INTO buckets (name, account, region, create_date, data) VALUES (?, ?, ?, ?, ?)`
	selectBucket          = `SELECT ` + bucketCols + ` FROM buckets WHERE name = ?`
	updateBucket          = `UPDATE buckets SET region = ?, data = ? WHERE name = ?`
	deleteBucket          = `DELETE FROM buckets WHERE name = ?`
	selectBucketsPage     = `SELECT ` + bucketCols + ` FROM buckets WHERE account = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?`
	selectBucketsInRegion = `SELECT ` + bucketCols + ` FROM buckets WHERE account = ? AND name > ? AND substr(name, 1, ?) = ? AND region = ? ORDER BY name LIMIT ?`
	countBucketsOfAccount = `SELECT COUNT(*) FROM buckets WHERE account = ?`
)

// bucketData is the JSON of a bucket's data column: everything but its key columns.
type bucketData struct {
	Policy            string                   `json:",omitempty"`
	PolicyPrincipals  []iam.PrincipalID        `json:",omitempty"`
	PublicAccessBlock *store.PublicAccessBlock `json:",omitempty"`
	ObjectOwnership   string                   `json:",omitempty"`
	Tags              []iam.Tag
	CORS              string            `json:",omitempty"`
	Configs           map[string]string `json:",omitempty"`
}

func encodeBucket(b store.Bucket) (string, error) {
	js, err := json.Marshal(bucketData{
		Policy: b.Policy, PolicyPrincipals: b.PolicyPrincipals, PublicAccessBlock: b.PublicAccessBlock,
		ObjectOwnership: b.ObjectOwnership, Tags: b.Tags, CORS: b.CORS, Configs: b.Configs,
	})
	return string(js), err
}

func scanBucket(sc interface{ Scan(...any) error }) (store.Bucket, error) {
	var b store.Bucket
	var created int64
	var data string
	if err := sc.Scan(&b.Name, &b.Account, &b.Region, &created, &data); err != nil {
		return b, err
	}
	b.CreateDate = fromMicros(created)
	var d bucketData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return b, fmt.Errorf("sqlstore: decode bucket %s: %w", b.Name, err)
	}
	b.Policy, b.PolicyPrincipals, b.PublicAccessBlock = d.Policy, d.PolicyPrincipals, d.PublicAccessBlock
	b.ObjectOwnership, b.Tags, b.CORS, b.Configs = d.ObjectOwnership, d.Tags, d.CORS, d.Configs
	return b, nil
}

func (t *tx) CreateBucket(ctx context.Context, b store.Bucket) error {
	data, err := encodeBucket(b)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, insertBucket, b.Name, b.Account, b.Region, micros(b.CreateDate), data)
	return err
}

func (t *tx) Bucket(ctx context.Context, name string) (store.Bucket, error) {
	b, err := scanBucket(t.sql.QueryRowContext(ctx, t.d.rebind(selectBucket), name))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("%w: bucket %s", store.ErrNotFound, name)
	}
	return b, t.d.classify(err)
}

func (t *tx) UpdateBucket(ctx context.Context, b store.Bucket) error {
	data, err := encodeBucket(b)
	if err != nil {
		return err
	}
	return t.execOne(ctx, "bucket "+b.Name, updateBucket, b.Region, data, b.Name)
}

func (t *tx) DeleteBucket(ctx context.Context, name string) error {
	return t.execOne(ctx, "bucket "+name, deleteBucket, name)
}

func (t *tx) Buckets(ctx context.Context, account string, opt store.BucketListOptions) ([]store.Bucket, error) {
	limit := opt.Limit
	if limit <= 0 {
		limit = math.MaxInt32
	}
	q, args := selectBucketsPage, []any{account, opt.After, len(opt.Prefix), opt.Prefix}
	if opt.Region != "" {
		q, args = selectBucketsInRegion, append(args, opt.Region)
	}
	rows, err := t.query(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Bucket
	for rows.Next() {
		b, err := scanBucket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (t *tx) CountBuckets(ctx context.Context, account string) (int, error) {
	return t.count(ctx, countBucketsOfAccount, account)
}
