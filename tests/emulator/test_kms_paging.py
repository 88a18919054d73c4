"""KMS lists come a page at a time, as KMS sends them (see sagemaker_emulator.kms_hooks)."""

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def every_page(call, member, **params):
    pages, marker = [], None
    while True:
        answer = call(**params, **({"Marker": marker} if marker else {}))
        pages.append(answer[member])
        if not answer["Truncated"]:
            assert "NextMarker" not in answer
            return pages
        marker = answer["NextMarker"]


def make_keys(kms, count, alias_prefix=None):
    ids = []
    for index in range(count):
        key_id = kms.create_key(Description=f"key {index}")["KeyMetadata"]["KeyId"]
        if alias_prefix:
            kms.create_alias(AliasName=f"alias/{alias_prefix}-{index:03d}", TargetKeyId=key_id)
        ids.append(key_id)
    return ids


def test_list_keys_pages_by_100_unless_a_limit_is_given(kms):
    made = make_keys(kms, 105)

    pages = every_page(kms.list_keys, "Keys")
    assert [len(page) for page in pages] == [100, 5]
    assert sorted(key["KeyId"] for page in pages for key in page) == sorted(made)

    small = every_page(kms.list_keys, "Keys", Limit=40)
    assert [len(page) for page in small] == [40, 40, 25]


def test_list_aliases_pages_by_50_and_a_first_page_misses_the_rest(kms):
    make_keys(kms, 60, alias_prefix="team")

    first = kms.list_aliases()
    assert len(first["Aliases"]) == 50 and first["Truncated"] is True
    pages = every_page(kms.list_aliases, "Aliases")
    names = [alias["AliasName"] for page in pages for alias in page]
    assert len(names) == len(set(names))
    assert {f"alias/team-{index:03d}" for index in range(60)} <= set(names)
    assert all(len(page) <= 50 for page in pages)


def test_list_aliases_of_one_key_pages_too(kms):
    (key_id,) = make_keys(kms, 1)
    for index in range(3):
        kms.create_alias(AliasName=f"alias/one-{index}", TargetKeyId=key_id)

    pages = every_page(kms.list_aliases, "Aliases", KeyId=key_id, Limit=2)
    assert [sorted(a["AliasName"] for a in page) for page in pages] == [
        ["alias/one-0", "alias/one-1"],
        ["alias/one-2"],
    ]


@pytest.mark.parametrize(
    ("operation", "limit"),
    [("list_keys", 0), ("list_keys", 1001), ("list_aliases", 0), ("list_aliases", 101)],
)
def test_a_limit_out_of_range_is_refused(aws_client, operation, limit):
    unchecked = aws_client("kms", config=Config(parameter_validation=False))  # botocore checks the minimum itself
    with pytest.raises(ClientError) as refused:
        getattr(unchecked, operation)(Limit=limit)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "limit" in refused.value.response["Error"]["Message"]


def test_a_marker_kms_did_not_hand_out_is_refused(kms):
    make_keys(kms, 3)
    aliases_marker_given_to_keys = kms.list_aliases(Limit=1)["NextMarker"]

    for marker in ("not-a-marker", aliases_marker_given_to_keys):
        with pytest.raises(ClientError) as refused:
            kms.list_keys(Marker=marker)
        assert refused.value.response["Error"]["Code"] == "InvalidMarkerException"
