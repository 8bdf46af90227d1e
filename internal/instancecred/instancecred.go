// Package instancecred is the wire form of what iamd answers an enrolled instance's agent: the
// role credentials and the instance's metadata, as JSON. iamd (package instance) writes it and
// the agent (package agent) reads it, through this one type.
package instancecred

import (
	"log/slog"
	"time"
)

// Credentials is the answer to an instance's credential fetch.
type Credentials struct {
	Code                string // "Success"
	AccessKeyId         string
	SecretAccessKey     string
	Token               string
	Expiration          time.Time
	LastUpdated         time.Time
	AccountId           string
	RoleName            string
	RoleArn             string
	AssumedRoleArn      string
	AssumedRoleIdentity string // AROA…:instance-id
	InstanceId          string
	InstanceArn         string
	Region              string
	AvailabilityZone    string
	InstanceProfileArn  string
	InstanceProfileId   string
	EnrolledAt          time.Time
}

// LogValue keeps the secret and the token out of logs.
func (c *Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("accessKeyId", c.AccessKeyId),
		slog.String("instance", c.InstanceId),
		slog.String("role", c.RoleArn),
		slog.Time("expiration", c.Expiration),
	)
}
