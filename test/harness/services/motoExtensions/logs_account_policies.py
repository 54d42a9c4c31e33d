"""CloudWatch Logs account-level policies for moto (moto 5.2 has none): PutAccountPolicy,
DescribeAccountPolicies, DeleteAccountPolicy, and the effect of RETENTION_POLICY on DescribeLogGroups.

Behaviour follows the CloudWatch Logs API reference (PutAccountPolicy, DescribeAccountPolicies, LogGroup):
- a RETENTION_POLICY document is {"retentionInDays": <30..3653 or "NEVER_EXPIRE">, "enforcementMode":
  "RETROACTIVE" | "NEW_ONLY"}; the minimum is 30 days; up to 20 per account and region;
- its selectionCriteria may only be `LogGroupNamePrefix IN ["...", ...]`; without it, it applies to every
  log group;
- when several retention policies apply to a log group, the longest wins (NEVER_EXPIRE is the longest); the
  group's DescribeLogGroups entry then carries `retentionPolicyName`, and `retentionInDays` shows the
  policy's value (absent for NEVER_EXPIRE), whatever the group's own retention;
- NEW_ONLY applies only to log groups created after the policy.
One simplification, documented in docs/testing.md: AWS applies a new or changed retention policy 24 hours
after the call; here it applies at once.
"""
import json
import re
import time
from typing import Any

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.responses import LogsResponse

POLICY_TYPES = {
    "DATA_PROTECTION_POLICY",
    "SUBSCRIPTION_FILTER_POLICY",
    "FIELD_INDEX_POLICY",
    "TRANSFORMER_POLICY",
    "METRIC_EXTRACTION_POLICY",
    "RETENTION_POLICY",
}
RETENTION_VALUES = {30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
PREFIX_CRITERIA = re.compile(r'^\s*LogGroupNamePrefix\s+IN\s+(\[.*\])\s*$', re.S)

def _store(response: LogsResponse) -> dict[tuple[str, str], dict[str, Any]]:
    """The policies of the request's account and region, kept on its logs backend (so moto's reset clears them)."""
    backend = response.logs_backend
    store = backend.__dict__.get("_account_policies")
    if store is None:
        store = {}
        backend.__dict__["_account_policies"] = store
    return store


def _invalid(message: str) -> InvalidParameterException:
    return InvalidParameterException(msg=message)


def _retention_document(document: str) -> dict[str, Any]:
    try:
        parsed = json.loads(document)
    except ValueError:
        raise _invalid("policyDocument is not valid JSON")
    if not isinstance(parsed, dict):
        raise _invalid("policyDocument must be a JSON object")
    days = parsed.get("retentionInDays")
    if days != "NEVER_EXPIRE" and days not in RETENTION_VALUES:
        raise _invalid(
            "retentionInDays must be one of 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
            "2557, 2922, 3288, 3653 or NEVER_EXPIRE (account-level retention policies need at least 30 days)"
        )
    mode = parsed.get("enforcementMode", "RETROACTIVE")
    if mode not in ("RETROACTIVE", "NEW_ONLY"):
        raise _invalid("enforcementMode must be RETROACTIVE or NEW_ONLY")
    return {"retentionInDays": days, "enforcementMode": mode}


def _prefixes(criteria: str | None) -> list[str] | None:
    if not criteria:
        return None
    match = PREFIX_CRITERIA.match(criteria)
    if not match:
        raise _invalid('for RETENTION_POLICY the only selectionCriteria is LogGroupNamePrefix IN ["<prefix>", ...]')
    try:
        prefixes = json.loads(match.group(1))
    except ValueError:
        raise _invalid("selectionCriteria: the prefix list is not a JSON array of strings")
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and p for p in prefixes):
        raise _invalid("selectionCriteria: the prefix list is not a JSON array of strings")
    return prefixes


