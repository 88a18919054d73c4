"""Objects deleted behind Pulumi's back, one custom resource type at a time,
through the real engine (the "disappears" tests of terraform-provider-aws).

One stack of the py-endpoint example, asynchronous with autoscaling down to
zero instances and with its scheduled retraining Workflow, holds every custom
resource type the provider serves but the two of inference components, which a
second stack (two models as inference components on one endpoint) holds. For
each type, an object of the stack is deleted directly in the emulator with
boto3, as a teammate would with the console; then `pulumi refresh` must drop
it (and what AWS deleted with it) from the state, touching nothing else, and
the next `up` must create it again, after which the stack has no changes.
A type added to the provider without a case here fails
`test_every_custom_resource_type_has_a_case`. `make test` runs five
representative types (REDUCED); `make disappears` runs them all."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, Stack

EXAMPLE = "py-endpoint"
CONFIG = {
    "inferenceType": "async",
    # Down to zero instances: the wake-up step policies and their alarm too.
    "autoscaling": json.dumps({"minCapacity": 0, "maxCapacity": 2, "targetBacklogPerInstance": 4}),
    # A MonitorDashboard: its dashboard, alarms, alarm topic and e-mail subscription.
    "monitoring": json.dumps({"alarmEmails": ["ml-oncall@example.com"]}),
    # A deployment strategy of its own, so that the stack holds that type too.
    "appConfigCustomStrategy": json.dumps(
        {"deploymentDurationInMinutes": 0, "growthFactor": 100, "finalBakeTimeInMinutes": 1}
    ),
    # The retraining Workflow, on a schedule: state machine, log group, model
    # package group, schedule rule and their two roles.
    "enableWorkflow": "true",
    "workflowSchedule": "rate(7 days)",
}
# The second stack: two models as inference components that may scale to zero.
COMPONENTS_PROGRAM = str(Path("..") / "tests" / "e2e" / "programs" / "py-inference-components")
COMPONENTS_CONFIG = {"acceleratorsPerCopy": "1"}
PACKAGE = "sagemaker-deployment"


@dataclass
class Resource:
    """One resource of the stack's state."""

    urn: str
    type: str
    id: str
    outputs: dict

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[1]


@dataclass
class Disappearance:
    """How an object of one type disappears, and what AWS deletes with it."""

    pick: Callable[[list[Resource]], Resource]
    delete: Callable[[Callable, Resource], None]
    exists: Callable[[Callable, Resource], bool]
    # Types of which AWS deletes every object of the stack along with it.
    takes_along: tuple[str, ...] = ()
    # What else must hold once it is back: (aws, the state by URN, the victim's URN).
    afterwards: Callable[[Callable, dict[str, Resource], str], None] | None = None
    # The URNs of the victim's own dependents that AWS deletes with it (when
    # others of their type stay): (the victim, the stack's resources).
    along: Callable[[Resource, list[Resource]], set[str]] | None = None
    # Held by the inference-component stack rather than the endpoint stack.
    components: bool = False


def only(resources: list[Resource]) -> Resource:
    assert len(resources) == 1, [r.urn for r in resources]
    return resources[0]


def named(suffix: str) -> Callable[[list[Resource]], Resource]:
    def pick(resources: list[Resource]) -> Resource:
        return only([r for r in resources if r.name.endswith(suffix)])

    return pick


def not_found(call: Callable[[], object], *codes: str) -> bool:
    """True when ``call`` fails with one of AWS's not-found ``codes``."""
    try:
        call()
    except Exception as error:  # botocore's ClientError, with the service's code
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code in codes:
            return True
        raise
    return False


# --- KMS ---------------------------------------------------------------------


def schedule_key_deletion(aws, key: Resource) -> None:
    # What the console's "Schedule key deletion" does; the alias stays until
    # the key is really deleted (KMS Developer Guide, "Deleting KMS keys").
    aws("kms").schedule_key_deletion(KeyId=key.id, PendingWindowInDays=7)


def key_usable(aws, key: Resource) -> bool:
    """Enabled, and its alias names it."""
    kms = aws("kms")
    aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=key.id)["Aliases"]]
    return kms.describe_key(KeyId=key.id)["KeyMetadata"]["KeyState"] == "Enabled" and key.outputs["aliasName"] in aliases


