#!/usr/bin/env bash
# How a build pipeline enforces the 7-day log retention on every build (docs/retention.md).
#
# Runs `npm run enforce-retention` over the regions in RETENTION_REGIONS with the pipeline's own AWS
# credentials (the standard chain: OIDC role, instance profile, AWS_PROFILE ...) and fails the build when any
# log group could not be set or a region could not be swept. It changes real log groups: it is NOT part of
# .ci/run (which never talks to AWS); call it from the deploy job, after `pulumi up`, e.g.
#
#   - name: Enforce log retention
#     env: { RETENTION_REGIONS: "eu-west-1,eu-west-2", RETENTION_EXCLUDE_PREFIXES: "/aws/vendedlogs/" }
#     run: bash .ci/enforce-retention.sh
#
# Settings (environment):
#   RETENTION_REGIONS           required, comma-separated (eu-west-1,eu-west-2)
#   RETENTION_DAYS              1, 3, 5 or 7 (default 7)
#   RETENTION_EXCLUDE_PREFIXES  comma-separated name prefixes left alone (reported)
#   RETENTION_EXCLUDE_PATTERNS  comma-separated regular expressions left alone (reported; no commas inside)
#   RETENTION_DRY_RUN           "true" to only report what would change
#   RETENTION_REPORT            where the JSON report goes (default reports/retention.json)
# Needs IAM: logs:DescribeLogGroups and logs:PutRetentionPolicy on arn:aws:logs:<region>:<account>:log-group:*.
# Exit: 0 all compliant, 1 a group or region failed (the build fails), 2 bad settings.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${RETENTION_REGIONS:-}" ]]; then
  echo "enforce-retention: set RETENTION_REGIONS to the regions to sweep, e.g. RETENTION_REGIONS=eu-west-1,eu-west-2" >&2
  exit 2
fi

args=(--regions "${RETENTION_REGIONS}" --days "${RETENTION_DAYS:-7}" --json)
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
# The summary for the build log: counts per region and the names of failed groups (no log contents).
node -e '
const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const r of report.regions) {
  if (r.error) { console.log(`${r.region}: ERROR ${r.error}`); continue; }
  const x = r.result;
  console.log(`${r.region}: scanned ${x.scanned}, ${report.dryRun ? "would change " + x.wouldChange : "changed " + x.changed}, compliant ${x.compliant}, delivery ${x.deliverySkipped}, excluded ${x.excluded}, failed ${x.failed}${x.failed ? " (" + x.failedGroups.join(", ") + ")" : ""}`);
}
console.log(report.ok ? "retention: ok" : "retention: FAILED");
' "${report}" 2>/dev/null || cat "${report}"
exit "${rc}"
