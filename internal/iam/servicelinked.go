package iam

import "strings"

// Service-linked roles: roles a service creates for itself, at path /aws-service-role/SERVICE/,
// trusting only that service, and modifiable only through the service-linked role operations.

// ServiceLinkedPathPrefix starts the path of every service-linked role.
const ServiceLinkedPathPrefix = "/aws-service-role/"

// ServiceLinkedRole says how AWS makes the service-linked role of one service.
type ServiceLinkedRole struct {
	// RoleName is the role's name, AWSServiceRoleFor….
	RoleName string
	// CustomSuffix is true for services that let one account have several such roles, told
	// apart by a suffix appended as "_SUFFIX".
	CustomSuffix bool
	// PolicyARN is the AWS managed policy (path /aws-service-role/) AWS attaches to the role.
	PolicyARN string
}

// slrPolicy is the ARN of an AWS managed policy at the service-linked role path.
func slrPolicy(name string) string {
	return PolicyARN(AWSManagedAccount, ServiceLinkedPathPrefix, name)
}

// serviceLinkedRoles maps service principals to the role AWS makes for them: its name, whether a
// custom suffix is accepted, and the permissions policy attached. Each row comes from the
// service's own "Using service-linked roles" page (the comment above it); a row whose comment is
// instead a managed-policy reference page comes from AWS's managed policies: the policy attached
// to the role, and the role ARN (aws-service-role/PRINCIPAL/NAME) that AWS's own policies let
// iam:CreateServiceLinkedRole create. Every policy is in the embedded catalogue (the table test
// checks it). Principals not listed are refused, as AWS refuses unknown ones, rather than given
// an invented name. Services whose roles AWS names with a unique suffix (Connect, Lex V2) take
// CustomSuffix. Deletion follows one rule for every service (DeleteServiceLinkedRole): iamd
// knows no service's resources, so a role is in use only when an instance profile holds it.
var serviceLinkedRoles = map[string]ServiceLinkedRole{
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-using-service-linked-roles.html
	"access-analyzer.amazonaws.com": {RoleName: "AWSServiceRoleForAccessAnalyzer", PolicyARN: slrPolicy("AccessAnalyzerServiceRolePolicy")},
	// https://docs.aws.amazon.com/systems-manager/latest/userguide/using-service-linked-roles-service-action-2.html
	"accountdiscovery.ssm.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonSSM_AccountDiscovery", PolicyARN: slrPolicy("AWSSystemsManagerAccountDiscoveryServicePolicy")},
	// https://docs.aws.amazon.com/acm/latest/userguide/acm-slr.html
	"acm.amazonaws.com": {RoleName: "AWSServiceRoleForCertificateManager", PolicyARN: slrPolicy("CertificateManagerServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ComputeOptimizerAutomationServiceRolePolicy.html
	"aco-automation.amazonaws.com": {RoleName: "AWSServiceRoleForComputeOptimizerAutomation", PolicyARN: slrPolicy("ComputeOptimizerAutomationServiceRolePolicy")},
	// https://docs.aws.amazon.com/inspector/latest/user/using-service-linked-roles.html
	"agentless.inspector2.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonInspector2Agentless", PolicyARN: slrPolicy("AmazonInspector2AgentlessServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonMWAAServerlessServiceRolePolicy.html
	"airflow-serverless.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonMWAAServerless", PolicyARN: slrPolicy("AmazonMWAAServerlessServiceRolePolicy")},
	// https://docs.aws.amazon.com/mwaa/latest/userguide/mwaa-slr.html
	"airflow.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonMWAA", PolicyARN: slrPolicy("AmazonMWAAServiceRolePolicy")},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/using-service-linked-roles-service-action-ApiDestinations.html
	"apidestinations.events.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEventBridgeApiDestinations", PolicyARN: slrPolicy("AmazonEventBridgeApiDestinationsServiceRolePolicy")},
	// https://docs.aws.amazon.com/appfabric/latest/adminguide/using-service-linked-roles.html
	"appfabric.amazonaws.com": {RoleName: "AWSServiceRoleForAppFabric", PolicyARN: slrPolicy("AWSAppFabricServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CHAP_using-service-linked-roles-appinsights.html
	"application-insights.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationInsights", PolicyARN: slrPolicy("CloudwatchApplicationInsightsServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-service-linked-roles.html
	"application-signals.cloudwatch.amazonaws.com": {RoleName: "AWSServiceRoleForCloudWatchApplicationSignals", PolicyARN: slrPolicy("CloudWatchApplicationSignalsServiceRolePolicy")},
	// https://docs.aws.amazon.com/app-mesh/latest/userguide/using-service-linked-roles.html
	"appmesh.amazonaws.com": {RoleName: "AWSServiceRoleForAppMesh", PolicyARN: slrPolicy("AWSAppMeshServiceRolePolicy")},
	// https://docs.aws.amazon.com/apprunner/latest/dg/using-service-linked-roles-management.html
	"apprunner.amazonaws.com": {RoleName: "AWSServiceRoleForAppRunner", PolicyARN: slrPolicy("AppRunnerServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"appstream.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_AppStreamFleet", PolicyARN: slrPolicy("AWSApplicationAutoscalingAppStreamFleetPolicy")},
	// https://docs.aws.amazon.com/appsync/latest/devguide/using-service-linked-roles.html
	"appsync.amazonaws.com": {RoleName: "AWSServiceRoleForAppSync", PolicyARN: slrPolicy("AWSAppSyncServiceRolePolicy")},
	// https://docs.aws.amazon.com/artifact/latest/ug/using-service-linked-roles.html
	"artifact.amazonaws.com": {RoleName: "AWSServiceRoleForArtifact", PolicyARN: slrPolicy("AWSArtifactServiceRolePolicy")},
	// https://docs.aws.amazon.com/audit-manager/latest/userguide/using-service-linked-roles.html
	"auditmanager.amazonaws.com": {RoleName: "AWSServiceRoleForAuditManager", PolicyARN: slrPolicy("AWSAuditManagerServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/plans/userguide/aws-auto-scaling-service-linked-roles.html
	"autoscaling-plans.amazonaws.com": {RoleName: "AWSServiceRoleForAutoScalingPlans_EC2AutoScaling", PolicyARN: slrPolicy("AWSAutoScalingPlansEC2AutoScalingPolicy")},
	// https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html
	"autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForAutoScaling", PolicyARN: slrPolicy("AutoScalingServiceRolePolicy"), CustomSuffix: true},
	// https://docs.aws.amazon.com/aws-backup/latest/devguide/using-service-linked-roles-AWSServiceRoleForBackup.html
	"backup.amazonaws.com": {RoleName: "AWSServiceRoleForBackup", PolicyARN: slrPolicy("AWSBackupServiceLinkedRolePolicyForBackup")},
	// https://docs.aws.amazon.com/batch/latest/userguide/using-service-linked-roles-batch-general.html
	"batch.amazonaws.com": {RoleName: "AWSServiceRoleForBatch", PolicyARN: slrPolicy("BatchServiceRolePolicy")},
	// https://docs.aws.amazon.com/cur/latest/userguide/using-service-linked-roles.html
	"bcm-data-exports.amazonaws.com": {RoleName: "AWSServiceRoleForBCMDataExports", PolicyARN: slrPolicy("AWSBCMDataExportsServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBedrockAgentCoreGatewayNetworkServiceRolePolicy.html
	"bedrock-agentcore.amazonaws.com": {RoleName: "AWSServiceRoleForBedrockAgentCoreGatewayNetwork", PolicyARN: slrPolicy("AWSBedrockAgentCoreGatewayNetworkServiceRolePolicy")},
	// https://docs.aws.amazon.com/braket/latest/developerguide/braket-slr.html
	"braket.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonBraket", PolicyARN: slrPolicy("AmazonBraketServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBugBustServiceRolePolicy.html
	"bugbust.amazonaws.com": {RoleName: "AWSServiceRoleForBugBust", PolicyARN: slrPolicy("AWSBugBustServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/KeyspacesCDCServiceRolePolicy.html
	"cassandra-streams.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonKeyspacesCDC", PolicyARN: slrPolicy("KeyspacesCDCServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"cassandra.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_CassandraTable", PolicyARN: slrPolicy("AWSApplicationAutoscalingCassandraTablePolicy")},
	// https://docs.aws.amazon.com/lex/latest/dg/using-service-linked-roles.html
	"channels.lex.amazonaws.com": {RoleName: "AWSServiceRoleForLexChannels", PolicyARN: slrPolicy("LexChannelPolicy")},
	// https://docs.aws.amazon.com/lexv2/latest/dg/using-service-linked-roles.html
	"channels.lexv2.amazonaws.com": {RoleName: "AWSServiceRoleForLexV2Channels", PolicyARN: slrPolicy("AmazonLexChannelsAccess"), CustomSuffix: true},
	// https://docs.aws.amazon.com/chime/latest/ag/using-service-linked-roles.html
	"chime.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonChime", PolicyARN: slrPolicy("AmazonChimeServiceRolePolicy")},
	// https://docs.aws.amazon.com/kms/latest/developerguide/using-service-linked-roles.html
	"cks.kms.amazonaws.com": {RoleName: "AWSServiceRoleForKeyManagementServiceCustomKeyStores", PolicyARN: slrPolicy("AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy")},
	// https://docs.aws.amazon.com/cloud9/latest/user-guide/using-service-linked-roles.html
	"cloud9.amazonaws.com": {RoleName: "AWSServiceRoleForAWSCloud9", PolicyARN: slrPolicy("AWSCloud9ServiceRolePolicy")},
	// https://docs.aws.amazon.com/cloudhsm/latest/userguide/service-linked-roles.html
	"cloudhsm.amazonaws.com": {RoleName: "AWSServiceRoleForCloudHSM", PolicyARN: slrPolicy("CloudHSMServiceRolePolicy")},
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/using-service-linked-roles.html
	"cloudtrail.amazonaws.com": {RoleName: "AWSServiceRoleForCloudTrail", PolicyARN: slrPolicy("CloudTrailServiceRolePolicy")},
	// https://docs.aws.amazon.com/codeguru/latest/reviewer-ug/using-service-linked-roles.html
	"codeguru-reviewer.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonCodeGuruReviewer", PolicyARN: slrPolicy("AmazonCodeGuruReviewerServiceRolePolicy")},
	// https://docs.aws.amazon.com/dtconsole/latest/userguide/using-service-linked-roles.html
	"codestar-notifications.amazonaws.com": {RoleName: "AWSServiceRoleForCodeStarNotifications", PolicyARN: slrPolicy("AWSCodeStarNotificationsServiceRolePolicy")},
	// https://docs.aws.amazon.com/cognito/latest/developerguide/using-service-linked-roles.html
	"cognito-idp.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonCognitoIdp", PolicyARN: slrPolicy("AmazonCognitoIdpServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"comprehend.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_ComprehendEndpoint", PolicyARN: slrPolicy("AWSApplicationAutoscalingComprehendEndpointPolicy")},
	// https://docs.aws.amazon.com/compute-optimizer/latest/ug/using-service-linked-roles.html
	"compute-optimizer.amazonaws.com": {RoleName: "AWSServiceRoleForComputeOptimizer", PolicyARN: slrPolicy("ComputeOptimizerServiceRolePolicy")},
	// https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
	"config-conforms.amazonaws.com": {RoleName: "AWSServiceRoleForConfigConforms", PolicyARN: slrPolicy("ConfigConformsServiceRolePolicy")},
	// https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
	"config.amazonaws.com": {RoleName: "AWSServiceRoleForConfig", PolicyARN: slrPolicy("AWSConfigServiceRolePolicy")},
	// https://docs.aws.amazon.com/connect/latest/adminguide/connect-slr.html
	"connect.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonConnect", PolicyARN: slrPolicy("AmazonConnectServiceLinkedRolePolicy"), CustomSuffix: true},
	// https://docs.aws.amazon.com/application-discovery/latest/userguide/service-linked-role-permissions.html
	"continuousexport.discovery.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationDiscoveryServiceContinuousExport", PolicyARN: slrPolicy("ApplicationDiscoveryServiceContinuousExportServiceRolePolicy")},
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/using-service-linked-roles.html
	"contributorinsights.dynamodb.amazonaws.com": {RoleName: "AWSServiceRoleForDynamoDBCloudWatchContributorInsights", PolicyARN: slrPolicy("DynamoDBCloudWatchContributorInsightsServiceRolePolicy")},
	// https://docs.aws.amazon.com/cost-management/latest/userguide/cost-optimization-hub-SLR.html
	"cost-optimization-hub.bcm.amazonaws.com": {RoleName: "AWSServiceRoleForCostOptimizationHub", PolicyARN: slrPolicy("CostOptimizationHubServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"custom-resource.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_CustomResource", PolicyARN: slrPolicy("AWSApplicationAutoScalingCustomResourcePolicy")},
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html
	"custom.rds.amazonaws.com": {RoleName: "AWSServiceRoleForRDSCustom", PolicyARN: slrPolicy("AmazonRDSCustomServiceRolePolicy")},
	// https://docs.aws.amazon.com/datasync/latest/userguide/using-service-linked-roles-service-action-1.html
	"datasync.amazonaws.com": {RoleName: "AWSServiceRoleForDataSync", PolicyARN: slrPolicy("AWSDataSyncServiceRolePolicy")},
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/using-service-linked-roles-dax.html
	"dax.amazonaws.com": {RoleName: "AWSServiceRoleForDAX", PolicyARN: slrPolicy("DAXServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/using-service-linked-roles.html
	"delivery.logs.amazonaws.com": {RoleName: "AWSServiceRoleForLogDelivery", PolicyARN: slrPolicy("AWSServiceRoleForLogDeliveryPolicy")},
	// https://docs.aws.amazon.com/detective/latest/adminguide/using-service-linked-roles.html
	"detective.amazonaws.com": {RoleName: "AWSServiceRoleForDetective", PolicyARN: slrPolicy("AmazonDetectiveServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/devicefarm/latest/developerguide/using-service-linked-roles.html
	"devicefarm.amazonaws.com": {RoleName: "AWSServiceRoleForDeviceFarm", PolicyARN: slrPolicy("AWSDeviceFarmServiceRolePolicy")},
	// https://docs.aws.amazon.com/devops-guru/latest/userguide/using-service-linked-roles.html
	"devops-guru.amazonaws.com": {RoleName: "AWSServiceRoleForDevOpsGuru", PolicyARN: slrPolicy("AmazonDevOpsGuruServiceRolePolicy")},
	// https://docs.aws.amazon.com/directconnect/latest/UserGuide/using-service-linked-roles.html
	"directconnect.amazonaws.com": {RoleName: "AWSServiceRoleForDirectConnect", PolicyARN: slrPolicy("AWSDirectConnectServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSDMSServerlessServiceRolePolicy.html
	"dms.amazonaws.com": {RoleName: "AWSServiceRoleForDMSServerless", PolicyARN: slrPolicy("AWSDMSServerlessServiceRolePolicy")},
	// https://docs.aws.amazon.com/documentdb/latest/developerguide/elastic-slr.html
	"docdb-elastic.amazonaws.com": {RoleName: "AWSServiceRoleForDocDB-Elastic", PolicyARN: slrPolicy("AmazonDocDB-ElasticServiceRolePolicy")},
	// https://docs.aws.amazon.com/drs/latest/userguide/using-service-linked-roles.html
	"drs.amazonaws.com": {RoleName: "AWSServiceRoleForElasticDisasterRecovery", PolicyARN: slrPolicy("AWSElasticDisasterRecoveryServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"dynamodb.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", PolicyARN: slrPolicy("AWSApplicationAutoscalingDynamoDBTablePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"ec2.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest", PolicyARN: slrPolicy("AWSApplicationAutoscalingEC2SpotFleetRequestPolicy")},
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/slr-windows-fast-launch.html
	"ec2fastlaunch.amazonaws.com": {RoleName: "AWSServiceRoleForEC2FastLaunch", PolicyARN: slrPolicy("EC2FastLaunchServiceRolePolicy")},
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-prerequisites.html
	"ec2fleet.amazonaws.com": {RoleName: "AWSServiceRoleForEC2Fleet", PolicyARN: slrPolicy("AWSEC2FleetServiceRolePolicy")},
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-scheduled-instances.html
	"ec2scheduled.amazonaws.com": {RoleName: "AWSServiceRoleForEC2ScheduledInstances", PolicyARN: slrPolicy("AWSServiceRoleForEC2ScheduledInstances")},
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-service-linked-roles.html
	"ecs.amazonaws.com": {RoleName: "AWSServiceRoleForECS", PolicyARN: slrPolicy("AmazonECSServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"ecs.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_ECSService", PolicyARN: slrPolicy("AWSApplicationAutoscalingECSServicePolicy")},
	// https://docs.aws.amazon.com/eks/latest/userguide/using-service-linked-roles-eks-connector.html
	"eks-connector.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEKSConnector", PolicyARN: slrPolicy("AmazonEKSConnectorServiceRolePolicy")},
	// https://docs.aws.amazon.com/eks/latest/userguide/using-service-linked-roles-eks-fargate.html
	"eks-fargate.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEKSForFargate", PolicyARN: slrPolicy("AmazonEKSForFargateServiceRolePolicy")},
	// https://docs.aws.amazon.com/eks/latest/userguide/using-service-linked-roles-eks-nodegroups.html
	"eks-nodegroup.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEKSNodegroup", PolicyARN: slrPolicy("AWSServiceRoleForAmazonEKSNodegroup")},
	// https://docs.aws.amazon.com/eks/latest/userguide/using-service-linked-roles-eks.html
	"eks.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEKS", PolicyARN: slrPolicy("AmazonEKSServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/using-service-linked-roles.html
	"elasticache.amazonaws.com": {RoleName: "AWSServiceRoleForElastiCache", PolicyARN: slrPolicy("ElastiCacheServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"elasticache.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG", PolicyARN: slrPolicy("AWSApplicationAutoscalingElastiCacheRGPolicy")},
	// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-service-linked-roles-monitoring.html
	"elasticbeanstalk.amazonaws.com": {RoleName: "AWSServiceRoleForElasticBeanstalk", PolicyARN: slrPolicy("AWSElasticBeanstalkServiceRolePolicy")},
	// https://docs.aws.amazon.com/efs/latest/ug/using-service-linked-roles.html
	"elasticfilesystem.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonElasticFileSystem", PolicyARN: slrPolicy("AmazonElasticFileSystemServiceRolePolicy")},
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-service-linked-roles.html
	"elasticloadbalancing.amazonaws.com": {RoleName: "AWSServiceRoleForElasticLoadBalancing", PolicyARN: slrPolicy("AWSElasticLoadBalancingServiceRolePolicy")},
	// https://docs.aws.amazon.com/emr/latest/ManagementGuide/using-service-linked-roles-cleanup.html
	"elasticmapreduce.amazonaws.com": {RoleName: "AWSServiceRoleForEMRCleanup", PolicyARN: slrPolicy("AmazonEMRCleanupPolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"elasticmapreduce.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_EMRInstanceGroup", PolicyARN: slrPolicy("AWSApplicationAutoscalingEMRInstanceGroupPolicy")},
	// https://docs.aws.amazon.com/cognito/latest/developerguide/using-service-linked-roles.html
	"email.cognito-idp.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonCognitoIdpEmailService", PolicyARN: slrPolicy("AmazonCognitoIdpEmailServiceRolePolicy")},
	// https://docs.aws.amazon.com/emr/latest/EMR-on-EKS-DevelopmentGuide/using-service-linked-roles.html
	"emr-containers.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEMRContainers", PolicyARN: slrPolicy("AmazonEMRContainersServiceRolePolicy")},
	// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/slr.html
	"es.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonElasticsearchService", PolicyARN: slrPolicy("AmazonElasticsearchServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-service-linked-roles.html
	"events.amazonaws.com": {RoleName: "AWSServiceRoleForCloudWatchEvents", PolicyARN: slrPolicy("CloudWatchEventsServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonWorkMailEventsServiceRolePolicy.html
	"events.workmail.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonWorkMailEvents", PolicyARN: slrPolicy("AmazonWorkMailEventsServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-service-linked-roles-evidently.html
	"evidently.amazonaws.com": {RoleName: "AWSServiceRoleForCloudWatchEvidently", PolicyARN: slrPolicy("AmazonCloudWatchEvidentlyServiceRolePolicy")},
	// https://docs.aws.amazon.com/fis/latest/userguide/using-service-linked-roles.html
	"fis.amazonaws.com": {RoleName: "AWSServiceRoleForFIS", PolicyARN: slrPolicy("AmazonFISServiceRolePolicy")},
	// https://docs.aws.amazon.com/waf/latest/developerguide/fms-using-service-linked-roles.html
	"fms.amazonaws.com": {RoleName: "AWSServiceRoleForFMS", PolicyARN: slrPolicy("FMSServiceRolePolicy")},
	// https://docs.aws.amazon.com/fsx/latest/WindowsGuide/using-service-linked-roles.html
	"fsx.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonFSx", PolicyARN: slrPolicy("AmazonFSxServiceRolePolicy")},
	// https://docs.aws.amazon.com/global-accelerator/latest/dg/using-service-linked-roles.html
	"globalaccelerator.amazonaws.com": {RoleName: "AWSServiceRoleForGlobalAccelerator", PolicyARN: slrPolicy("AWSGlobalAcceleratorSLRPolicy")},
	// https://docs.aws.amazon.com/grafana/latest/userguide/using-service-linked-roles.html
	"grafana.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonGrafana", PolicyARN: slrPolicy("AmazonGrafanaServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html
	"guardduty.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonGuardDuty", PolicyARN: slrPolicy("AmazonGuardDutyServiceRolePolicy")},
	// https://docs.aws.amazon.com/health/latest/ug/using-service-linked-roles.html
	"health.amazonaws.com": {RoleName: "AWSServiceRoleForHealth_Organizations", PolicyARN: slrPolicy("Health_OrganizationsServiceRolePolicy")},
	// https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-service-linked-role.html
	"imagebuilder.amazonaws.com": {RoleName: "AWSServiceRoleForImageBuilder", PolicyARN: slrPolicy("AWSServiceRoleForImageBuilder")},
	// https://docs.aws.amazon.com/inspector/v1/userguide/inspector_slr.html
	"inspector.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonInspector", PolicyARN: slrPolicy("AmazonInspectorServiceRolePolicy")},
	// https://docs.aws.amazon.com/inspector/latest/user/using-service-linked-roles.html
	"inspector2.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonInspector2", PolicyARN: slrPolicy("AmazonInspector2ServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSIoTManagedIntegrationsRolePolicy.html
	"iotmanagedintegrations.amazonaws.com": {RoleName: "AWSServiceRoleForIoTManagedIntegrations", PolicyARN: slrPolicy("AWSIoTManagedIntegrationsRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSIotRoboRunnerServiceRolePolicy.html
	"iotroborunner.amazonaws.com": {RoleName: "AWSServiceRoleForIoTRoboRunner", PolicyARN: slrPolicy("AWSIotRoboRunnerServiceRolePolicy")},
	// https://docs.aws.amazon.com/iot-sitewise/latest/userguide/using-service-linked-roles.html
	"iotsitewise.amazonaws.com": {RoleName: "AWSServiceRoleForIoTSiteWise", PolicyARN: slrPolicy("AWSServiceRoleForIoTSiteWise")},
	// https://docs.aws.amazon.com/iot-twinmaker/latest/guide/using-service-linked-roles.html
	"iottwinmaker.amazonaws.com": {RoleName: "AWSServiceRoleForIoTTwinMaker", PolicyARN: slrPolicy("AWSIoTTwinMakerServiceRolePolicy")},
	// https://docs.aws.amazon.com/vpc/latest/ipam/iam-ipam-slr.html
	"ipam.amazonaws.com": {RoleName: "AWSServiceRoleForIPAM", PolicyARN: slrPolicy("AWSIPAMServiceRolePolicy")},
	// https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/security-service-linked-roles.html
	"ivs.amazonaws.com": {RoleName: "AWSServiceRoleForIVSRecordToS3", PolicyARN: slrPolicy("IVSRecordToS3")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSystemsManagerJustInTimeAccessServicePolicy.html
	"justintimeaccess.ssm.amazonaws.com": {RoleName: "AWSServiceRoleForSystemsManagerJustInTimeAccess", PolicyARN: slrPolicy("AWSSystemsManagerJustInTimeAccessServicePolicy")},
	// https://docs.aws.amazon.com/msk/latest/developerguide/using-service-linked-roles.html
	"kafka.amazonaws.com": {RoleName: "AWSServiceRoleForKafka", PolicyARN: slrPolicy("KafkaServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"kafka.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_KafkaCluster", PolicyARN: slrPolicy("AWSApplicationAutoscalingKafkaClusterPolicy")},
	// https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-service-linked-roles.html
	"kafkaconnect.amazonaws.com": {RoleName: "AWSServiceRoleForKafkaConnect", PolicyARN: slrPolicy("KafkaConnectServiceRolePolicy")},
	// https://docs.aws.amazon.com/lake-formation/latest/dg/service-linked-roles.html
	"lakeformation.amazonaws.com": {RoleName: "AWSServiceRoleForLakeFormationDataAccess", PolicyARN: slrPolicy("LakeFormationDataAccessServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaServiceRolePolicy.html
	"lambda.amazonaws.com": {RoleName: "AWSServiceRoleForLambda", PolicyARN: slrPolicy("AWSLambdaServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"lambda.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency", PolicyARN: slrPolicy("AWSApplicationAutoscalingLambdaConcurrencyPolicy")},
	// https://docs.aws.amazon.com/lex/latest/dg/using-service-linked-roles.html
	"lex.amazonaws.com": {RoleName: "AWSServiceRoleForLexBots", PolicyARN: slrPolicy("LexBotPolicy")},
	// https://docs.aws.amazon.com/lexv2/latest/dg/using-service-linked-roles.html
	"lexv2.amazonaws.com": {RoleName: "AWSServiceRoleForLexV2Bots", PolicyARN: slrPolicy("AmazonLexV2BotPolicy"), CustomSuffix: true},
	// https://docs.aws.amazon.com/marketplace/latest/buyerguide/buyer-service-linked-role-license.html
	"license-management.marketplace.amazonaws.com": {RoleName: "AWSServiceRoleForMarketplaceLicenseManagement", PolicyARN: slrPolicy("AWSMarketplaceLicenseManagementServiceRolePolicy")},
	// https://docs.aws.amazon.com/license-manager/latest/userguide/license-manager-role-core.html
	"license-manager.amazonaws.com": {RoleName: "AWSServiceRoleForAWSLicenseManagerRole", PolicyARN: slrPolicy("AWSLicenseManagerServiceRolePolicy")},
	// https://docs.aws.amazon.com/license-manager/latest/userguide/license-manager-role-management.html
	"license-manager.master-account.amazonaws.com": {RoleName: "AWSServiceRoleForAWSLicenseManagerMasterAccountRole", PolicyARN: slrPolicy("AWSLicenseManagerMasterAccountRolePolicy")},
	// https://docs.aws.amazon.com/license-manager/latest/userguide/license-manager-role-member-account.html
	"license-manager.member-account.amazonaws.com": {RoleName: "AWSServiceRoleForAWSLicenseManagerMemberAccountRole", PolicyARN: slrPolicy("AWSLicenseManagerMemberAccountRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/LightsailExportAccess.html
	"lightsail.amazonaws.com": {RoleName: "AWSServiceRoleForLightsail", PolicyARN: slrPolicy("LightsailExportAccess")},
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html
	"logger.cloudfront.amazonaws.com": {RoleName: "AWSServiceRoleForCloudFrontLogger", PolicyARN: slrPolicy("AWSCloudFrontLogger")},
	// https://docs.aws.amazon.com/macie/latest/user/service-linked-roles.html
	"macie.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonMacie", PolicyARN: slrPolicy("AmazonMacieServiceRolePolicy")},
	// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-service-linked-roles-maintenance.html
	"maintenance.elasticbeanstalk.amazonaws.com": {RoleName: "AWSServiceRoleForElasticBeanstalkMaintenance", PolicyARN: slrPolicy("AWSElasticBeanstalkMaintenance")},
	// https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions-malware-protection.html
	"malware-protection.guardduty.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonGuardDutyMalwareProtection", PolicyARN: slrPolicy("AmazonGuardDutyMalwareProtectionServiceRolePolicy")},
	// https://docs.aws.amazon.com/managed-blockchain/latest/hyperledger-fabric-dev/using-service-linked-roles.html
	"managedblockchain.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonManagedBlockchain", PolicyARN: slrPolicy("AmazonManagedBlockchainServiceRolePolicy")},
	// https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-service-linked-roles-managedupdates.html
	"managedupdates.elasticbeanstalk.amazonaws.com": {RoleName: "AWSServiceRoleForElasticBeanstalkManagedUpdates", PolicyARN: slrPolicy("AWSElasticBeanstalkManagedUpdatesServiceRolePolicy")},
	// https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html
	"management.chatbot.amazonaws.com": {RoleName: "AWSServiceRoleForAWSChatbot", PolicyARN: slrPolicy("AWSChatbotServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/mediatailor/latest/ug/using-service-linked-roles.html
	"mediatailor.amazonaws.com": {RoleName: "AWSServiceRoleForMediaTailor", PolicyARN: slrPolicy("AWSMediaTailorServiceRolePolicy")},
	// https://docs.aws.amazon.com/memorydb/latest/devguide/using-service-linked-roles.html
	"memorydb.amazonaws.com": {RoleName: "AWSServiceRoleForMemoryDB", PolicyARN: slrPolicy("MemoryDBServiceRolePolicy")},
	// https://docs.aws.amazon.com/mgn/latest/ug/using-service-linked-roles.html
	"mgn.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationMigrationService", PolicyARN: slrPolicy("AWSApplicationMigrationServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSMigrationHubOrchestratorServiceRolePolicy.html
	"migrationhub-orchestrator.amazonaws.com": {RoleName: "AWSServiceRoleForMigrationHubOrchestrator", PolicyARN: slrPolicy("AWSMigrationHubOrchestratorServiceRolePolicy")},
	// https://docs.aws.amazon.com/migrationhub-strategy/latest/userguide/using-service-linked-roles.html
	"migrationhub-strategy.amazonaws.com": {RoleName: "AWSServiceRoleForMigrationHubStrategy", PolicyARN: slrPolicy("AWSMigrationHubStrategyServiceRolePolicy")},
	// https://docs.aws.amazon.com/migrationhub/latest/ug/using-service-linked-roles.html
	"migrationhub.amazonaws.com": {RoleName: "AWSServiceRoleForMigrationHub", PolicyARN: slrPolicy("MigrationHubServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonWorkSpacesThinClientMonitoringServiceRolePolicy.html
	"monitoring.thinclient.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonWorkSpacesThinClientMonitoring", PolicyARN: slrPolicy("AmazonWorkSpacesThinClientMonitoringServiceRolePolicy")},
	// https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/using-service-linked-roles.html
	"mq.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonMQ", PolicyARN: slrPolicy("AmazonMQServiceRolePolicy")},
	// https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
	"mrk.kms.amazonaws.com": {RoleName: "AWSServiceRoleForKeyManagementServiceMultiRegionKeys", PolicyARN: slrPolicy("AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForNeptuneGraphPolicy.html
	"neptune-graph.amazonaws.com": {RoleName: "AWSServiceRoleForNeptuneGraph", PolicyARN: slrPolicy("AWSServiceRoleForNeptuneGraphPolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"neptune.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_NeptuneCluster", PolicyARN: slrPolicy("AWSApplicationAutoscalingNeptuneClusterPolicy")},
	// https://docs.aws.amazon.com/network-firewall/latest/developerguide/using-service-linked-roles.html
	"network-firewall.amazonaws.com": {RoleName: "AWSServiceRoleForNetworkFirewall", PolicyARN: slrPolicy("AWSNetworkFirewallServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/BedrockAgentCoreNetworkServiceRolePolicy.html
	"network.bedrock-agentcore.amazonaws.com": {RoleName: "AWSServiceRoleForBedrockAgentCoreNetwork", PolicyARN: slrPolicy("BedrockAgentCoreNetworkServiceRolePolicy")},
	// https://docs.aws.amazon.com/apprunner/latest/dg/using-service-linked-roles-networking.html
	"networking.apprunner.amazonaws.com": {RoleName: "AWSServiceRoleForAppRunnerNetworking", PolicyARN: slrPolicy("AppRunnerNetworkingServiceRolePolicy")},
	// https://docs.aws.amazon.com/network-manager/latest/tgwnm/nm-service-linked-roles.html
	"networkmanager.amazonaws.com": {RoleName: "AWSServiceRoleForNetworkManager", PolicyARN: slrPolicy("AWSNetworkManagerServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSystemsManagerNotificationsServicePolicy.html
	"notifications.ssm.amazonaws.com": {RoleName: "AWSServiceRoleForSystemsManagerNotifications", PolicyARN: slrPolicy("AWSSystemsManagerNotificationsServicePolicy")},
	// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-service-linked-roles.html
	"observability.aoss.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonOpenSearchServerless", PolicyARN: slrPolicy("AmazonOpenSearchServerlessServiceRolePolicy")},
	// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/slr-aos.html
	"opensearchservice.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonOpenSearchService", PolicyARN: slrPolicy("AmazonOpenSearchServiceRolePolicy")},
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/using-service-linked-roles.html
	"ops.apigateway.amazonaws.com": {RoleName: "AWSServiceRoleForAPIGateway", PolicyARN: slrPolicy("APIGatewayServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonAthenaServiceRolePolicy.html
	"ops.athena.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonAthena", PolicyARN: slrPolicy("AmazonAthenaServiceRolePolicy")},
	// https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/using-service-linked-roles.html
	"ops.emr-serverless.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonEMRServerless", PolicyARN: slrPolicy("AmazonEMRServerlessServiceRolePolicy")},
	// https://docs.aws.amazon.com/systems-manager/latest/userguide/using-service-linked-roles-service-action-6.html
	"opsdatasync.ssm.amazonaws.com": {RoleName: "AWSServiceRoleForSystemsManagerOpsDataSync", PolicyARN: slrPolicy("AWSSystemsManagerOpsDataSyncServiceRolePolicy")},
	// https://docs.aws.amazon.com/systems-manager/latest/userguide/using-service-linked-roles-service-action-4.html
	"opsinsights.ssm.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonSSM_OpsInsights", PolicyARN: slrPolicy("AWSSSMOpsInsightsServiceRolePolicy")},
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html
	"organizations.amazonaws.com": {RoleName: "AWSServiceRoleForOrganizations", PolicyARN: slrPolicy("AWSOrganizationsServiceTrustPolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceCatalogOrgsDataSyncServiceRolePolicy.html
	"orgsdatasync.servicecatalog.amazonaws.com": {RoleName: "AWSServiceRoleForServiceCatalogOrgsDataSync", PolicyARN: slrPolicy("AWSServiceCatalogOrgsDataSyncServiceRolePolicy")},
	// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/slr-osis.html
	"osis.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonOpenSearchIngestionService", PolicyARN: slrPolicy("AmazonOpenSearchIngestionServiceRolePolicy")},
	// https://docs.aws.amazon.com/panorama/latest/dev/permissions-services.html
	"panorama.amazonaws.com": {RoleName: "AWSServiceRoleForAWSPanorama", PolicyARN: slrPolicy("AWSPanoramaServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForPrivateMarketplaceAdminPolicy.html
	"private-marketplace.marketplace.amazonaws.com": {RoleName: "AWSServiceRoleForPrivateMarketplaceAdmin", PolicyARN: slrPolicy("AWSServiceRoleForPrivateMarketplaceAdminPolicy")},
	// https://docs.aws.amazon.com/ram/latest/userguide/using-service-linked-roles.html
	"ram.amazonaws.com": {RoleName: "AWSServiceRoleForResourceAccessManager", PolicyARN: slrPolicy("AWSResourceAccessManagerServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.ServiceLinkedRoles.html
	"rds.amazonaws.com": {RoleName: "AWSServiceRoleForRDS", PolicyARN: slrPolicy("AmazonRDSServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"rds.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_RDSCluster", PolicyARN: slrPolicy("AWSApplicationAutoscalingRDSClusterPolicy")},
	// https://docs.aws.amazon.com/vpc/latest/reachability/identity-access-management.html
	"reachabilityanalyzer.networkinsights.amazonaws.com": {RoleName: "AWSServiceRoleForReachabilityAnalyzer", PolicyARN: slrPolicy("AWSReachabilityAnalyzerServiceRolePolicy")},
	// https://docs.aws.amazon.com/redshift/latest/mgmt/using-service-linked-roles.html
	"redshift.amazonaws.com": {RoleName: "AWSServiceRoleForRedshift", PolicyARN: slrPolicy("AmazonRedshiftServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
	"remediation.config.amazonaws.com": {RoleName: "AWSServiceRoleForConfigRemediation", PolicyARN: slrPolicy("AWSConfigRemediationServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/KeyspacesReplicationServiceRolePolicy.html
	"replication.cassandra.amazonaws.com": {RoleName: "AWSServiceRoleForKeyspacesReplication", PolicyARN: slrPolicy("KeyspacesReplicationServiceRolePolicy")},
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_reqs_bestpractices.html
	"replication.dynamodb.amazonaws.com": {RoleName: "AWSServiceRoleForDynamoDBReplication", PolicyARN: slrPolicy("DynamoDBReplicationServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonECR/latest/userguide/slr-replication.html
	"replication.ecr.amazonaws.com": {RoleName: "AWSServiceRoleForECRReplication", PolicyARN: slrPolicy("ECRReplicationServiceRolePolicy")},
	// https://docs.aws.amazon.com/lexv2/latest/dg/using-service-linked-roles.html
	"replication.lexv2.amazonaws.com": {RoleName: "AWSServiceRoleForLexV2Replication", PolicyARN: slrPolicy("AmazonLexReplicationPolicy")},
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html
	"replicator.lambda.amazonaws.com": {RoleName: "AWSServiceRoleForLambdaReplicator", PolicyARN: slrPolicy("AWSLambdaReplicator")},
	// https://docs.aws.amazon.com/awssupport/latest/user/using-service-linked-roles-ta-reporting.html
	"reporting.trustedadvisor.amazonaws.com": {RoleName: "AWSServiceRoleForTrustedAdvisorReporting", PolicyARN: slrPolicy("AWSTrustedAdvisorReportingServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-backup/latest/devguide/using-service-linked-roles-AWSServiceRoleForBackupReports.html
	"reports.backup.amazonaws.com": {RoleName: "AWSServiceRoleForBackupReports", PolicyARN: slrPolicy("AWSServiceRolePolicyForBackupReports")},
	// https://docs.aws.amazon.com/resource-explorer/latest/userguide/security_iam_service-linked-roles.html
	"resource-explorer-2.amazonaws.com": {RoleName: "AWSServiceRoleForResourceExplorer", PolicyARN: slrPolicy("AWSResourceExplorerServiceRolePolicy")},
	// https://docs.aws.amazon.com/ARG/latest/userguide/security_iam_service-linked-roles.html
	"resourcegroups.amazonaws.com": {RoleName: "AWSServiceRoleForResourceGroups", PolicyARN: slrPolicy("ResourceGroupsServiceRolePolicy")},
	// https://docs.aws.amazon.com/robomaker/latest/dg/using-service-linked-roles.html
	"robomaker.amazonaws.com": {RoleName: "AWSServiceRoleForRoboMaker", PolicyARN: slrPolicy("AWSRoboMakerServicePolicy")},
	// https://docs.aws.amazon.com/rolesanywhere/latest/userguide/using-service-linked-roles.html
	"rolesanywhere.amazonaws.com": {RoleName: "AWSServiceRoleForRolesAnywhere", PolicyARN: slrPolicy("AWSRolesAnywhereServicePolicy")},
	// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/using-service-linked-roles.html
	"route53resolver.amazonaws.com": {RoleName: "AWSServiceRoleForRoute53Resolver", PolicyARN: slrPolicy("Route53ResolverServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/BedrockAgentCoreRuntimeIdentityServiceRolePolicy.html
	"runtime-identity.bedrock-agentcore.amazonaws.com": {RoleName: "AWSServiceRoleForBedrockAgentCoreRuntimeIdentity", PolicyARN: slrPolicy("BedrockAgentCoreRuntimeIdentityServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBedrockAgentCoreRuntimeInstancesServiceRolePolicy.html
	"runtime-instances.bedrock-agentcore.amazonaws.com": {RoleName: "AWSServiceRoleForBedrockAgentCoreRuntimeInstances", PolicyARN: slrPolicy("AWSBedrockAgentCoreRuntimeInstancesServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsServiceLinkedRoles.html
	"s3-outposts.amazonaws.com": {RoleName: "AWSServiceRoleForS3OnOutposts", PolicyARN: slrPolicy("AWSS3OnOutpostsServiceRolePolicy")},
	// https://docs.aws.amazon.com/sagemaker/latest/dg/security-iam-awsmanpol-notebooks.html
	"sagemaker.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonSageMakerNotebooks", PolicyARN: slrPolicy("AmazonSageMakerNotebooksServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"sagemaker.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint", PolicyARN: slrPolicy("AWSApplicationAutoscalingSageMakerEndpointPolicy")},
	// https://docs.aws.amazon.com/eventbridge/latest/userguide/using-service-linked-roles-service-action-1.html
	"schemas.amazonaws.com": {RoleName: "AWSServiceRoleForSchemas", PolicyARN: slrPolicy("AmazonEventBridgeSchemasServiceRolePolicy")},
	// https://docs.aws.amazon.com/prometheus/latest/userguide/using-service-linked-roles.html
	"scraper.aps.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonPrometheusScraper", PolicyARN: slrPolicy("AmazonPrometheusScraperServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSDMPServiceRolePolicy.html
	"sdmp.amazonaws.com": {RoleName: "AWSServiceRoleForSDMP", PolicyARN: slrPolicy("AWSSDMPServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSecurityIncidentResponseServiceRolePolicy.html
	"security-ir.amazonaws.com": {RoleName: "AWSServiceRoleForSecurityIncidentResponse", PolicyARN: slrPolicy("AWSSecurityIncidentResponseServiceRolePolicy")},
	// https://docs.aws.amazon.com/securityhub/latest/userguide/using-service-linked-roles.html
	"securityhub.amazonaws.com": {RoleName: "AWSServiceRoleForSecurityHub", PolicyARN: slrPolicy("AWSSecurityHubServiceRolePolicy")},
	// https://docs.aws.amazon.com/security-lake/latest/userguide/using-service-linked-roles.html
	"securitylake.amazonaws.com": {RoleName: "AWSServiceRoleForSecurityLake", PolicyARN: slrPolicy("SecurityLakeServiceLinkedRole")},
	// https://docs.aws.amazon.com/servicecatalog/latest/arguide/using-service-linked-roles.html
	"servicecatalog-appregistry.amazonaws.com": {RoleName: "AWSServiceRoleForAWSServiceCatalogAppRegistry", PolicyARN: slrPolicy("AWSServiceCatalogAppRegistryServiceRolePolicy")},
	// https://docs.aws.amazon.com/servicequotas/latest/userguide/using-service-linked-roles.html
	"servicequotas.amazonaws.com": {RoleName: "AWSServiceRoleForServiceQuotas", PolicyARN: slrPolicy("ServiceQuotasServiceRolePolicy")},
	// https://docs.aws.amazon.com/ses/latest/dg/using-service-linked-roles.html
	"ses.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonSES", PolicyARN: slrPolicy("AmazonSESServiceRolePolicy")},
	// https://docs.aws.amazon.com/waf/latest/developerguide/shd-using-service-linked-roles.html
	"shield.amazonaws.com": {RoleName: "AWSServiceRoleForAWSShield", PolicyARN: slrPolicy("AWSShieldServiceRolePolicy")},
	// https://docs.aws.amazon.com/server-migration-service/latest/userguide/using-service-linked-roles.html
	"sms.amazonaws.com": {RoleName: "AWSServiceRoleForSMS", PolicyARN: slrPolicy("AWSServiceRoleForSMS")},
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/service-linked-roles-spot-instance-requests.html
	"spot.amazonaws.com": {RoleName: "AWSServiceRoleForEC2Spot", PolicyARN: slrPolicy("AWSEC2SpotServiceRolePolicy")},
	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html
	"spotfleet.amazonaws.com": {RoleName: "AWSServiceRoleForEC2SpotFleet", PolicyARN: slrPolicy("AWSEC2SpotFleetServiceRolePolicy")},
	// https://docs.aws.amazon.com/incident-manager/latest/userguide/using-service-linked-roles.html
	"ssm-incidents.amazonaws.com": {RoleName: "AWSServiceRoleForIncidentManager", PolicyARN: slrPolicy("AWSIncidentManagerServiceRolePolicy")},
	// https://docs.aws.amazon.com/systems-manager/latest/userguide/using-service-linked-roles-service-action-8.html
	"ssm-quicksetup.amazonaws.com": {RoleName: "AWSServiceRoleForSSMQuickSetup", PolicyARN: slrPolicy("SSMQuickSetupRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSSMForSAPServiceLinkedRolePolicy.html
	"ssm-sap.amazonaws.com": {RoleName: "AWSServiceRoleForAWSSSMForSAP", PolicyARN: slrPolicy("AWSSSMForSAPServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/systems-manager/latest/userguide/using-service-linked-roles-service-action-1.html
	"ssm.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonSSM", PolicyARN: slrPolicy("AmazonSSMServiceRolePolicy")},
	// https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html
	"sso.amazonaws.com": {RoleName: "AWSServiceRoleForSSO", PolicyARN: slrPolicy("AWSSSOServiceRolePolicy")},
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-service-linked-roles.html
	"storage-lens.s3.amazonaws.com": {RoleName: "AWSServiceRoleForS3StorageLens", PolicyARN: slrPolicy("S3StorageLensServiceRolePolicy")},
	// https://docs.aws.amazon.com/storagegateway/latest/userguide/using-service-linked-roles.html
	"storagegateway.amazonaws.com": {RoleName: "AWSServiceRoleForStorageGateway", PolicyARN: slrPolicy("AWSStorageGatewayServiceRolePolicy")},
	// https://docs.aws.amazon.com/awssupport/latest/user/using-service-linked-roles-sup.html
	"support.amazonaws.com": {RoleName: "AWSServiceRoleForSupport", PolicyARN: slrPolicy("AWSSupportServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportPlansServiceRolePolicy.html
	"supportplans.amazonaws.com": {RoleName: "AWSServiceRoleForSupportPlans", PolicyARN: slrPolicy("AWSSupportPlansServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSProtonSyncServiceRolePolicy.html
	"sync.proton.amazonaws.com": {RoleName: "AWSServiceRoleForProtonSync", PolicyARN: slrPolicy("AWSProtonSyncServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSConfigThirdPartyServiceRolePolicy.html
	"thirdparty.config.amazonaws.com": {RoleName: "AWSServiceRoleForConfigThirdParty", PolicyARN: slrPolicy("AWSConfigThirdPartyServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonTimestreamInfluxDBServiceRolePolicy.html
	"timestream-influxdb.amazonaws.com": {RoleName: "AWSServiceRoleForTimestreamInfluxDB", PolicyARN: slrPolicy("AmazonTimestreamInfluxDBServiceRolePolicy")},
	// https://docs.aws.amazon.com/chime-sdk/latest/ag/using-service-linked-roles-transcription.html
	"transcription.chime.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonChimeTranscription", PolicyARN: slrPolicy("AmazonChimeTranscriptionServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForAWSTransformCustom.html
	"transform-custom.amazonaws.com": {RoleName: "AWSServiceRoleForAWSTransformCustom", PolicyARN: slrPolicy("AWSServiceRoleForAWSTransformCustom")},
	// https://docs.aws.amazon.com/vpc/latest/tgw/tgw-service-linked-roles.html
	"transitgateway.amazonaws.com": {RoleName: "AWSServiceRoleForVPCTransitGateway", PolicyARN: slrPolicy("AWSVPCTransitGatewayServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSecurityIncidentResponseTriageServiceRolePolicy.html
	"triage.security-ir.amazonaws.com": {RoleName: "AWSServiceRoleForSecurityIncidentResponse_Triage", PolicyARN: slrPolicy("AWSSecurityIncidentResponseTriageServiceRolePolicy")},
	// https://docs.aws.amazon.com/awssupport/latest/user/using-service-linked-roles-ta.html
	"trustedadvisor.amazonaws.com": {RoleName: "AWSServiceRoleForTrustedAdvisor", PolicyARN: slrPolicy("AWSTrustedAdvisorServiceRolePolicy")},
	// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSUserAttributeCostAllocationPolicy.html
	"user-attribute-cost-allocation-data.amazonaws.com": {RoleName: "AWSServiceRoleForUserAttributeCostAllocation", PolicyARN: slrPolicy("AWSUserAttributeCostAllocationPolicy")},
	// https://docs.aws.amazon.com/verified-access/latest/ug/using-service-linked-roles.html
	"verified-access.amazonaws.com": {RoleName: "AWSServiceRoleForVPCVerifiedAccess", PolicyARN: slrPolicy("AWSVPCVerifiedAccessServiceRolePolicy")},
	// https://docs.aws.amazon.com/chime-sdk/latest/ag/using-service-linked-roles-stream.html
	"voiceconnector.chime.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonChimeVoiceConnector", PolicyARN: slrPolicy("AmazonChimeVoiceConnectorServiceLinkedRolePolicy")},
	// https://docs.aws.amazon.com/vpc-lattice/latest/ug/using-service-linked-roles.html
	"vpc-lattice.amazonaws.com": {RoleName: "AWSServiceRoleForVpcLattice", PolicyARN: slrPolicy("AWSVpcLatticeServiceRolePolicy")},
	// https://docs.aws.amazon.com/waf/latest/developerguide/classic-using-service-linked-roles.html
	"waf-regional.amazonaws.com": {RoleName: "AWSServiceRoleForWAFRegionalLogging", PolicyARN: slrPolicy("WAFRegionalLoggingServiceRolePolicy")},
	// https://docs.aws.amazon.com/waf/latest/developerguide/classic-using-service-linked-roles.html
	"waf.amazonaws.com": {RoleName: "AWSServiceRoleForWAFLogging", PolicyARN: slrPolicy("WAFLoggingServiceRolePolicy")},
	// https://docs.aws.amazon.com/waf/latest/developerguide/using-service-linked-roles.html
	"wafv2.amazonaws.com": {RoleName: "AWSServiceRoleForWAFV2Logging", PolicyARN: slrPolicy("WAFV2LoggingServiceRolePolicy")},
	// https://docs.aws.amazon.com/wellarchitected/latest/userguide/using-service-linked-roles.html
	"wellarchitected.amazonaws.com": {RoleName: "AWSServiceRoleForWellArchitected", PolicyARN: slrPolicy("AWSWellArchitectedOrganizationsServiceRolePolicy")},
	// https://docs.aws.amazon.com/workspaces-web/latest/adminguide/using-service-linked-roles.html
	"workspaces-web.amazonaws.com": {RoleName: "AWSServiceRoleForAmazonWorkSpacesWeb", PolicyARN: slrPolicy("AmazonWorkSpacesWebServiceRolePolicy")},
	// https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html
	"workspaces.application-autoscaling.amazonaws.com": {RoleName: "AWSServiceRoleForApplicationAutoScaling_WorkSpacesPool", PolicyARN: slrPolicy("AWSApplicationAutoscalingWorkSpacesPoolPolicy")},
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