def everything_uses_the_new_key(aws, state: dict[str, Resource], key_urn: str) -> None:
    """The new key encrypts the buckets, the topics it encrypted and the endpoint's storage."""
    arn = state[key_urn].outputs["arn"]
    by_type = lambda name: [r for r in state.values() if r.type == token(*name.split(":"))]  # noqa: E731
    for bucket in by_type("s3:Bucket"):
        rules = aws("s3").get_bucket_encryption(Bucket=bucket.id)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == arn, bucket.id
    # The alarm topic is not encrypted: CloudWatch could not publish to it
    # with a key whose policy does not let it.
    for topic in (t for t in by_type("sns:Topic") if t.outputs.get("kmsKeyArn")):
        assert aws("sns").get_topic_attributes(TopicArn=topic.id)["Attributes"]["KmsMasterKeyId"] == arn
    (endpoint,) = by_type("sagemaker:Endpoint")
    running = aws("sagemaker").describe_endpoint(EndpointName=endpoint.id)["EndpointConfigName"]
    assert aws("sagemaker").describe_endpoint_config(EndpointConfigName=running)["KmsKeyId"] == arn


# --- S3 ----------------------------------------------------------------------


def delete_bucket(aws, bucket: Resource) -> None:
    # The console empties the bucket (every version and delete marker) first.
    s3 = aws("s3")
    name = bucket.id
    s3.delete_bucket_policy(Bucket=name)
    listed = s3.list_object_versions(Bucket=name)
    for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket=name, Key=entry["Key"], VersionId=entry["VersionId"])
    s3.delete_bucket(Bucket=name)


def bucket_exists(aws, bucket: Resource) -> bool:
    return not not_found(lambda: aws("s3").head_bucket(Bucket=bucket.id), "404", "NoSuchBucket")


def delete_object(aws, obj: Resource) -> None:
    # In a versioned bucket this adds a delete marker, as the console does.
    aws("s3").delete_object(Bucket=obj.outputs["bucket"], Key=obj.outputs["key"])


def object_exists(aws, obj: Resource) -> bool:
    s3 = aws("s3")
    return not not_found(lambda: s3.head_object(Bucket=obj.outputs["bucket"], Key=obj.outputs["key"]), "404")


# --- IAM ---------------------------------------------------------------------


def delete_role(aws, role: Resource) -> None:
    # The console deletes the role's inline policies and detaches its managed
    # ones before DeleteRole (which refuses a role that still has them).
    iam = aws("iam")
    for policy in iam.list_role_policies(RoleName=role.id)["PolicyNames"]:
        iam.delete_role_policy(RoleName=role.id, PolicyName=policy)
    for attached in iam.list_attached_role_policies(RoleName=role.id)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=role.id, PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName=role.id)


def role_exists(aws, role: Resource) -> bool:
    return not not_found(lambda: aws("iam").get_role(RoleName=role.id), "NoSuchEntity")


def delete_role_policy(aws, policy: Resource) -> None:
    aws("iam").delete_role_policy(RoleName=policy.outputs["roleName"], PolicyName=policy.outputs["policyName"])


def role_policy_exists(aws, policy: Resource) -> bool:
    iam = aws("iam")
    return not not_found(
        lambda: iam.get_role_policy(RoleName=policy.outputs["roleName"], PolicyName=policy.outputs["policyName"]),
        "NoSuchEntity",
    )


# --- SageMaker ---------------------------------------------------------------


def sagemaker_missing(call: Callable[[], object]) -> bool:
    """SageMaker says "not found" as a ValidationException "Could not find ..."."""
    try:
        call()
    except Exception as error:
        message = getattr(error, "response", {}).get("Error", {}).get("Message", "")
        if "Could not find" in message:
            return True
        raise
    return False


def delete_model(aws, model: Resource) -> None:
    aws("sagemaker").delete_model(ModelName=model.id)


def model_exists(aws, model: Resource) -> bool:
    return not sagemaker_missing(lambda: aws("sagemaker").describe_model(ModelName=model.id))


def delete_endpoint_config(aws, config: Resource) -> None:
    # SageMaker allows it while an endpoint runs the configuration.
    aws("sagemaker").delete_endpoint_config(EndpointConfigName=config.id)