def put_account_policy(self: LogsResponse) -> str:
    name = self._get_param("policyName")
    document = self._get_param("policyDocument")
    policy_type = self._get_param("policyType")
    scope = self._get_param("scope") or "ALL"
    criteria = self._get_param("selectionCriteria")
    if not name or not document or policy_type not in POLICY_TYPES:
        raise _invalid("policyName, policyDocument and a valid policyType are required")
    store = _store(self)
    now = int(time.time() * 1000)
    policy: dict[str, Any] = {
        "policyName": name,
        "policyDocument": document,
        "policyType": policy_type,
        "scope": scope,
        "accountId": self.current_account,
        "lastUpdatedTime": now,
    }
    if criteria:
        policy["selectionCriteria"] = criteria
    if policy_type == "RETENTION_POLICY":
        parsed = _retention_document(document)
        prefixes = _prefixes(criteria)
        existing = [p for (t, _), p in store.items() if t == "RETENTION_POLICY"]
        if (policy_type, name) not in store and len(existing) >= 20:
            raise _invalid("an account can have at most 20 retention policies per region")
        previous = store.get((policy_type, name))
        policy["_retention"] = parsed["retentionInDays"]
        policy["_mode"] = parsed["enforcementMode"]
        policy["_prefixes"] = prefixes
        policy["_created"] = previous["_created"] if previous else now
    store[(policy_type, name)] = policy
    return json.dumps({"accountPolicy": _public(policy)})


def _public(policy: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in policy.items() if not key.startswith("_")}


def describe_account_policies(self: LogsResponse) -> str:
    policy_type = self._get_param("policyType")
    name = self._get_param("policyName")
    if policy_type not in POLICY_TYPES:
        raise _invalid("policyType is required and must be a valid policy type")
    policies = [
        _public(p)
        for (t, n), p in sorted(_store(self).items())
        if t == policy_type and (not name or n == name)
    ]
    return json.dumps({"accountPolicies": policies})


def delete_account_policy(self: LogsResponse) -> str:
    key = (self._get_param("policyType"), self._get_param("policyName"))
    store = _store(self)
    if key not in store:
        raise ResourceNotFoundException(msg="The specified account policy does not exist.")
    del store[key]
    return ""


def _longest(policies: list[dict[str, Any]]) -> dict[str, Any] | None:
    def length(policy: dict[str, Any]) -> float:
        return float("inf") if policy["_retention"] == "NEVER_EXPIRE" else float(policy["_retention"])

    # Longest wins; on a tie the one created first is reported.
    ordered = sorted(policies, key=lambda p: (-length(p), p["_created"]))
    return ordered[0] if ordered else None


def _applicable(group: dict[str, Any], store: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any] | None:
    name = group.get("logGroupName", "")
    created = group.get("creationTime", 0)
    matching = []
    for (policy_type, _), policy in store.items():
        if policy_type != "RETENTION_POLICY":
            continue
        prefixes = policy["_prefixes"]
        if prefixes is not None and not any(name.startswith(prefix) for prefix in prefixes):
            continue
        if policy["_mode"] == "NEW_ONLY" and created < policy["_created"]:
            continue
        matching.append(policy)
    return _longest(matching)


def install() -> None:
    LogsResponse.put_account_policy = put_account_policy  # type: ignore[attr-defined]
    LogsResponse.describe_account_policies = describe_account_policies  # type: ignore[attr-defined]
    LogsResponse.delete_account_policy = delete_account_policy  # type: ignore[attr-defined]
    original = LogsResponse.describe_log_groups

    def describe_log_groups(self: LogsResponse) -> str:
        result = json.loads(original(self))
        store = _store(self)
        for group in result.get("logGroups", []):
            policy = _applicable(group, store)
            if policy is None:
                continue
            group["retentionPolicyName"] = policy["policyName"]
            if policy["_retention"] == "NEVER_EXPIRE":
                group.pop("retentionInDays", None)
            else:
                group["retentionInDays"] = policy["_retention"]
        return json.dumps(result)

    LogsResponse.describe_log_groups = describe_log_groups  # type: ignore[method-assign]
