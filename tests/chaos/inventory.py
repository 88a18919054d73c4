"""What exists in the emulated AWS account, what a stack's state says exists, and
how to clear away what nobody owns.

Objects are ``(kind, identifier)`` pairs, e.g. ``("sagemaker endpoint", "fraud-dev")``,
``("s3 object", "bucket/key")``, ``("iam role policy", "role:policy")``. The account
is listed through the emulator with boto3 (faults must be off): every service
the provider creates objects in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

ObjectKey = tuple[str, str]
ACCOUNT = "123456789012"
REGION = "us-east-1"

# State resource type -> the kind of AWS object its id names.
KIND_OF_TYPE = {
    "sagemaker-deployment:s3:Bucket": "s3 bucket",
    "sagemaker-deployment:s3:BucketObject": "s3 object",
    "sagemaker-deployment:kms:Key": "kms key",
    "sagemaker-deployment:iam:Role": "iam role",
    "sagemaker-deployment:iam:RolePolicy": "iam role policy",
    "sagemaker-deployment:sagemaker:Model": "sagemaker model",
    "sagemaker-deployment:sagemaker:EndpointConfig": "sagemaker endpoint config",
    "sagemaker-deployment:sagemaker:Endpoint": "sagemaker endpoint",
    "sagemaker-deployment:applicationautoscaling:ScalableTarget": "scalable target",
    "sagemaker-deployment:applicationautoscaling:ScalingPolicy": "scaling policy",
    "sagemaker-deployment:sns:Topic": "sns topic",
    "sagemaker-deployment:sns:Subscription": "sns subscription",
    "sagemaker-deployment:cloudwatch:MetricAlarm": "cloudwatch alarm",
    "sagemaker-deployment:cloudwatch:CompositeAlarm": "cloudwatch composite alarm",
    "sagemaker-deployment:cloudwatch:Dashboard": "cloudwatch dashboard",
    "sagemaker-deployment:sagemaker:InferenceComponentEndpointConfig": "sagemaker endpoint config",
    "sagemaker-deployment:sagemaker:InferenceComponent": "sagemaker inference component",
    "sagemaker-deployment:sagemaker:ModelPackageGroup": "sagemaker model package group",
    "sagemaker-deployment:logs:LogGroup": "log group",
    "sagemaker-deployment:events:Rule": "eventbridge rule",
    "sagemaker-deployment:sfn:StateMachine": "state machine",
    "sagemaker-deployment:awsappconfig:Application": "appconfig application",
    "sagemaker-deployment:awsappconfig:Environment": "appconfig environment",
    "sagemaker-deployment:awsappconfig:ConfigurationProfile": "appconfig profile",
    "sagemaker-deployment:awsappconfig:HostedConfigurationVersion": "appconfig version",
    "sagemaker-deployment:awsappconfig:DeploymentStrategy": "appconfig strategy",
}

#: AppConfig objects that live in an application: their identifier is
#: ``<application id>/<own id>`` (a hosted version's state id already is
#: ``<application>/<profile>/<number>``).
IN_APPLICATION = ("appconfig environment", "appconfig profile")


class Account:
    """boto3 clients on the emulator (standard retries: faults are off when it is used)."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.emulator.client(service)
        return self._clients[service]

    # -- listing ----------------------------------------------------------------------------

    def objects(self) -> set[ObjectKey]:
        """Every object in the account, once no endpoint is ``Deleting`` any more."""
        self._wait_for_endpoint_deletions()
        found: set[ObjectKey] = set()
        found |= self._s3()
        found |= self._iam()
        found |= self._kms()
        found |= self._sagemaker()
        found |= self._autoscaling()
        found |= {("sns topic", topic["TopicArn"]) for topic in self._pages("sns", "list_topics", "Topics")}
        found |= {("cloudwatch alarm", alarm["AlarmName"]) for alarm in self._pages("cloudwatch", "describe_alarms", "MetricAlarms")}
        found |= {
            ("cloudwatch dashboard", board["DashboardName"])
            for board in self._pages("cloudwatch", "list_dashboards", "DashboardEntries")
        }
        found |= {
            ("cloudwatch composite alarm", alarm["AlarmName"])
            for alarm in self._pages("cloudwatch", "describe_alarms", "CompositeAlarms", AlarmTypes=["CompositeAlarm"])
        }
        found |= {
            ("sns subscription", sub["SubscriptionArn"])
            for sub in self._pages("sns", "list_subscriptions", "Subscriptions")
            if sub["SubscriptionArn"].startswith("arn:")
        }
        found |= {("log group", group["logGroupName"]) for group in self._pages("logs", "describe_log_groups", "logGroups")}
        found |= {("eventbridge rule", rule["Name"]) for rule in self._pages("events", "list_rules", "Rules")}
        found |= {
            ("state machine", machine["stateMachineArn"])
            for machine in self._pages("stepfunctions", "list_state_machines", "stateMachines")
        }
        found |= self._appconfig()
        return found

    def _appconfig(self) -> set[ObjectKey]:
        """Applications, their environments, configuration profiles and hosted
        versions, and the deployment strategies of the account (AppConfig's
        predefined ``AppConfig.*`` strategies are no one's objects).
        Deployments are records of an environment, not objects: they go with it."""
        found: set[ObjectKey] = set()
        for app in self._pages("appconfig", "list_applications", "Items"):
            app_id = app["Id"]
            found.add(("appconfig application", app_id))
            for env in self._pages("appconfig", "list_environments", "Items", ApplicationId=app_id):
                found.add(("appconfig environment", f"{app_id}/{env['Id']}"))
            for profile in self._pages("appconfig", "list_configuration_profiles", "Items", ApplicationId=app_id):
                found.add(("appconfig profile", f"{app_id}/{profile['Id']}"))
                for version in self._pages(
                    "appconfig", "list_hosted_configuration_versions", "Items",
                    ApplicationId=app_id, ConfigurationProfileId=profile["Id"],
                ):
                    found.add(("appconfig version", f"{app_id}/{profile['Id']}/{version['VersionNumber']}"))
        for strategy in self._pages("appconfig", "list_deployment_strategies", "Items"):
            if not strategy["Id"].startswith("AppConfig."):
                found.add(("appconfig strategy", strategy["Id"]))
        return found

    def appconfig_named(self, kind: str, name: str, application: str | None = None) -> list[str]:
        """Identifiers (as :meth:`objects` gives them) of the AppConfig objects of
        ``kind`` named ``name`` (in ``application`` for environments and profiles)."""
        if kind == "appconfig application":
            return [a["Id"] for a in self._pages("appconfig", "list_applications", "Items") if a["Name"] == name]
        if kind == "appconfig strategy":
            return [s["Id"] for s in self._pages("appconfig", "list_deployment_strategies", "Items") if s["Name"] == name]
        if not application:
            return []
        operation = "list_environments" if kind == "appconfig environment" else "list_configuration_profiles"
        return [f"{application}/{o['Id']}" for o in self._pages("appconfig", operation, "Items", ApplicationId=application) if o["Name"] == name]

    def _sagemaker_more(self) -> set[ObjectKey]:
        found = {
            ("sagemaker inference component", c["InferenceComponentName"])
            for c in self._pages("sagemaker", "list_inference_components", "InferenceComponents")
        }
        found |= {
            ("sagemaker model package group", g["ModelPackageGroupName"])
            for g in self._pages("sagemaker", "list_model_package_groups", "ModelPackageGroupSummaryList")
        }
        return found

    def _pages(self, service: str, operation: str, key: str, **params: Any) -> Iterable[dict]:
        client = self.client(service)
        if client.can_paginate(operation):
            for page in client.get_paginator(operation).paginate(**params):
                yield from page.get(key, [])
        else:
            yield from getattr(client, operation)(**params).get(key, [])

    def _s3(self) -> set[ObjectKey]:
        found = set()
        for bucket in self.client("s3").list_buckets()["Buckets"]:
            name = bucket["Name"]
            found.add(("s3 bucket", name))
            for item in self._pages("s3", "list_objects_v2", "Contents", Bucket=name):
                found.add(("s3 object", f"{name}/{item['Key']}"))
        return found

    def _iam(self) -> set[ObjectKey]:
        found = set()
        iam = self.client("iam")
        for role in self._pages("iam", "list_roles", "Roles"):
            name = role["RoleName"]
            found.add(("iam role", name))
            for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
                found.add(("iam role policy", f"{name}:{policy}"))
            for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                found.add(("iam attached policy", f"{name}:{attached['PolicyArn']}"))
        for policy in self._pages("iam", "list_policies", "Policies", Scope="Local"):
            found.add(("iam policy", policy["Arn"]))
        return found

    def live_keys(self) -> set[str]:
        """KMS keys not scheduled for deletion (a deleted key waits out its window)."""
        kms = self.client("kms")
        keys = set()
        for key in self._pages("kms", "list_keys", "Keys"):
            state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
            if state not in ("PendingDeletion", "PendingReplicaDeletion"):
                keys.add(key["KeyId"])
        return keys

    def aliases(self) -> dict[str, str]:
        """Alias name -> the key it points at (customer aliases only)."""
        return {
            alias["AliasName"]: alias.get("TargetKeyId", "")
            for alias in self._pages("kms", "list_aliases", "Aliases")
            if not alias["AliasName"].startswith("alias/aws/")
        }

    def unnamed_keys(self, description: str) -> list[str]:
        """Live keys with ``description`` and no alias, newest first (a key whose
        create was interrupted before its alias was made)."""
        kms = self.client("kms")
        named = set(self.aliases().values())
        found = []
        for key_id in self.live_keys() - named:
            metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
            if metadata.get("Description") == description:
                found.append((metadata["CreationDate"], key_id))
        return [key_id for _, key_id in sorted(found, reverse=True)]

    def _kms(self) -> set[ObjectKey]:
        keys = self.live_keys()
        found = {("kms key", key) for key in keys}
        # An alias of a key pending deletion goes away with the key.
        found |= {("kms alias", name) for name, target in self.aliases().items() if target in keys}
        return found

    def _sagemaker(self) -> set[ObjectKey]:
        found = {("sagemaker model", m["ModelName"]) for m in self._pages("sagemaker", "list_models", "Models")}
        found |= {
            ("sagemaker endpoint config", c["EndpointConfigName"])
            for c in self._pages("sagemaker", "list_endpoint_configs", "EndpointConfigs")
        }
        found |= {("sagemaker endpoint", e["EndpointName"]) for e in self._pages("sagemaker", "list_endpoints", "Endpoints")}
        return found | self._sagemaker_more()

    def _autoscaling(self) -> set[ObjectKey]:
        found = {
            ("scalable target", t["ResourceId"])
            for t in self._pages("application-autoscaling", "describe_scalable_targets", "ScalableTargets", ServiceNamespace="sagemaker")
        }
        found |= {
            ("scaling policy", p["PolicyName"])
            for p in self._pages("application-autoscaling", "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="sagemaker")
        }
        return found

    def _wait_for_endpoint_deletions(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = [e["EndpointStatus"] for e in self._pages("sagemaker", "list_endpoints", "Endpoints")]
            if "Deleting" not in statuses:
                return
            time.sleep(0.2)

    # -- sweeping ---------------------------------------------------------------------------

    def sweep(self, objects: Iterable[ObjectKey]) -> list[str]:
        """Delete ``objects`` as an operator would clear away leftovers; returns what could not be."""
        order = [
            "scaling policy", "scalable target", "eventbridge rule", "state machine", "cloudwatch composite alarm",
            "cloudwatch alarm", "cloudwatch dashboard", "sagemaker inference component", "sagemaker endpoint",
            "sagemaker endpoint config", "sagemaker model", "sagemaker model package group", "sns subscription",
            "sns topic", "log group", "appconfig version", "appconfig profile", "appconfig environment",
            "appconfig application", "appconfig strategy", "s3 object", "s3 bucket",
            "iam attached policy", "iam role policy", "iam role", "iam policy", "kms alias", "kms key",
        ]
        problems = []
        for kind, identifier in sorted(objects, key=lambda o: order.index(o[0]) if o[0] in order else len(order)):
            try:
                self._delete(kind, identifier)
            except Exception as error:  # noqa: BLE001 - reported, not fatal: the campaign goes on
                problems.append(f"{kind} {identifier}: {error}")
        return problems

    def _delete(self, kind: str, identifier: str) -> None:
        if kind == "scaling policy":
            autoscaling = self.client("application-autoscaling")
            for policy in autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", PolicyNames=[identifier])["ScalingPolicies"]:
                autoscaling.delete_scaling_policy(
                    PolicyName=identifier, ServiceNamespace="sagemaker",
                    ResourceId=policy["ResourceId"], ScalableDimension=policy["ScalableDimension"],
                )
        elif kind == "scalable target":
            autoscaling = self.client("application-autoscaling")
            for target in autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[identifier])["ScalableTargets"]:
                autoscaling.deregister_scalable_target(
                    ServiceNamespace="sagemaker", ResourceId=identifier, ScalableDimension=target["ScalableDimension"]
                )
        elif kind == "cloudwatch alarm":
            self.client("cloudwatch").delete_alarms(AlarmNames=[identifier])
        elif kind == "cloudwatch dashboard":
            self.client("cloudwatch").delete_dashboards(DashboardNames=[identifier])
        elif kind == "sagemaker endpoint":
            self._delete_endpoint(identifier)
        elif kind == "sagemaker endpoint config":
            self.client("sagemaker").delete_endpoint_config(EndpointConfigName=identifier)
        elif kind == "sagemaker model":
            self.client("sagemaker").delete_model(ModelName=identifier)
        elif kind == "sns topic":
            self.client("sns").delete_topic(TopicArn=identifier)
        elif kind == "s3 object":
            bucket, key = identifier.split("/", 1)
            self.client("s3").delete_object(Bucket=bucket, Key=key)
        elif kind == "s3 bucket":
            self._delete_bucket(identifier)
        elif kind == "iam attached policy":
            role, arn = identifier.split(":", 1)
            self.client("iam").detach_role_policy(RoleName=role, PolicyArn=arn)
        elif kind == "iam role policy":
            role, policy = identifier.split(":", 1)
            self.client("iam").delete_role_policy(RoleName=role, PolicyName=policy)
        elif kind == "iam role":
            self._delete_role(identifier)
        elif kind == "iam policy":
            self.client("iam").delete_policy(PolicyArn=identifier)
        elif kind == "kms alias":
            self.client("kms").delete_alias(AliasName=identifier)
        elif kind == "kms key":
            self.client("kms").schedule_key_deletion(KeyId=identifier, PendingWindowInDays=7)
        elif kind == "cloudwatch composite alarm":
            self.client("cloudwatch").delete_alarms(AlarmNames=[identifier])
        elif kind == "sns subscription":
            self.client("sns").unsubscribe(SubscriptionArn=identifier)
        elif kind == "log group":
            self.client("logs").delete_log_group(logGroupName=identifier)
        elif kind == "eventbridge rule":
            events = self.client("events")
            targets = [t["Id"] for t in events.list_targets_by_rule(Rule=identifier).get("Targets", [])]
            if targets:
                events.remove_targets(Rule=identifier, Ids=targets)
            events.delete_rule(Name=identifier)
        elif kind == "state machine":
            self.client("stepfunctions").delete_state_machine(stateMachineArn=identifier)
        elif kind == "sagemaker inference component":
            self.client("sagemaker").delete_inference_component(InferenceComponentName=identifier)
        elif kind == "sagemaker model package group":
            self.client("sagemaker").delete_model_package_group(ModelPackageGroupName=identifier)
        elif kind.startswith("appconfig "):
            self._delete_appconfig(kind, identifier)
        else:
            raise ValueError(f"cannot delete a {kind}")

    def _delete_appconfig(self, kind: str, identifier: str) -> None:
        appconfig = self.client("appconfig")
        parts = identifier.split("/")
        if kind == "appconfig version":
            appconfig.delete_hosted_configuration_version(
                ApplicationId=parts[0], ConfigurationProfileId=parts[1], VersionNumber=int(parts[2])
            )
        elif kind == "appconfig profile":
            for version in self._pages(
                "appconfig", "list_hosted_configuration_versions", "Items", ApplicationId=parts[0], ConfigurationProfileId=parts[1]
            ):
                appconfig.delete_hosted_configuration_version(
                    ApplicationId=parts[0], ConfigurationProfileId=parts[1], VersionNumber=version["VersionNumber"]
                )
            appconfig.delete_configuration_profile(
                ApplicationId=parts[0], ConfigurationProfileId=parts[1], DeletionProtectionCheck="BYPASS"
            )
        elif kind == "appconfig environment":
            appconfig.delete_environment(ApplicationId=parts[0], EnvironmentId=parts[1], DeletionProtectionCheck="BYPASS")
        elif kind == "appconfig application":
            for profile in self._pages("appconfig", "list_configuration_profiles", "Items", ApplicationId=identifier):
                self._delete_appconfig("appconfig profile", f"{identifier}/{profile['Id']}")
            for env in self._pages("appconfig", "list_environments", "Items", ApplicationId=identifier):
                self._delete_appconfig("appconfig environment", f"{identifier}/{env['Id']}")
            appconfig.delete_application(ApplicationId=identifier)
        elif kind == "appconfig strategy":
            appconfig.delete_deployment_strategy(DeploymentStrategyId=identifier)

    def _delete_endpoint(self, name: str) -> None:
        sagemaker = self.client("sagemaker")
        deadline = time.monotonic() + 60
        while True:
            status = sagemaker.describe_endpoint(EndpointName=name)["EndpointStatus"]
            if status in ("InService", "Failed", "OutOfService") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        sagemaker.delete_endpoint(EndpointName=name)
        self._wait_for_endpoint_deletions()

    def _delete_bucket(self, name: str) -> None:
        s3 = self.client("s3")
        for version in self._pages("s3", "list_object_versions", "Versions", Bucket=name):
            s3.delete_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
        for marker in self._pages("s3", "list_object_versions", "DeleteMarkers", Bucket=name):
            s3.delete_object(Bucket=name, Key=marker["Key"], VersionId=marker["VersionId"])
        for item in self._pages("s3", "list_objects_v2", "Contents", Bucket=name):
            s3.delete_object(Bucket=name, Key=item["Key"])
        s3.delete_bucket(Bucket=name)

    def _delete_role(self, name: str) -> None:
        iam = self.client("iam")
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=name)