def endpoint_config_exists(aws, config: Resource) -> bool:
    return not sagemaker_missing(lambda: aws("sagemaker").describe_endpoint_config(EndpointConfigName=config.id))


def endpoint_kept_serving(aws, state: dict[str, Resource], config_urn: str) -> None:
    """The endpoint whose configuration disappeared served on, and runs the configuration made again."""
    (endpoint,) = [r for r in state.values() if r.type == token("sagemaker", "Endpoint")]
    described = aws("sagemaker").describe_endpoint(EndpointName=endpoint.id)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == state[config_urn].id


def delete_endpoint(aws, endpoint: Resource) -> None:
    sagemaker = aws("sagemaker")
    sagemaker.delete_endpoint(EndpointName=endpoint.id)
    sagemaker.get_waiter("endpoint_deleted").wait(EndpointName=endpoint.id, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def endpoint_in_service(aws, endpoint: Resource) -> bool:
    sagemaker = aws("sagemaker")
    described: dict = {}

    def describe() -> None:
        described.update(sagemaker.describe_endpoint(EndpointName=endpoint.id))

    return not sagemaker_missing(describe) and described["EndpointStatus"] == "InService"


def delete_inference_component(aws, component: Resource) -> None:
    sagemaker = aws("sagemaker")
    sagemaker.delete_inference_component(InferenceComponentName=component.id)
    for _ in range(60):
        if inference_component_gone(aws, component):
            return
        time.sleep(0.5)
    raise AssertionError(f"inference component {component.id} still there 30 s after DeleteInferenceComponent")


def inference_component_gone(aws, component: Resource) -> bool:
    return sagemaker_missing(lambda: aws("sagemaker").describe_inference_component(InferenceComponentName=component.id))


def inference_component_in_service(aws, component: Resource) -> bool:
    sagemaker = aws("sagemaker")
    described: dict = {}

    def describe() -> None:
        described.update(sagemaker.describe_inference_component(InferenceComponentName=component.id))

    return not sagemaker_missing(describe) and described["InferenceComponentStatus"] == "InService"


def component_scaling(component: Resource, resources: list[Resource]) -> set[str]:
    """The component's scalable target and policies: deleting a component
    deregisters it, as deleting an endpoint deregisters its variants."""
    prefix = component.name.removesuffix("-component") + "-"
    return {
        r.urn for r in resources if r.type in (SCALABLE_TARGET, SCALING_POLICY) and r.name.startswith(prefix)
    }


def both_components_serve(aws, state: dict[str, Resource], _victim: str) -> None:
    """The component made again serves on the endpoint beside the one left alone."""
    (endpoint,) = [r for r in state.values() if r.type == token("sagemaker", "Endpoint")]
    components = [r for r in state.values() if r.type == INFERENCE_COMPONENT]
    assert len(components) == 2, [r.urn for r in components]
    for component in components:
        described = aws("sagemaker").describe_inference_component(InferenceComponentName=component.id)
        assert described["InferenceComponentStatus"] == "InService", described
        assert described["EndpointName"] == endpoint.id


# --- Application Auto Scaling --------------------------------------------------


def deregister_target(aws, target: Resource) -> None:
    aws("application-autoscaling").deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=target.id, ScalableDimension=target.outputs["scalableDimension"]
    )


def target_exists(aws, target: Resource) -> bool:
    found = aws("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[target.id], ScalableDimension=target.outputs["scalableDimension"]
    )
    return bool(found["ScalableTargets"])


def delete_scaling_policy(aws, policy: Resource) -> None:
    aws("application-autoscaling").delete_scaling_policy(
        PolicyName=policy.id,
        ServiceNamespace="sagemaker",
        ResourceId=policy.outputs["resourceId"],
        ScalableDimension=policy.outputs["scalableDimension"],
    )


def scaling_policy_exists(aws, policy: Resource) -> bool:
    found = aws("application-autoscaling").describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=policy.outputs["resourceId"], PolicyNames=[policy.id]
    )
    return bool(found["ScalingPolicies"])


# --- SNS and CloudWatch ------------------------------------------------------


def delete_topic(aws, topic: Resource) -> None:
    aws("sns").delete_topic(TopicArn=topic.id)


def topic_exists(aws, topic: Resource) -> bool:
    return not not_found(lambda: aws("sns").get_topic_attributes(TopicArn=topic.id), "NotFound")


