"""SNS e-mail subscriptions wait for confirmation (:mod:`sagemaker_emulator.sns_subscription_fixes`):
pending until confirmed, an ARN only when asked for, no unsubscribing while pending, gone with
their topic."""

from __future__ import annotations


def test_an_email_subscription_is_pending_until_confirmed(aws_client, error_of):
    sns = aws_client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    # Without ReturnSubscriptionArn, AWS answers a pending subscription with this text.
    assert sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")["SubscriptionArn"] == (
        "pending confirmation"
    )
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="b@example.com", ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    assert arn.startswith(f"{topic}:")
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "true"
    refused = error_of(sns.unsubscribe, SubscriptionArn=arn)["Error"]
    assert refused["Code"] == "InvalidParameter"
    assert "Cannot unsubscribe a subscription that is pending confirmation" in refused["Message"]
    # Deleting the topic deletes its subscriptions, pending ones too.
    sns.delete_topic(TopicArn=topic)
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_a_confirmed_subscription_can_be_unsubscribed(aws_client, emulator):
    sns = aws_client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="c@example.com", ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    assert emulator.confirm_subscription(arn)["PendingConfirmation"] == "false"
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_other_protocols_are_confirmed_at_once(aws_client):
    sns = aws_client("sns")
    topic = sns.create_topic(Name="results")["TopicArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:123456789012:q")[
        "SubscriptionArn"
    ]
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] in (False, "false")
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions()["Subscriptions"] == []
