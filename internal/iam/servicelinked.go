package iam

import "strings"

// Service-linked roles: roles a service creates for itself, at path /aws-service-role/SERVICE/,
// trusting only that service, and modifiable only through the service-linked role operations.

// ServiceLinkedPathPrefix starts the path of every service-linked role.
const ServiceLinkedPathPrefix = "/aws-service-role/"

// ServiceLinkedRole says how AWS names the service-linked role of one service.
type ServiceLinkedRole struct {
	// RoleName is the role's name, AWSServiceRoleFor….
	RoleName string
	// CustomSuffix is true for services that let one account have several such roles, told
	// apart by a suffix appended as "_SUFFIX".
	CustomSuffix bool
}

// serviceLinkedRoles maps service principals to their role names as AWS names them. Only
// services whose names are documented (AWS's service-linked role pages, and roles seen in
// accounts) are listed; the principals of other services are refused rather than given an
// invented name.
var serviceLinkedRoles = map[string]ServiceLinkedRole{
	"access-analyzer.amazonaws.com":      {RoleName: "AWSServiceRoleForAccessAnalyzer"},
	"autoscaling.amazonaws.com":          {RoleName: "AWSServiceRoleForAutoScaling", CustomSuffix: true},
	"backup.amazonaws.com":               {RoleName: "AWSServiceRoleForBackup"},
	"cloudtrail.amazonaws.com":           {RoleName: "AWSServiceRoleForCloudTrail"},
	"config.amazonaws.com":               {RoleName: "AWSServiceRoleForConfig"},
	"ecs.amazonaws.com":                  {RoleName: "AWSServiceRoleForECS"},
	"eks.amazonaws.com":                  {RoleName: "AWSServiceRoleForAmazonEKS"},
	"elasticache.amazonaws.com":          {RoleName: "AWSServiceRoleForElastiCache"},
	"elasticbeanstalk.amazonaws.com":     {RoleName: "AWSServiceRoleForElasticBeanstalk"},
	"elasticloadbalancing.amazonaws.com": {RoleName: "AWSServiceRoleForElasticLoadBalancing"},
	"es.amazonaws.com":                   {RoleName: "AWSServiceRoleForAmazonElasticsearchService"},
	"guardduty.amazonaws.com":            {RoleName: "AWSServiceRoleForAmazonGuardDuty"},
	"opensearchservice.amazonaws.com":    {RoleName: "AWSServiceRoleForAmazonOpenSearchService"},
	"organizations.amazonaws.com":        {RoleName: "AWSServiceRoleForOrganizations"},
	"rds.amazonaws.com":                  {RoleName: "AWSServiceRoleForRDS"},
	"redshift.amazonaws.com":             {RoleName: "AWSServiceRoleForRedshift"},
	"securityhub.amazonaws.com":          {RoleName: "AWSServiceRoleForSecurityHub"},
	"spot.amazonaws.com":                 {RoleName: "AWSServiceRoleForEC2Spot"},
	"spotfleet.amazonaws.com":            {RoleName: "AWSServiceRoleForEC2SpotFleet"},
	"ssm.amazonaws.com":                  {RoleName: "AWSServiceRoleForAmazonSSM"},
	"sso.amazonaws.com":                  {RoleName: "AWSServiceRoleForSSO"},
	"support.amazonaws.com":              {RoleName: "AWSServiceRoleForSupport"},
	"trustedadvisor.amazonaws.com":       {RoleName: "AWSServiceRoleForTrustedAdvisor"},
}

// ServiceLinkedRoleFor returns how the service's service-linked role is named, or false for a
// service iamd does not know.
func ServiceLinkedRoleFor(service string) (ServiceLinkedRole, bool) {
	r, ok := serviceLinkedRoles[strings.ToLower(service)]
	return r, ok
}

// ServiceLinkedPath is the path of the service's service-linked roles.
func ServiceLinkedPath(service string) string {
	return ServiceLinkedPathPrefix + strings.ToLower(service) + "/"
}

// IsServiceLinked reports whether a role path is a service-linked role's.
func IsServiceLinked(path string) bool { return strings.HasPrefix(path, ServiceLinkedPathPrefix) }

// ServiceLinkedTrustPolicy is the trust policy of a service's service-linked role: the service
// alone may assume it (single values, as GetRole shows AWS's own service-linked roles).
func ServiceLinkedTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` +
		strings.ToLower(service) + `"},"Action":"sts:AssumeRole"}]}`
}