def delete_alarm(aws, alarm: Resource) -> None:
    aws("cloudwatch").delete_alarms(AlarmNames=[alarm.id])


def alarm_exists(aws, alarm: Resource) -> bool:
    return bool(aws("cloudwatch").describe_alarms(AlarmNames=[alarm.id])["MetricAlarms"])


def composite_alarm_exists(aws, alarm: Resource) -> bool:
    found = aws("cloudwatch").describe_alarms(AlarmNames=[alarm.id], AlarmTypes=["CompositeAlarm"])
    return bool(found["CompositeAlarms"])


def delete_dashboard(aws, dashboard: Resource) -> None:
    aws("cloudwatch").delete_dashboards(DashboardNames=[dashboard.id])


def dashboard_exists(aws, dashboard: Resource) -> bool:
    return not not_found(lambda: aws("cloudwatch").get_dashboard(DashboardName=dashboard.id), "ResourceNotFound")


def unsubscribe(aws, subscription: Resource) -> None:
    # SNS refuses to unsubscribe a subscription still pending confirmation:
    # its owner confirms it (the link SNS mailed), then unsubscribes (the
    # link in every notification).
    sns = aws("sns")
    confirm = urllib.request.Request(
        f"{sns.meta.endpoint_url}/_emulator/sns/confirm-subscription",
        data=json.dumps({"subscription_arn": subscription.id}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(confirm, timeout=30).read()
    sns.unsubscribe(SubscriptionArn=subscription.id)


def subscription_exists(aws, subscription: Resource) -> bool:
    sns = aws("sns")
    return not not_found(lambda: sns.get_subscription_attributes(SubscriptionArn=subscription.id), "NotFound")


# --- AppConfig -----------------------------------------------------------------
# The console deletes an application's profiles (their hosted versions first)
# and environments before the application; AppConfig has no DeleteDeployment:
# deployments go with their environment (API reference, DeleteEnvironment).


def appconfig_gone(call: Callable[[], object]) -> bool:
    return not_found(call, "ResourceNotFoundException")


def delete_profile(aws, profile: Resource) -> None:
    appconfig = aws("appconfig")
    app_id, profile_id = profile.outputs["applicationId"], profile.id
    versions = appconfig.list_hosted_configuration_versions(ApplicationId=app_id, ConfigurationProfileId=profile_id)
    for version in versions["Items"]:
        appconfig.delete_hosted_configuration_version(
            ApplicationId=app_id, ConfigurationProfileId=profile_id, VersionNumber=version["VersionNumber"]
        )
    appconfig.delete_configuration_profile(ApplicationId=app_id, ConfigurationProfileId=profile_id)


def profile_exists(aws, profile: Resource) -> bool:
    return not appconfig_gone(
        lambda: aws("appconfig").get_configuration_profile(
            ApplicationId=profile.outputs["applicationId"], ConfigurationProfileId=profile.id
        )
    )


def delete_environment(aws, environment: Resource) -> None:
    aws("appconfig").delete_environment(ApplicationId=environment.outputs["applicationId"], EnvironmentId=environment.id)


def environment_exists(aws, environment: Resource) -> bool:
    return not appconfig_gone(
        lambda: aws("appconfig").get_environment(ApplicationId=environment.outputs["applicationId"], EnvironmentId=environment.id)
    )


def delete_application(aws, application: Resource) -> None:
    appconfig = aws("appconfig")
    app_id = application.id
    for profile in appconfig.list_configuration_profiles(ApplicationId=app_id)["Items"]:
        delete_profile(aws, Resource("", "", profile["Id"], {"applicationId": app_id}))
    for environment in appconfig.list_environments(ApplicationId=app_id)["Items"]:
        appconfig.delete_environment(ApplicationId=app_id, EnvironmentId=environment["Id"])
    appconfig.delete_application(ApplicationId=app_id)


def application_exists(aws, application: Resource) -> bool:
    return not appconfig_gone(lambda: aws("appconfig").get_application(ApplicationId=application.id))


def delete_hosted_version(aws, version: Resource) -> None:
    aws("appconfig").delete_hosted_configuration_version(
        ApplicationId=version.outputs["applicationId"],
        ConfigurationProfileId=version.outputs["configurationProfileId"],
        VersionNumber=int(version.outputs["versionNumber"]),
    )


def hosted_version_exists(aws, version: Resource) -> bool:
    return not appconfig_gone(
        lambda: aws("appconfig").get_hosted_configuration_version(
            ApplicationId=version.outputs["applicationId"],
            ConfigurationProfileId=version.outputs["configurationProfileId"],
            VersionNumber=int(version.outputs["versionNumber"]),
        )
    )


def delete_strategy(aws, strategy: Resource) -> None:
    aws("appconfig").delete_deployment_strategy(DeploymentStrategyId=strategy.id)


def strategy_exists(aws, strategy: Resource) -> bool:
    return not appconfig_gone(lambda: aws("appconfig").get_deployment_strategy(DeploymentStrategyId=strategy.id))


def delete_deployment_environment(aws, deployment: Resource) -> None:
    aws("appconfig").delete_environment(
        ApplicationId=deployment.outputs["applicationId"], EnvironmentId=deployment.outputs["environmentId"]
    )


def deployment_exists(aws, deployment: Resource) -> bool:
    return not appconfig_gone(
        lambda: aws("appconfig").get_deployment(
            ApplicationId=deployment.outputs["applicationId"],
            EnvironmentId=deployment.outputs["environmentId"],
            DeploymentNumber=deployment.outputs["deploymentNumber"],
        )
    )


def parameters_served_again(aws, state: dict[str, Resource], _victim: str) -> None:
    """The model's container names the AppConfig objects of the state, which serve the parameters."""
    (model,) = [r for r in state.values() if r.type == token("sagemaker", "Model")]
    environment = aws("sagemaker").describe_model(ModelName=model.id)["PrimaryContainer"]["Environment"]
    (profile,) = [r for r in state.values() if r.type == APPCONFIG_PROFILE]
    assert environment["APPCONFIG_PROFILE_ID"] == profile.id
    data = aws("appconfigdata")
    token_ = data.start_configuration_session(
        ApplicationIdentifier=environment["APPCONFIG_APPLICATION_ID"],
        EnvironmentIdentifier=environment["APPCONFIG_ENVIRONMENT_ID"],
        ConfigurationProfileIdentifier=environment["APPCONFIG_PROFILE_ID"],
    )["InitialConfigurationToken"]
    served = json.loads(data.get_latest_configuration(ConfigurationToken=token_)["Configuration"].read())
    assert served["inference"]["thresholds"]["classification"] == 0.5


# --- Workflow: Step Functions, CloudWatch Logs, model registry, EventBridge --------


def delete_state_machine(aws, machine: Resource) -> None:
    aws("stepfunctions").delete_state_machine(stateMachineArn=machine.id)


def state_machine_exists(aws, machine: Resource) -> bool:
    sfn = aws("stepfunctions")
    described: dict = {}

    def describe() -> None:
        described.update(sfn.describe_state_machine(stateMachineArn=machine.id))

    # DeleteStateMachine marks it DELETING until its executions stop (API
    # Reference, DeleteStateMachine); a DELETING machine is on its way out.
    return not not_found(describe, "StateMachineDoesNotExist") and described.get("status") != "DELETING"


def delete_log_group(aws, group: Resource) -> None:
    aws("logs").delete_log_group(logGroupName=group.id)


def log_group_exists(aws, group: Resource) -> bool:
    found = aws("logs").describe_log_groups(logGroupNamePrefix=group.id)["logGroups"]
    return any(g["logGroupName"] == group.id for g in found)


def delete_model_package_group(aws, group: Resource) -> None:
    # The stack's group holds no versions (no execution ran); DeleteModelPackageGroup
    # refuses one that still does.
    aws("sagemaker").delete_model_package_group(ModelPackageGroupName=group.id)


def model_package_group_exists(aws, group: Resource) -> bool:
    """SageMaker says a missing group "does not exist" in a ValidationException."""
    try:
        aws("sagemaker").describe_model_package_group(ModelPackageGroupName=group.id)
    except Exception as error:
        message = getattr(error, "response", {}).get("Error", {}).get("Message", "")
        if "does not exist" in message:
            return False
        raise
    return True


def delete_rule(aws, rule: Resource) -> None:
    # DeleteRule refuses a rule that still has targets: the console removes
    # them first (EventBridge API Reference, DeleteRule).
    events = aws("events")
    targets = [t["Id"] for t in events.list_targets_by_rule(Rule=rule.id)["Targets"]]
    if targets:
        events.remove_targets(Rule=rule.id, Ids=targets)
    events.delete_rule(Name=rule.id)


def rule_exists(aws, rule: Resource) -> bool:
    return not not_found(lambda: aws("events").describe_rule(Name=rule.id), "ResourceNotFoundException")


def workflow_runs_on_schedule(aws, state: dict[str, Resource], _victim: str) -> None:
    """The schedule starts the state machine of the state, as its role, which may start it."""
    (rule,) = [r for r in state.values() if r.type == EVENTS_RULE]
    (machine,) = [r for r in state.values() if r.type == STATE_MACHINE]
    (target,) = aws("events").list_targets_by_rule(Rule=rule.id)["Targets"]
    assert target["Arn"] == machine.id
    described = aws("stepfunctions").describe_state_machine(stateMachineArn=machine.id)
    (destination,) = described["loggingConfiguration"]["destinations"]
    (logs,) = [r for r in state.values() if r.type == LOG_GROUP]
    assert destination["cloudWatchLogsLogGroup"]["logGroupArn"].startswith(logs.outputs["arn"].removesuffix(":*"))
    iam = aws("iam")
    for role_arn in (described["roleArn"], target["RoleArn"]):
        assert iam.get_role(RoleName=role_arn.rsplit("/", 1)[1])["Role"]["Arn"] == role_arn


def token(module: str, name: str) -> str:
    return f"{PACKAGE}:{module}:{name}"


SCALABLE_TARGET = token("applicationautoscaling", "ScalableTarget")
SCALING_POLICY = token("applicationautoscaling", "ScalingPolicy")
BUCKET_OBJECT = token("s3", "BucketObject")
ROLE_POLICY = token("iam", "RolePolicy")
APPCONFIG_ENVIRONMENT = token("awsappconfig", "Environment")
APPCONFIG_PROFILE = token("awsappconfig", "ConfigurationProfile")
APPCONFIG_VERSION = token("awsappconfig", "HostedConfigurationVersion")
APPCONFIG_DEPLOYMENT = token("awsappconfig", "Deployment")
STATE_MACHINE = token("sfn", "StateMachine")
LOG_GROUP = token("logs", "LogGroup")
EVENTS_RULE = token("events", "Rule")
INFERENCE_COMPONENT = token("sagemaker", "InferenceComponent")

DISAPPEARANCES: dict[str, Disappearance] = {
    # A new key takes over the alias, and everything it encrypted moves to it.
    token("kms", "Key"): Disappearance(only, schedule_key_deletion, key_usable, afterwards=everything_uses_the_new_key),
    # The artifact bucket: its object (the model artifact) goes with it.
    token("s3", "Bucket"): Disappearance(
        named("-model-artifacts"), delete_bucket, bucket_exists, takes_along=(BUCKET_OBJECT,)
    ),
    BUCKET_OBJECT: Disappearance(only, delete_object, object_exists),
    # The execution role (the workflow's two roles keep their policies inline).
    # Its inline policies go with the role: the image pulls and async notifications grants too.
    token("iam", "Role"): Disappearance(named("-execution-role"), delete_role, role_exists, takes_along=(ROLE_POLICY,)),
    ROLE_POLICY: Disappearance(named("-notifications-policy"), delete_role_policy, role_policy_exists),
    token("sagemaker", "Model"): Disappearance(only, delete_model, model_exists),
    token("sagemaker", "EndpointConfig"): Disappearance(
        only, delete_endpoint_config, endpoint_config_exists, afterwards=endpoint_kept_serving
    ),
    # Deleting an autoscaled endpoint deregisters its variants (SageMaker
    # Developer Guide, "Delete endpoints configured for auto scaling"), which
    # deletes their scaling policies.
    token("sagemaker", "Endpoint"): Disappearance(
        only, delete_endpoint, endpoint_in_service, takes_along=(SCALABLE_TARGET, SCALING_POLICY)
    ),
    # Deregistering a target deletes its scaling policies (Application Auto
    # Scaling API Reference, DeregisterScalableTarget).
    SCALABLE_TARGET: Disappearance(only, deregister_target, target_exists, takes_along=(SCALING_POLICY,)),
    SCALING_POLICY: Disappearance(named("-backlog"), delete_scaling_policy, scaling_policy_exists),
    token("sns", "Topic"): Disappearance(named("-success-topic"), delete_topic, topic_exists),
    token("cloudwatch", "MetricAlarm"): Disappearance(named("-wake-up-alarm"), delete_alarm, alarm_exists),
    token("cloudwatch", "CompositeAlarm"): Disappearance(only, delete_alarm, composite_alarm_exists),
    token("cloudwatch", "Dashboard"): Disappearance(only, delete_dashboard, dashboard_exists),
    token("sns", "Subscription"): Disappearance(only, unsubscribe, subscription_exists),
    # An application is deleted with everything in it; the model then names the new one.
    token("awsappconfig", "Application"): Disappearance(
        only,
        delete_application,
        application_exists,
        takes_along=(APPCONFIG_ENVIRONMENT, APPCONFIG_PROFILE, APPCONFIG_VERSION, APPCONFIG_DEPLOYMENT),
        afterwards=parameters_served_again,
    ),
    APPCONFIG_ENVIRONMENT: Disappearance(
        only, delete_environment, environment_exists, takes_along=(APPCONFIG_DEPLOYMENT,), afterwards=parameters_served_again
    ),
    APPCONFIG_PROFILE: Disappearance(
        only, delete_profile, profile_exists, takes_along=(APPCONFIG_VERSION,), afterwards=parameters_served_again
    ),
    APPCONFIG_VERSION: Disappearance(only, delete_hosted_version, hosted_version_exists, afterwards=parameters_served_again),
    token("awsappconfig", "DeploymentStrategy"): Disappearance(only, delete_strategy, strategy_exists),
    # No DeleteDeployment: a deployment disappears with its environment.
    APPCONFIG_DEPLOYMENT: Disappearance(
        only,
        delete_deployment_environment,
        deployment_exists,
        takes_along=(APPCONFIG_ENVIRONMENT,),
        afterwards=parameters_served_again,
    ),
    # The retraining workflow: the schedule goes on starting the machine made again,
    # which logs to its log group again.
    STATE_MACHINE: Disappearance(only, delete_state_machine, state_machine_exists, afterwards=workflow_runs_on_schedule),
    LOG_GROUP: Disappearance(only, delete_log_group, log_group_exists, afterwards=workflow_runs_on_schedule),
    token("sagemaker", "ModelPackageGroup"): Disappearance(only, delete_model_package_group, model_package_group_exists),
    EVENTS_RULE: Disappearance(only, delete_rule, rule_exists, afterwards=workflow_runs_on_schedule),
    # Inference components, in their own stack: the endpoint's configuration
    # (the endpoint serves on) and one of its two components, whose scaling
    # goes with it.
    token("sagemaker", "InferenceComponentEndpointConfig"): Disappearance(
        only, delete_endpoint_config, endpoint_config_exists, afterwards=endpoint_kept_serving, components=True
    ),
    INFERENCE_COMPONENT: Disappearance(
        named("-chat-component"),
        delete_inference_component,
        inference_component_in_service,
        along=component_scaling,
        afterwards=both_components_serve,
        components=True,
    ),
}


# `make test` runs the types whose loss takes most along or is hardest to get
# over; `make disappears` (part of `make chaos`) sets DISAPPEARS=all for every type.
REDUCED = {
    token("kms", "Key"),
    token("iam", "Role"),
    token("sagemaker", "Endpoint"),
    token("awsappconfig", "Application"),
    STATE_MACHINE,
}
SELECTED = sorted(DISAPPEARANCES) if os.environ.get("DISAPPEARS") == "all" else sorted(REDUCED)


def registry_tokens(engine) -> set[str]:
    """The custom resource types the provider binary serves (its schema)."""
    binary = ROOT / "bin" / f"pulumi-resource-{PACKAGE}"
    completed = subprocess.run(
        ["pulumi", "package", "get-schema", str(binary)],
        capture_output=True,
        text=True,
        env=engine.env,
        check=True,
        timeout=120,
    )
    resources = json.loads(completed.stdout)["resources"]
    return {name for name, spec in resources.items() if not spec.get("isComponent")}


def state_of(stack: Stack) -> list[Resource]:
    """The custom resources of the stack's state, as `pulumi stack export` gives them."""
    completed = subprocess.run(
        ["pulumi", "stack", "export", "--stack", stack.name, "--cwd", str(ROOT / "examples" / stack.example)],
        capture_output=True,
        text=True,
        env=stack.engine.env,
        check=True,
        timeout=120,
    )
    deployment = json.loads(completed.stdout)["deployment"]
    return [
        Resource(r["urn"], r["type"], r.get("id", ""), r.get("outputs", {}))
        for r in deployment.get("resources", [])
        if r.get("custom") and r["type"].startswith(f"{PACKAGE}:")
    ]


def test_every_custom_resource_type_has_a_case(engine):
    assert registry_tokens(engine) == set(DISAPPEARANCES)


@dataclass
class Deployed:
    stack: Stack
    config: dict[str, str]
    # The URNs of the complete stack.
    urns: set[str]


def deploy(engine, example: str, name: str, config: dict[str, str], components: bool):
    stack = Stack(engine, "python", example, name)
    stack.remove()
    stack.run("up", config=config)
    resources = state_of(stack)
    held = {token for token, case in DISAPPEARANCES.items() if case.components == components}
    assert {r.type for r in resources} >= held, "the stack holds every custom resource type it is picked for"
    return Deployed(stack, config, {r.urn for r in resources})


@pytest.fixture(scope="module")
def deployment(engine, emulator):
    emulator.reset()
    emulator.configure(endpoint_creating_seconds=0.5, endpoint_updating_seconds=0.5)
    deployed = deploy(engine, EXAMPLE, "e2e-disappears", CONFIG, components=False)
    yield deployed
    deployed.stack.run("destroy", expect_ok=False)
    deployed.stack.remove()


@pytest.fixture(scope="module")
def components_deployment(engine, deployment):
    # After the endpoint stack (whose fixture empties the emulator), beside it.
    deployed = deploy(engine, COMPONENTS_PROGRAM, "e2e-disappears-components", COMPONENTS_CONFIG, components=True)
    yield deployed
    deployed.stack.run("destroy", expect_ok=False)
    deployed.stack.remove()


def complete(deployment: Deployed) -> Stack:
    """The complete stack, put back together if an earlier case failed half-way."""
    stack = deployment.stack
    if {r.urn for r in state_of(stack)} != deployment.urns:
        stack.run("refresh", expect_ok=False)
        stack.run("up", config=deployment.config)
    assert {r.urn for r in state_of(stack)} == deployment.urns
    return stack


@pytest.mark.parametrize("resource_type", SELECTED)
def test_an_object_deleted_behind_pulumis_back_is_dropped_then_recreated(resource_type, request, aws):
    case = DISAPPEARANCES[resource_type]
    deployment = request.getfixturevalue("components_deployment" if case.components else "deployment")
    deployed = complete(deployment)
    config = deployment.config
    before = state_of(deployed)
    victim = case.pick([r for r in before if r.type == resource_type])
    assert case.exists(aws, victim)

    case.delete(aws, victim)
    assert not case.exists(aws, victim)
    gone = {victim.urn} | {r.urn for r in before if r.type in case.takes_along}
    if case.along:
        gone |= case.along(victim, before)

    # Refresh drops exactly what AWS no longer has, and keeps the rest.
    refresh = deployed.run("refresh")
    assert refresh.changes["delete"] == len(gone), (refresh.changes, sorted(gone))
    after_refresh = {r.urn: r for r in state_of(deployed)}
    assert set(after_refresh) == {r.urn for r in before} - gone

    # The next up creates it again; the stack then has nothing left to do.
    up = deployed.run("up", config=config)
    print(f"\n[{resource_type}] dropped {len(gone)}, then up: {up.changes}")
    assert up.changes["create"] == len(gone), up.changes
    recreated = {r.urn: r for r in state_of(deployed)}
    assert set(recreated) == {r.urn for r in before}
    assert case.exists(aws, recreated[victim.urn])
    for urn in gone:
        other = recreated[urn]
        assert DISAPPEARANCES[other.type].exists(aws, other), urn
    if case.afterwards:
        case.afterwards(aws, recreated, victim.urn)
    deployed.run("preview", "--expect-no-changes", config=config)
