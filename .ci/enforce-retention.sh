#!/usr/bin/env bash
# How a build pipeline enforces the log retention on every build (docs/retention.md).
#
# Runs `npm run enforce-retention` over every region enabled in the account (or the regions in RETENTION_REGIONS)
# with the pipeline's own AWS credentials (the standard chain: OIDC role, instance profile, AWS_PROFILE ...) and
# fails the build when any log group could not be set, a region could not be swept, or an account-level retention
# policy overrides log groups' retention. Then, over the same regions, `npm run audit-retention` (docs/audit-retention.md):
# every store that can hold data, with its worst-case age; the build fails when one can keep data past the limit. It changes real log groups: it is NOT part of .ci/run (which never talks
# to AWS); call it from the deploy job, after `pulumi up`, e.g.
#
#   - name: Enforce log retention
#     env: { AWS_REGION: eu-west-1, RETENTION_STACK: prod, RETENTION_EXCLUDE_PREFIXES: "/aws/vendedlogs/" }
#     run: bash .ci/enforce-retention.sh
#
# Settings (environment):
#   RETENTION_REGIONS             comma-separated (eu-west-1,eu-west-2); unset or empty: every enabled region,
#                                 discovered with EC2 DescribeRegions from AWS_REGION
#   RETENTION_DAYS                the retention to set; unset: the longest that fits the limit with CloudWatch's
#                                 deletion lag (3 days for 7 days and 72 h); a longer one is refused
#   RETENTION_MAX_AGE_DAYS        the data-protection limit (default 7)
#   RETENTION_DELETION_LAG_HOURS  CloudWatch's deletion lag (default 72: "typically up to 72 hours")
#   RETENTION_STACK               this pipeline's stack: its log groups under /aws/lambda/log-platform/<stack>/ are
#                                 swept, other stacks' are left alone (unset: every stack's are left alone)
#   RETENTION_EXCLUDE_PREFIXES    comma-separated name prefixes left alone (reported)
#   RETENTION_EXCLUDE_PATTERNS    comma-separated regular expressions left alone (reported; no commas inside)
#   RETENTION_DRY_RUN             "true" to only report what would change
#   RETENTION_REPORT              where the JSON report goes (default reports/retention.json)
#   RETENTION_AUDIT               "false" to skip the audit (default: it runs after the sweep)
#   RETENTION_AUDIT_REPORT        where the audit's JSON report goes (default reports/audit-retention.json)
#   AUDIT_ELASTICSEARCH_URL       the shipper's cluster, audited too (https); AUDIT_ELASTICSEARCH_SECRET_ARN its
#                                 credentials' secret (ELASTICSEARCH_CA_FILE its CA). Unset: Elasticsearch is reported
#                                 as not audited
# Needs IAM: logs:DescribeLogGroups and logs:PutRetentionPolicy on arn:aws:logs:<region>:<account>:log-group:*,
# logs:DescribeAccountPolicies (Resource "*"), and without RETENTION_REGIONS ec2:DescribeRegions (Resource "*"); the
# audit reads only (its list is in docs/audit-retention.md; AWS's ReadOnlyAccess covers it).
# Exit: 0 all compliant, 1 a group or region failed, an account-level retention policy exists, or the audit found a
# store that keeps data too long or could not be read (the build fails), 2 bad settings.
set -euo pipefail
cd "$(dirname "$0")/.."

args=(--json)
if [[ -n "${RETENTION_REGIONS:-}" ]]; then args+=(--regions "${RETENTION_REGIONS}"); fi
if [[ -n "${RETENTION_DAYS:-}" ]]; then args+=(--days "${RETENTION_DAYS}"); fi
if [[ -n "${RETENTION_MAX_AGE_DAYS:-}" ]]; then args+=(--max-age-days "${RETENTION_MAX_AGE_DAYS}"); fi
if [[ -n "${RETENTION_DELETION_LAG_HOURS:-}" ]]; then args+=(--deletion-lag-hours "${RETENTION_DELETION_LAG_HOURS}"); fi
if [[ -n "${RETENTION_STACK:-}" ]]; then args+=(--stack "${RETENTION_STACK}"); fi
IFS=',' read -r -a prefixes <<<"${RETENTION_EXCLUDE_PREFIXES:-}"
for prefix in "${prefixes[@]}"; do
  if [[ -n "${prefix}" ]]; then args+=(--exclude-prefix "${prefix}"); fi