# -- the state's view ---------------------------------------------------------------------------


def state_resources(deployment: dict) -> list[dict]:
    """The provider's custom resources recorded in an exported deployment."""
    resources = (deployment.get("deployment") or {}).get("resources") or []
    return [r for r in resources if r.get("custom") and r.get("type") in KIND_OF_TYPE]


def state_objects(deployment: dict) -> set[ObjectKey]:
    """The AWS objects the state accounts for (old resources waiting for deletion included)."""
    owned: set[ObjectKey] = set()
    for resource in state_resources(deployment):
        kind = KIND_OF_TYPE[resource["type"]]
        outputs = resource.get("outputs") or {}
        identifier = resource.get("id") or ""
        if not identifier:
            continue
        if kind in IN_APPLICATION:
            identifier = f"{outputs.get('applicationId') or (resource.get('inputs') or {}).get('applicationId')}/{identifier}"
        owned.add((kind, identifier))
        if kind == "kms key" and outputs.get("aliasName"):
            owned.add(("kms alias", outputs["aliasName"]))
        if kind == "iam role":
            for policy in (outputs.get("inlinePolicies") or {}):
                owned.add(("iam role policy", f"{identifier}:{policy}"))
    return owned


def pending_operations(deployment: dict) -> list[dict]:
    """``[{"type": "creating"|"updating"|..., "resource": {...}}]`` left by an interrupted update."""
    return list((deployment.get("deployment") or {}).get("pending_operations") or [])


