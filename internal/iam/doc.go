// Package iam is iamd's domain vocabulary: the entity types (accounts, users, groups, roles,
// managed and inline policies, access keys, instance profiles, tags), how their unique ids, access
// key ids and secrets are minted, the name, path and tag rules with AWS's error wording, the ARNs
// they are known by, and AWS's default quotas. It does no I/O: the store persists these types and
// the services apply the rules.
package iam