done
IFS=',' read -r -a patterns <<<"${RETENTION_EXCLUDE_PATTERNS:-}"
for pattern in "${patterns[@]}"; do
  if [[ -n "${pattern}" ]]; then args+=(--exclude-pattern "${pattern}"); fi
done
if [[ "${RETENTION_DRY_RUN:-false}" == "true" ]]; then args+=(--dry-run); fi

report="${RETENTION_REPORT:-reports/retention.json}"
mkdir -p "$(dirname "${report}")"
rc=0
npm run --silent enforce-retention -- "${args[@]}" >"${report}" || rc=$?
if [[ "${rc}" == "2" ]]; then exit 2; fi # bad settings: the message and usage are on stderr, the report is empty
# The summary for the build log: counts per region, the account-level retention policies, the names of failed groups
# (no log contents).
node -e '
const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
console.log(`retention: target ${report.targetDays} days (limit ${report.maxAgeDays} days, deletion lag ${report.deletionLagHours} h), regions ${report.regionsFrom === "discovered" ? "discovered: every enabled region" : "from RETENTION_REGIONS"}`);
for (const r of report.regions) {
  if (r.error) { console.log(`${r.region}: ERROR ${r.error}`); continue; }
  const x = r.result;
  console.log(`${r.region}: scanned ${x.scanned}, ${report.dryRun ? "would change " + x.wouldChange : "changed " + x.changed}, compliant ${x.compliant}, delivery ${x.deliverySkipped}, excluded ${x.excluded} (other stacks ${x.otherStack}), overridden ${x.overridden}, failed ${x.failed}${x.failed ? " (" + x.failedGroups.join(", ") + ")" : ""}`);
}
for (const p of report.accountPolicies) {
  console.log(`${p.region}: ACCOUNT-LEVEL RETENTION POLICY ${p.policyName} keeps logs ${p.retention}, overrides ${p.overriddenGroups} log group(s); delete it: ${p.fix}`);
}
console.log(report.ok ? "retention: ok" : "retention: FAILED");
' "${report}" 2>/dev/null || cat "${report}"

if [[ "${RETENTION_AUDIT:-true}" == "false" ]]; then exit "${rc}"; fi
audit_args=(--json)
if [[ -n "${RETENTION_REGIONS:-}" ]]; then audit_args+=(--regions "${RETENTION_REGIONS}"); fi
if [[ -n "${RETENTION_MAX_AGE_DAYS:-}" ]]; then audit_args+=(--max-age-days "${RETENTION_MAX_AGE_DAYS}"); fi
if [[ -n "${RETENTION_DELETION_LAG_HOURS:-}" ]]; then audit_args+=(--deletion-lag-hours "cloudwatch=${RETENTION_DELETION_LAG_HOURS}"); fi
if [[ -n "${RETENTION_STACK:-}" ]]; then audit_args+=(--stack "${RETENTION_STACK}"); fi
if [[ -n "${AUDIT_ELASTICSEARCH_URL:-}" ]]; then audit_args+=(--elasticsearch "${AUDIT_ELASTICSEARCH_URL}"); fi
if [[ -n "${AUDIT_ELASTICSEARCH_SECRET_ARN:-}" ]]; then audit_args+=(--elasticsearch-secret-arn "${AUDIT_ELASTICSEARCH_SECRET_ARN}"); fi
audit_report="${RETENTION_AUDIT_REPORT:-reports/audit-retention.json}"
mkdir -p "$(dirname "${audit_report}")"
audit_rc=0
npm run --silent audit-retention -- "${audit_args[@]}" >"${audit_report}" || audit_rc=$?
if [[ "${audit_rc}" == "2" ]]; then exit 2; fi
# The audit's summary for the build log: counts per verdict and every store that fails (names and ages, no contents).
node -e '
const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const counts = Object.entries(report.counts).map(([verdict, n]) => `${n} ${verdict}`).join(", ");
console.log(`audit: limit ${report.limitDays} days, regions ${report.regions.join(",")}, elasticsearch ${report.elasticsearch.audited ? "audited" : "not audited"}: ${counts}`);
for (const s of report.stores.filter((s) => s.verdict === "too long" || s.verdict === "unknown")) {
  console.log(`  ${s.verdict}  ${s.kind} ${s.name}${s.region ? " (" + s.region + ")" : ""}: ${s.worstCase}${s.note ? " - " + s.note : ""}`);
}
console.log(report.passed ? "audit: ok" : "audit: FAILED");
' "${audit_report}" 2>/dev/null || cat "${audit_report}"
if [[ "${rc}" != "0" ]]; then exit "${rc}"; fi
exit "${audit_rc}"
