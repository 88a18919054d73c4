"""What the campaign counts as owned by the state, and how it finds the object an
interrupted create made (pure functions, no emulator)."""

from __future__ import annotations

from inventory import created_object, pending_operations, state_objects

KEY = "sagemaker-deployment:kms:Key"
ROLE = "sagemaker-deployment:iam:Role"
ENDPOINT = "sagemaker-deployment:sagemaker:Endpoint"


def resource(type_: str, id_: str, outputs: dict | None = None, **extra) -> dict:
    return {"urn": f"urn:pulumi:chaos::p::{type_}::r", "type": type_, "custom": True, "id": id_, "outputs": outputs or {}, **extra}


def test_the_state_owns_its_objects_with_their_aliases_and_inline_policies():
    deployment = {
        "deployment": {
            "resources": [
                {"urn": "urn:pulumi:chaos::p::pulumi:pulumi:Stack::p-chaos", "type": "pulumi:pulumi:Stack", "custom": False},
                resource(KEY, "key-1", {"aliasName": "alias/fraud"}),
                resource(ROLE, "exec", {"inlinePolicies": {"read": "{}"}}),
                resource(ENDPOINT, "fraud-dev"),
                # An old endpoint waiting for deletion after a replacement is still owned.
                resource(ENDPOINT, "fraud-old", delete=True),
            ]
        }
    }
    assert state_objects(deployment) == {
        ("kms key", "key-1"),
        ("kms alias", "alias/fraud"),
        ("iam role", "exec"),
        ("iam role policy", "exec:read"),
        ("sagemaker endpoint", "fraud-dev"),
        ("sagemaker endpoint", "fraud-old"),
    }
    assert state_objects({}) == set()


class Aliases:
    def aliases(self) -> dict[str, str]:
        return {"alias/fraud": "key-9"}

    def unnamed_keys(self, description: str) -> list[str]:
        return ["key-7"] if description == "artifacts key" else []


def test_an_interrupted_create_is_matched_to_the_object_it_made_if_any():
    existing = {("sagemaker endpoint", "fraud-dev"), ("kms key", "key-9")}
    endpoint = {"type": ENDPOINT, "urn": "urn:e", "inputs": {"endpointName": "fraud-dev"}}
    assert created_object(endpoint, Aliases(), existing) == "fraud-dev"
    missing = {"type": ENDPOINT, "urn": "urn:e", "inputs": {"endpointName": "other"}}
    assert created_object(missing, Aliases(), existing) is None
    # A key has no name: its alias says which key the create made.
    key = {"type": KEY, "urn": "urn:k", "inputs": {"aliasName": "alias/fraud"}}
    assert created_object(key, Aliases(), existing) == "key-9"
    unnamed = {"type": KEY, "urn": "urn:k", "inputs": {"aliasName": "alias/none"}}
    assert created_object(unnamed, Aliases(), existing) is None
    # Interrupted before its alias was made: found by its description.
    described = {"type": KEY, "urn": "urn:k", "inputs": {"aliasName": "alias/none", "description": "artifacts key"}}
    assert created_object(described, Aliases(), existing | {("kms key", "key-7")}) == "key-7"


def test_pending_operations_come_from_the_export():
    pending = [{"type": "creating", "resource": {"urn": "urn:e"}}]
    assert pending_operations({"deployment": {"pending_operations": pending}}) == pending
    assert pending_operations({}) == []


PROFILE = "sagemaker-deployment:awsappconfig:ConfigurationProfile"
ENVIRONMENT = "sagemaker-deployment:awsappconfig:Environment"
APPLICATION = "sagemaker-deployment:awsappconfig:Application"
VERSION = "sagemaker-deployment:awsappconfig:HostedConfigurationVersion"


def test_appconfig_objects_are_owned_under_their_application():
    deployment = {
        "deployment": {
            "resources": [
                resource(APPLICATION, "app1"),
                resource(ENVIRONMENT, "env1", {"applicationId": "app1"}),
                resource(PROFILE, "prof1", {"applicationId": "app1"}),
                resource(VERSION, "app1/prof1/1", {"applicationId": "app1"}),
            ]
        }
    }
    assert state_objects(deployment) == {
        ("appconfig application", "app1"),
        ("appconfig environment", "app1/env1"),
        ("appconfig profile", "app1/prof1"),
        ("appconfig version", "app1/prof1/1"),
    }


class AppConfigConsole:
    """Two profiles named model-parameters in app1: prof1 (in the state) and prof2."""

    def appconfig_named(self, kind: str, name: str, application: str | None = None) -> list[str]:
        if kind == "appconfig profile" and name == "model-parameters" and application == "app1":
            return ["app1/prof1", "app1/prof2"]
        return []


def test_an_interrupted_appconfig_create_is_matched_by_name_among_objects_no_state_holds():
    existing = {("appconfig profile", "app1/prof1"), ("appconfig profile", "app1/prof2"), ("appconfig version", "app1/prof1/3")}
    owned = {("appconfig profile", "app1/prof1")}
    profile = {"type": PROFILE, "urn": "urn:p", "inputs": {"applicationId": "app1", "name": "model-parameters"}}
    # The state id of a profile is its own id.
    assert created_object(profile, AppConfigConsole(), existing, owned) == "prof2"
    assert created_object(profile, AppConfigConsole(), existing, owned | {("appconfig profile", "app1/prof2")}) is None
    # A hosted version is the newest of its profile that no state holds; its id names both.
    version = {"type": VERSION, "urn": "urn:v", "inputs": {"applicationId": "app1", "configurationProfileId": "prof1"}}
    assert created_object(version, AppConfigConsole(), existing, owned) == "app1/prof1/3"
    assert created_object(version, AppConfigConsole(), existing, owned | {("appconfig version", "app1/prof1/3")}) is None
