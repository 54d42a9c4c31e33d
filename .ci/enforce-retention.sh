#!/usr/bin/env bash
# How a build pipeline enforces the log retention on every build (docs/retention.md).
#
# Runs `npm run enforce-retention` over every region enabled in the account (or the regions in RETENTION_REGIONS)
# with the pipeline's own AWS credentials (the standard chain: OIDC role, instance profile, AWS_PROFILE ...) and
# fails the build when any log group could not be set, a region could not be swept, or an account-level retention
# policy overrides log groups' retention. It changes real log groups: it is NOT part of .ci/run (which never talks
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
# Needs IAM: logs:DescribeLogGroups and logs:PutRetentionPolicy on arn:aws:logs:<region>:<account>:log-group:*,
# logs:DescribeAccountPolicies (Resource "*"), and without RETENTION_REGIONS ec2:DescribeRegions (Resource "*").
# Exit: 0 all compliant, 1 a group or region failed or an account-level retention policy exists (the build fails),
# 2 bad settings.
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
exit "${rc}"