def created_object(
    resource: dict, account: Account, existing: set[ObjectKey], owned: set[ObjectKey] = frozenset()
) -> str | None:
    """The id of the AWS object an interrupted create made, if it exists (as a user
    checks in the console before telling ``refresh`` to import it). AppConfig
    objects, whose ids AppConfig chooses and whose names need not be unique, are
    looked up by name (in their application) among those no state holds
    (``owned``)."""
    kind = KIND_OF_TYPE.get(resource.get("type", ""))
    inputs = resource.get("inputs") or {}

    if kind in ("appconfig application", "appconfig strategy", *IN_APPLICATION):
        found = [
            identifier
            for identifier in account.appconfig_named(kind, inputs.get("name") or "", inputs.get("applicationId"))
            if (kind, identifier) in existing and (kind, identifier) not in owned
        ]
        # The state id of an environment or profile is its own id, without the application.
        return found[0].rsplit("/", 1)[-1] if found else None
    if kind == "appconfig version":
        application, profile = inputs.get("applicationId"), inputs.get("configurationProfileId")
        made = sorted(
            (int(identifier.rsplit("/", 1)[-1]), identifier)
            for k, identifier in existing - owned
            if k == kind and identifier.startswith(f"{application}/{profile}/")
        )
        return made[-1][1] if made else None

    def present(identifier: str | None) -> str | None:
        return identifier if identifier and (kind, identifier) in existing else None

    if kind == "s3 bucket":
        return present(inputs.get("bucketName"))
    if kind == "s3 object":
        return present(f"{inputs.get('bucket')}/{inputs.get('key')}")
    if kind == "kms key":
        # Named by its alias; before the alias was made, by its description.
        target = account.aliases().get(inputs.get("aliasName") or "")
        unnamed = account.unnamed_keys(inputs.get("description") or "") if not target else []
        return present(target or (unnamed[0] if unnamed else None))
    if kind == "iam role":
        return present(inputs.get("roleName"))
    if kind == "iam role policy":
        return present(f"{inputs.get('roleName')}:{inputs.get('policyName')}")
    if kind == "sagemaker model":
        return present(inputs.get("modelName"))
    if kind == "sagemaker endpoint config":
        return present(inputs.get("endpointConfigName"))
    if kind == "sagemaker endpoint":
        return present(inputs.get("endpointName"))
    if kind == "scalable target":
        return present(inputs.get("resourceId"))
    if kind == "scaling policy":
        return present(inputs.get("policyName"))
    if kind == "sns topic":
        return present(f"arn:aws:sns:{REGION}:{ACCOUNT}:{inputs.get('topicName')}")
    if kind == "cloudwatch alarm":
        return present(inputs.get("alarmName"))
    return None
