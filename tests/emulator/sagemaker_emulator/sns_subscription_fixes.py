"""SNS: e-mail subscriptions wait for their confirmation, as in AWS.

moto 5.2.5 confirms every subscription at once. In AWS a subscription to an e-mail
address is pending until its owner follows the link SNS mails to it:

* "To confirm a subscription, the endpoint owner must ... confirm the subscription";
  an e-mail endpoint receives a confirmation message and the subscription stays
  "Pending confirmation" until then (Amazon SNS Developer Guide, "Subscribing to an
  Amazon SNS topic" and "Confirm your Amazon SNS subscription");
* ``Subscribe``: "ReturnSubscriptionArn - Sets whether the response from the Subscribe
  request includes the subscription ARN, even if the subscription is not yet
  confirmed"; without it the answer for a pending subscription is the text
  ``pending confirmation`` (SNS API Reference, Subscribe);
* ``GetSubscriptionAttributes``: ``PendingConfirmation`` - "true if the subscription
  confirmation request was sent but the subscriber did not yet confirm the
  subscription" (SNS API Reference, GetSubscriptionAttributes);
* ``Unsubscribe`` of a pending subscription is refused with ``InvalidParameter``
  "Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is
  pending confirmation"; the subscription expires by itself after three days
  (the refusal as AWS answers it, reported in
  https://github.com/go-to-k/cdkd/issues/1301; CloudFormation skips such a subscription
  when it deletes a stack);
* ``DeleteTopic``: "Deletes a topic and all its subscriptions" (SNS API Reference) -
  moto does this already, pending ones included.

The fixes live in moto's SNS itself (backend and response handler), so they apply
whatever protocol the call came in.
"""

from __future__ import annotations

from typing import Any

#: The protocols whose endpoints confirm by hand (a person reads the message).
CONFIRMED_BY_HAND = ("email", "email-json")

PENDING_UNSUBSCRIBE = (
    "Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is pending confirmation"
)

_INSTALLED = False


def is_pending(subscription: Any) -> bool:
    return subscription.attributes.get("PendingConfirmation") == "true"


def confirm(subscription_arn: str) -> dict:
    """Confirm the pending subscription ``subscription_arn`` (its owner followed the link SNS mailed):
    ``PendingConfirmation`` becomes ``false``. Returns its attributes."""
    from moto.sns.models import sns_backends
    from moto.utilities.arns import parse_arn

    parsed = parse_arn(subscription_arn)
    backend = sns_backends[parsed.account][parsed.region]
    subscription = backend.subscriptions.get(subscription_arn)
    if subscription is None:
        raise ValueError(f"no subscription {subscription_arn}")
    if not is_pending(subscription):
        raise ValueError(f"subscription {subscription_arn} is not pending confirmation")
    subscription.attributes["PendingConfirmation"] = "false"
    subscription.confirmed = True
    return dict(subscription.attributes)


def install() -> None:
    """Patch moto's SNS once per process."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.sns.exceptions import SNSInvalidParameter
    from moto.sns.models import SNSBackend
    from moto.sns.responses import SNSResponse

    original_subscribe = SNSBackend.subscribe
    original_unsubscribe = SNSBackend.unsubscribe
    original_subscribe_response = SNSResponse.subscribe

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        subscription = original_subscribe(self, topic_arn, endpoint, protocol)
        if existing is None and protocol in CONFIRMED_BY_HAND:
            subscription.attributes["PendingConfirmation"] = "true"
            subscription.attributes["ConfirmationWasAuthenticated"] = "false"
            subscription.confirmed = False
        return subscription

    def unsubscribe(self: Any, subscription_arn: str) -> None:
        subscription = self.subscriptions.get(subscription_arn)
        if subscription is not None and is_pending(subscription):
            raise SNSInvalidParameter(PENDING_UNSUBSCRIBE)
        original_unsubscribe(self, subscription_arn)

    def subscribe_response(self: Any) -> Any:
        from moto.core.responses import ActionResult

        answer = original_subscribe_response(self)
        arn = answer.result.get("SubscriptionArn") if hasattr(answer, "result") else None
        subscription = self.backend.subscriptions.get(arn) if arn else None
        wants_arn = str(self._get_param("ReturnSubscriptionArn", "false")).lower() == "true"
        if subscription is not None and is_pending(subscription) and not wants_arn:
            return ActionResult({"SubscriptionArn": "pending confirmation"})
        return answer

    SNSBackend.subscribe = subscribe
    SNSBackend.unsubscribe = unsubscribe
    SNSResponse.subscribe = subscribe_response
    _INSTALLED = True
