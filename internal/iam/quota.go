package iam

// AWS's default quotas. The services enforce them; they are constants so that one day an
// operator-set value can replace them in one place.
const (
	MaxAccessKeysPerUser          = 2
	MaxAttachedPoliciesPerEntity  = 10 // managed policies attached to one user, group or role
	MaxPolicyVersions             = 5
	MaxManagedPolicyChars         = 6144 // whitespace excluded
	MaxInlinePolicyCharsUser      = 2048 // aggregate of all inline policies, whitespace excluded
	MaxInlinePolicyCharsGroup     = 5120
	MaxInlinePolicyCharsRole      = 10240
	MaxTrustPolicyChars           = 2048
	MinMaxSessionDuration         = 3600 // bounds of a role's MaxSessionDuration, seconds
	MaxMaxSessionDuration         = 43200
	DefaultMaxSessionDuration     = 3600
	MaxUsersPerAccount            = 5000
	MaxGroupsPerAccount           = 300
	MaxRolesPerAccount            = 1000
	MaxCustomerPoliciesPerAccount = 1500
	MaxInstanceProfilesPerAccount = 1000
	MaxGroupsPerUser              = 10
	MaxRolesPerInstanceProfile    = 1
	MaxTagsPerEntity              = 50
	MaxTagKeyLen                  = 128
	MaxTagValueLen                = 256
)

// MaxInlinePolicyChars is the aggregate inline policy quota for an entity kind.
func MaxInlinePolicyChars(k EntityKind) int {
	switch k {
	case KindGroup:
		return MaxInlinePolicyCharsGroup
	case KindRole:
		return MaxInlinePolicyCharsRole
	default:
		return MaxInlinePolicyCharsUser
	}
}

// PolicySize is a policy document's length as AWS counts it against quotas: characters,
// whitespace excluded.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\v':
		default:
			n++
		}
	}
	return n
}
